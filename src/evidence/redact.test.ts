import { describe, expect, it } from 'vitest';
import { createRedactor, isSecretKey } from './redact.js';

const SALT = '00112233445566778899aabbccddeeff';

describe('isSecretKey', () => {
  it.each(['DB_PASSWORD', 'PASSWD', 'GITHUB_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'API_KEY', 'apiKey', 'authToken', 'Authorization', 'Cookie', 'set-cookie', 'DBPASSWORD', 'client_secret', 'CREDENTIALS', 'x-api-key'])(
    '%s is secret',
    (k) => expect(isSecretKey(k)).toBe(true),
  );
  it.each(['PATH', 'PORT', 'KEYCLOAK_URL', 'MONKEY', 'HOSTNAME', 'version', 'digest', 'status', 'Image', 'org.opencontainers.image.revision'])(
    '%s is not secret',
    (k) => expect(isSecretKey(k)).toBe(false),
  );
});

describe('createRedactor', () => {
  it('masks env values in inspect JSON and secret-named values everywhere else', () => {
    const r = createRedactor({ salt: SALT });
    const inspect = { Name: '/web', Config: { Env: ['PATH=/usr/bin', 'DB_PASSWORD=hunter2-very-secret', 'EMPTY='], Image: 'app:1' } };
    const log = 'boot ok\nconnecting with hunter2-very-secret\n';
    r.learn(inspect);
    r.learn(log);
    const maskedInspect = r.value(inspect, 'evidence/a.json');
    const maskedLog = r.text(log, 'evidence/b.log');
    expect(JSON.stringify(maskedInspect)).not.toContain('hunter2');
    expect(JSON.stringify(maskedInspect)).not.toContain('/usr/bin');
    expect(maskedInspect.Config.Env[0]).toMatch(/^PATH=\[MASKED:[0-9a-f]{16}\]$/);
    expect(maskedInspect.Config.Env[2]).toBe('EMPTY=');
    expect(maskedInspect.Config.Image).toBe('app:1');
    expect(maskedLog).toBe(`boot ok\nconnecting with [MASKED:${r.hash('hunter2-very-secret')}]\n`);
    const s = r.summary();
    expect(s.salt).toBe(SALT);
    expect(s.count).toBe(3);
    expect(s.entries).toEqual([
      { where: 'evidence/a.json', hash: r.hash('/usr/bin'), count: 1 },
      { where: 'evidence/a.json', hash: r.hash('hunter2-very-secret'), count: 1 },
      { where: 'evidence/b.log', hash: r.hash('hunter2-very-secret'), count: 1 },
    ].sort((a, b) => (a.where + a.hash < b.where + b.hash ? -1 : 1)));
    expect(JSON.stringify(s)).not.toContain('hunter2');
  });

  it('does not search for non-secret env values elsewhere (ports and URLs stay readable)', () => {
    const r = createRedactor({ salt: SALT });
    r.learn({ Env: ['APP_URL=http://127.0.0.1:8080', 'PORT=8080'] });
    expect(r.text('GET http://127.0.0.1:8080/version', 'x')).toBe('GET http://127.0.0.1:8080/version');
  });

  it('masks headers, bearer tokens, URL credentials and key=value secrets in text', () => {
    const r = createRedactor({ salt: SALT });
    const text = [
      'GET /api HTTP/1.1',
      'Authorization: Bearer abcdefghijklmnop',
      'Cookie: sid=s3cr3tcookie',
      'fetch https://alice:pa55word@127.0.0.1/x',
      'config password=letmein token: "tok_123456"',
      'later the token abcdefghijklmnop appears again',
    ].join('\n');
    r.learn(text);
    const out = r.text(text, 'e');
    for (const s of ['abcdefghijklmnop', 's3cr3tcookie', 'pa55word', 'letmein', 'tok_123456']) expect(out).not.toContain(s);
    expect(out).toContain('https://alice:[MASKED:');
    expect(out).toContain('GET /api HTTP/1.1');
    expect(out.split('\n')[5]).toBe(`later the token [MASKED:${r.hash('abcdefghijklmnop')}] appears again`);
  });

  it('masks structured secret keys at any depth and keeps booleans', () => {
    const r = createRedactor({ salt: SALT });
    const v = r.value({ headers: { authorization: 'Basic Zm9vOmJhcg==', accept: 'json' }, env: { API_KEY: 'k-1', LOG: 'info' }, check: { password: { absent: true } } }, 'step');
    expect(v.headers.authorization).toMatch(/^\[MASKED:/);
    expect(v.headers.accept).toBe('json');
    expect(v.env.API_KEY).toMatch(/^\[MASKED:/);
    expect(v.env.LOG).toMatch(/^\[MASKED:/);
    expect(v.check.password).toEqual({ absent: true });
  });

  it('is idempotent: masking masked output changes nothing and counts nothing', () => {
    const r = createRedactor({ salt: SALT });
    r.addSecret('supersecretvalue');
    const once = r.text('a supersecretvalue b password=supersecretvalue', 'x');
    const count = r.summary().count;
    expect(r.text(once, 'x')).toBe(once);
    expect(r.value({ token: once }, 'y')).toEqual({ token: once });
    expect(r.summary().count).toBe(count);
  });

  it('uses the salt: the same value hashes differently in two runs', () => {
    const a = createRedactor();
    const b = createRedactor();
    expect(a.salt).not.toBe(b.salt);
    expect(a.hash('x')).not.toBe(b.hash('x'));
    expect(a.salt).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('prose is not a secret', () => {
  it('does not mask "pass: X" or "key: Y" in sentences, but masks DB_PASS=', () => {
    const r = createRedactor({ salt: SALT });
    const t = 'prerequisite did not pass: OQ-01.2 error; key: id; DB_PASS=abc123';
    r.learn(t);
    expect(r.text(t, 'x')).toBe(`prerequisite did not pass: OQ-01.2 error; key: id; DB_PASS=[MASKED:${r.hash('abc123')}]`);
  });
});
