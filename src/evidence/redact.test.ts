import { describe, expect, it } from 'vitest';
import { createRedactor, isSecretKey, MIN_GLOBAL_SECRET } from './redact.js';

const MARK = /\[MASKED:\d+\]/;

describe('isSecretKey', () => {
  it.each([
    'DB_PASSWORD', 'PASSWD', 'GITHUB_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'API_KEY', 'apiKey', 'authToken', 'Authorization', 'Cookie', 'set-cookie',
    'DBPASSWORD', 'client_secret', 'CREDENTIALS', 'x-api-key',
    // issue 9 item 7: whole words or common abbreviations, in any case
    'DB_PW', 'db_pw', 'GITHUB_PAT', 'githubPat', 'STRIPE_SK', 'API_SIG', 'sig', 'signature', 'X-Amz-Signature', 'ACCESS_CODE', 'accessCode',
    'X-Auth-Token', 'x-auth-token', 'session', 'SESSION_ID', 'private_key', 'PRIVATE', 'credential', 'pwd', 'passcode', 'X-Amz-Credential',
  ])('%s is secret', (k) => expect(isSecretKey(k)).toBe(true));
  it.each([
    'PATH', 'PORT', 'KEYCLOAK_URL', 'MONKEY', 'HOSTNAME', 'version', 'digest', 'status', 'Image', 'org.opencontainers.image.revision',
    // configuration an auditor needs to read
    'env', 'Env', 'environment', 'ENVIRONMENT', 'APP_ENV', 'ORDERS_MODE', 'env_keys', 'StopSignal', 'Privileged', 'PATTERN', 'task', 'skip', 'author', 'OAUTH_CLIENT_ID',
  ])('%s is not secret', (k) => expect(isSecretKey(k)).toBe(false));
});

describe('what is learned as a secret (issue 9 item 7)', () => {
  const ordinary = {
    Name: '/orders',
    Config: {
      Env: ['PATH=/usr/bin', 'ORDERS_MODE=production', 'APP_ENV=staging-eu', 'PORT=8080', 'DB_PW=Pl4nted-db-pw-1', 'LOG=verbose'],
      Healthcheck: { Test: ['CMD-SHELL', 'wget -q -O /dev/null "http://127.0.0.1:${PORT}/health" || exit 1'] },
      Labels: { 'org.opencontainers.image.version': '1.4.2' },
    },
  };

  it('container env values are configuration: only values of secret-looking keys are masked', () => {
    const r = createRedactor();
    r.learn(ordinary);
    const out = r.value(ordinary, 'evidence/inspect.json');
    expect(out.Config.Env).toEqual(['PATH=/usr/bin', 'ORDERS_MODE=production', 'APP_ENV=staging-eu', 'PORT=8080', expect.stringMatching(/^DB_PW=\[MASKED:\d+\]$/), 'LOG=verbose']);
    expect(out.Config.Healthcheck).toEqual(ordinary.Config.Healthcheck);
    expect(r.summary().count).toBe(1);
  });

  it('env / environment keys and their values are never masked; key names never are', () => {
    const r = createRedactor();
    const actual = { env: { ORDERS_MODE: 'production', APP_ENV: 'staging', STRIPE_SK: 'sk_live_planted_1234' }, env_keys: ['APP_ENV', 'PORT', 'STRIPE_SK'], environment: 'production' };
    r.learn(actual);
    r.learn({ environment: 'production' });
    const out = r.value(actual, 'step actual');
    expect(out.env.ORDERS_MODE).toBe('production');
    expect(out.env.APP_ENV).toBe('staging');
    expect(out.env.STRIPE_SK).toMatch(MARK);
    expect(out.env_keys).toEqual(['APP_ENV', 'PORT', 'STRIPE_SK']);
    expect(out.environment).toBe('production');
    expect(r.text('GET /version {"env":"production"} APP_ENV=staging env.APP_ENV ${PORT}', 'x')).toBe('GET /version {"env":"production"} APP_ENV=staging env.APP_ENV ${PORT}');
    expect(r.value({ environment: 'production' }, 'parameters')).toEqual({ environment: 'production' });
  });

  it('values of secret-looking keys are masked in structures and in text, everywhere they appear', () => {
    const r = createRedactor();
    const planted = { DB_PW: 'Pl4nted-db-pw-1', GITHUB_PAT: 'ghp_planted0123456789', STRIPE_SK: 'sk_live_planted_1234', API_SIG: 'planted-sig-abcdef', ACCESS_CODE: 'AC-planted-7788' };
    r.learn({ Config: { Env: Object.entries(planted).map(([k, v]) => `${k}=${v}`) } });
    const log = `boot: ${Object.values(planted).join(' ')} ready\n`;
    const out = r.text(log, 'evidence/logs.txt');
    for (const v of Object.values(planted)) expect(out).not.toContain(v);
    expect(out).toMatch(/^boot: (\[MASKED:\d+\] ){5}ready\n$/);
  });

  it('credentials in URLs and query strings are masked; the rest of the URL stays readable', () => {
    const r = createRedactor();
    const url = 'http://alice:pa55word-x@127.0.0.1:8080/download?file=report.csv&sig=planted-query-sig-9&token=qtok-123456&X-Amz-Signature=abcdef0123456789';
    r.learn(url);
    const out = r.text(url, 'x');
    for (const s of ['pa55word-x', 'planted-query-sig-9', 'qtok-123456', 'abcdef0123456789']) expect(out).not.toContain(s);
    expect(out).toContain('http://alice:[MASKED:');
    expect(out).toContain('127.0.0.1:8080/download?file=report.csv&sig=[MASKED:');
  });

  it('a protocol parameter or qualify.yaml entry declared secret: true is masked in its field and everywhere', () => {
    const r = createRedactor({ secretKeys: ['change_ref'] });
    r.addSecret('CHG-planted-0412');
    const params = r.value({ change_ref: 'CHG-planted-0412', environment: 'production' }, 'parameters');
    expect(params.change_ref).toMatch(MARK);
    expect(params.environment).toBe('production');
    expect(r.text('ticket CHG-planted-0412 approved', 'x')).toMatch(/^ticket \[MASKED:\d+\] approved$/);
  });

  it(`values shorter than ${MIN_GLOBAL_SECRET} characters are masked only in their own field, never searched for in text`, () => {
    expect(MIN_GLOBAL_SECRET).toBe(6);
    const r = createRedactor();
    r.learn({ pin: '4711', password: 'abc12' });
    r.addSecret('4711');
    expect(r.value({ pin: '4711', password: 'abc12' }, 'p')).toEqual({ pin: expect.stringMatching(MARK), password: expect.stringMatching(MARK) });
    expect(r.text('port 4711 build abc12 ok', 'x')).toBe('port 4711 build abc12 ok');
  });

  it('our own messages are not secrets: "json.token: expected ..., found ..." keeps its words', () => {
    const r = createRedactor();
    r.learn({ json: { token: 'tok-planted-998877' } });
    r.learn('json.token: expected "abc", found "tok-planted-998877"');
    expect(r.text('json.token: expected "abc", found "tok-planted-998877"', 'reason')).toMatch(/^json\.token: expected "abc", found "\[MASKED:\d+\]"$/);
    expect(r.text('the expected value was found', 'x')).toBe('the expected value was found');
    // a variable reference is not its value
    expect(r.text('sh -c "echo token=$API_TOKEN"', 'x')).toBe('sh -c "echo token=$API_TOKEN"');
  });

  it('counts falsely masked ordinary values: none in a realistic inspect, env listing and body', () => {
    const r = createRedactor();
    const ordinaryValues = ['production', 'staging-eu', '8080', '/usr/bin', 'verbose', '1.4.2', 'orders', 'example-app'];
    const inspect = { Config: { Env: ['ORDERS_MODE=production', 'APP_ENV=staging-eu', 'PORT=8080', 'PATH=/usr/bin', 'LOG=verbose', 'VERSION=1.4.2', 'SERVICE=orders'], Labels: { title: 'example-app' } } };
    const body = '{"version":"1.4.2","env":"production","mode":"staging-eu","service":"orders"}';
    r.learn(inspect);
    r.learn(body);
    const outputs = [JSON.stringify(r.value(inspect, 'a')), r.text(body, 'b')].join('\n');
    expect(outputs).not.toMatch(MARK);
    for (const v of ordinaryValues) expect(outputs).toContain(v);
    expect(r.summary().count).toBe(0);
  });
});

describe('masking', () => {
  it('masks headers, bearer tokens, URL credentials and key=value secrets in text', () => {
    const r = createRedactor();
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
    expect(out.split('\n')[5]).toMatch(/^later the token \[MASKED:\d+\] appears again$/);
  });

  it('masks structured secret keys at any depth and keeps booleans', () => {
    const r = createRedactor();
    const v = r.value({ headers: { authorization: 'Basic Zm9vOmJhcg==', accept: 'json' }, env: { API_KEY: 'k-1', LOG: 'info' }, check: { password: { absent: true } } }, 'step');
    expect(v.headers.authorization).toMatch(MARK);
    expect(v.headers.accept).toBe('json');
    expect(v.env.API_KEY).toMatch(MARK);
    expect(v.env.LOG).toBe('info');
    expect(v.check.password).toEqual({ absent: true });
  });

  it('is idempotent: masking masked output changes nothing and counts nothing', () => {
    const r = createRedactor();
    r.addSecret('supersecretvalue');
    const once = r.text('a supersecretvalue b password=supersecretvalue', 'x');
    const count = r.summary().count;
    expect(r.text(once, 'x')).toBe(once);
    expect(r.value({ token: once }, 'y')).toEqual({ token: once });
    expect(r.summary().count).toBe(count);
  });

  it('the same value has the same reference within a record; the console shows a plain marker', () => {
    const r = createRedactor();
    r.addSecret('supersecretvalue');
    r.addSecret('othersecretvalue');
    expect(r.text('supersecretvalue othersecretvalue supersecretvalue', 'x')).toBe('[MASKED:1] [MASKED:2] [MASKED:1]');
    expect(r.mask('log supersecretvalue')).toBe('log [MASKED]');
  });

  it('does not mask "pass: X" or "key: Y" in sentences, but masks DB_PASS=', () => {
    const r = createRedactor();
    const t = 'prerequisite did not pass: OQ-01.2 error; key: id; DB_PASS=abc123';
    r.learn(t);
    expect(r.text(t, 'x')).toBe('prerequisite did not pass: OQ-01.2 error; key: id; DB_PASS=[MASKED:1]');
  });
});

describe('what the record keeps about masked values (issue 9 item 9)', () => {
  it('nothing computed from the value: a 4-digit PIN cannot be recovered from the summary', () => {
    const masked = (pin: string) => {
      const r = createRedactor();
      const out = r.value({ pin, note: 'x' }, 'parameters');
      return JSON.stringify({ out, summary: r.summary() });
    };
    // Any function of the value kept in the record would make these differ; brute force needs one.
    expect(masked('0000')).toBe(masked('4711'));
    expect(masked('4711')).toBe(masked('9999'));
    const s = createRedactor().summary() as unknown as Record<string, unknown>;
    expect(s).not.toHaveProperty('salt');
  });

  it('keeps a count per place and a reference linking the places of one value', () => {
    const r = createRedactor();
    r.addSecret('supersecretvalue');
    r.text('supersecretvalue and supersecretvalue', 'evidence/a.log');
    r.value({ token: 'supersecretvalue' }, 'step X actual');
    expect(r.summary()).toEqual({
      count: 3,
      scheme: expect.stringContaining('ordinal'),
      entries: [
        { where: 'evidence/a.log', ref: 1, count: 2 },
        { where: 'step X actual', ref: 1, count: 1 },
      ],
    });
  });
});

describe('masking is linear time (issue 9 item 10)', () => {
  // Generous bounds: the quadratic regex needed 15 s for 100 kB and did not finish 1 MiB in 10 minutes.
  const MIB = 1024 * 1024;
  const inputs: Array<[string, string]> = [
    ['an HTTP exchange with a 1 MiB single-token body', `GET http://127.0.0.1/x\n\nHTTP 200 (3 ms)\ncontent-type: text/plain\n\n${'a'.repeat(MIB)}`],
    ['a JSON body of one 1 MiB string', JSON.stringify({ data: 'Q'.repeat(MIB) })],
    ['1 MiB of key-like dots', 'a.'.repeat(MIB / 2)],
    ['1 MiB of k=v=v=', 'a='.repeat(MIB / 2)],
    ['1 MiB of unclosed quotes', `x="${'b='.repeat(MIB / 2)}`],
    ['1 MiB of quoted keys', '"a"'.repeat(MIB / 3)],
    ['1 MiB of url-like text', 'a://x:'.repeat(MIB / 6) + '@'],
    ['1 MiB of scheme starts', 'a-'.repeat(MIB / 2) + '://x:y@'],
    ['an Authorization line padded with spaces', `Authorization: a${' '.repeat(MIB)}b`],
    ['Bearer and spaces', `Bearer${' '.repeat(MIB)}x`],
    ['1 MiB of token: token:', 'token: '.repeat(MIB / 7)],
  ];
  it.each(inputs)('%s masks in well under a second', (_name, input) => {
    const r = createRedactor();
    r.addSecret('planted-secret-value');
    const t0 = performance.now();
    r.learn(input);
    r.text(input, 'evidence/x.txt');
    r.value({ body: input }, 'step actual');
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe('configuration that contains a secret word is not a secret', () => {
  it('image:tag, host:port, PWD and Docker SandboxKey stay readable', () => {
    const r = createRedactor();
    const inspect = { Image: 'registry/orders-secrets-api:1.4.2', Env: ['PWD=/srv/app', 'OLDPWD=/'], NetworkSettings: { SandboxKey: '/var/run/docker/netns/default' } };
    r.learn(inspect);
    expect(r.value(inspect, 'x')).toEqual(inspect);
    expect(r.text('pulled registry/orders-secrets-api:1.4.2 from token-host:5000', 'x')).toBe('pulled registry/orders-secrets-api:1.4.2 from token-host:5000');
    expect(r.summary().count).toBe(0);
  });
});
