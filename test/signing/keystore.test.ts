// Issue 9, item 21: the private key store. A key file others can read (0644) is refused with a clear
// message and exit 5 (like ssh: an encrypted key others can copy can be attacked offline); a QUALIFY_HOME
// that is a symbolic link into the repository is inside it (real paths) and refused.
import { chmodSync, mkdirSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { loadSignerRegistry } from '../../src/signing/repo.js';
import { privateKeyPath } from '../../src/signing/store.js';
import { copyRepo, enrolledRepo, PASSPHRASES, T, writeReport, type Enrolled } from './fixture.js';

let base: Enrolled;
beforeAll(async () => { base = await enrolledRepo(); });
afterAll(() => base?.cleanup());

describe('item 21: private keys stay private and outside the repository', () => {
  it('a private key file readable by others (0644) is refused: exit 5, nothing signed', async () => {
    const repo = copyRepo(base);
    const key = privateKeyPath(repo.home, 'eve', loadSignerRegistry(repo.root)!.signer('eve')!.keys.at(-1)!.fingerprint);
    try {
      const dir = await writeReport(repo.root);
      const rel = relative(repo.root, dir);
      chmodSync(key, 0o644);
      const r = await runCli(['sign', rel, '--as', 'eve', '--meaning', 'executed', '--passphrase-stdin'], { cwd: repo.root, env: repo.env, now: T.executed, stdin: `${PASSPHRASES.eve}\n` });
      expect(r.code).toBe(5);
      expect(r.stderr).toContain(`KEY_PERMISSIONS: the private key file ${key} has mode 0644: it is readable or writable by others than its owner; nothing was signed. Run: chmod 600 ${key}`);
      chmodSync(key, 0o600);
      const ok = await runCli(['sign', rel, '--as', 'eve', '--meaning', 'executed', '--passphrase-stdin'], { cwd: repo.root, env: repo.env, now: T.executed, stdin: `${PASSPHRASES.eve}\n` });
      expect(ok.code, ok.stderr).toBe(0);
    } finally {
      chmodSync(key, 0o600);
      repo.cleanup();
    }
  });

  it('QUALIFY_HOME that is a symbolic link into the repository is refused (KEY_STORE_IN_REPOSITORY)', async () => {
    const repo = copyRepo(base);
    const outside = makeTempDir('qualify-link-');
    try {
      mkdirSync(join(repo.root, '.keys'));
      const link = join(outside.dir, 'home');
      symlinkSync(join(repo.root, '.keys'), link);
      const env = { QUALIFY_HOME: link };
      const r = await runCli(['keys', 'request', '--as', 'zoe', '--name', 'Zoe', '--email', 'zoe@example.invalid', '--role', 'executor', '--passphrase-stdin'], { cwd: repo.root, env, now: T.keys, stdin: 'zoe passphrase long\n' });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`KEY_STORE_IN_REPOSITORY: the key store ${link} lies inside the repository`);
      expect(r.stderr).toContain('it resolves to');
      // A link to a folder that does not exist yet resolves through its existing parent.
      const nested = join(outside.dir, 'nested');
      symlinkSync(repo.root, nested);
      const r2 = await runCli(['keys', 'request', '--as', 'zoe', '--name', 'Zoe', '--email', 'zoe@example.invalid', '--role', 'executor', '--passphrase-stdin'], { cwd: repo.root, env: { QUALIFY_HOME: join(nested, 'not-yet', 'qualify') }, now: T.keys, stdin: 'zoe passphrase long\n' });
      expect(r2.code).toBe(2);
      expect(r2.stderr).toContain('KEY_STORE_IN_REPOSITORY');
    } finally {
      outside.cleanup();
      repo.cleanup();
    }
  });
});
