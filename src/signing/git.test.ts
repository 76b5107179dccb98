// Committing signed files (`sign --commit`) and the append-only check of the committed audit trail,
// on real repositories in temporary folders.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditTrailAppendOnly, commitPaths } from './git.js';
import { AUDIT_TRAIL } from './repo.js';
import { makeTempDir } from '../../test/helpers/tmp.js';

const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((c) => c()));
const env = { PATH: process.env.PATH, HOME: process.env.HOME, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.invalid' };
const git = (d: string, ...args: string[]) => execFileSync('git', args, { cwd: d, encoding: 'utf8', env: { ...process.env, ...env } }).trim();

function repo(): string {
  const t = makeTempDir('qualify-signing-git-');
  cleanups.push(t.cleanup);
  git(t.dir, 'init', '-q', '-b', 'main');
  git(t.dir, 'config', 'commit.gpgsign', 'false');
  return t.dir;
}

describe('signing and git', () => {
  it('commits exactly the named files, with the signer as author', async () => {
    const d = repo();
    writeFileSync(join(d, 'signed.json'), '{}');
    writeFileSync(join(d, 'unrelated.txt'), 'not mine');
    const id = await commitPaths(d, ['signed.json'], 'Sign QP-0001 (approved)', { env, author: { name: 'Quinn Approver', email: 'quinn@example.invalid' } });
    expect(id).toBe(git(d, 'rev-parse', 'HEAD'));
    expect(git(d, 'show', '--name-only', '--format=%an <%ae>|%s', 'HEAD').split('\n').filter(Boolean)).toEqual(['Quinn Approver <quinn@example.invalid>|Sign QP-0001 (approved)', 'signed.json']);
    expect(git(d, 'status', '--porcelain')).toBe('?? unrelated.txt');
  });

  it('is a no-op outside a git repository', async () => {
    const t = makeTempDir('qualify-signing-nogit-');
    cleanups.push(t.cleanup);
    writeFileSync(join(t.dir, 'a'), 'a');
    expect(await commitPaths(t.dir, ['a'], 'm', { env })).toBeNull();
    expect(await auditTrailAppendOnly(t.dir, 'x', { env })).toBeNull();
  });

  it('finds committed audit entries that were changed or removed; appended ones are fine', async () => {
    const d = repo();
    mkdirSync(join(d, 'audit'));
    const committed = '{"seq":1}\n{"seq":2}\n';
    writeFileSync(join(d, AUDIT_TRAIL), committed);
    expect(await auditTrailAppendOnly(d, committed, { env })).toBeNull(); // not committed yet
    await commitPaths(d, [AUDIT_TRAIL], 'trail', { env });
    expect(await auditTrailAppendOnly(d, `${committed}{"seq":3}\n`, { env })).toBeNull();
    expect(await auditTrailAppendOnly(d, '{"seq":1}\n', { env })).toMatch(/differs from its committed version \(HEAD has 2 entries\)/);
  });
});
