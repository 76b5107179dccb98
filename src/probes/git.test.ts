// The git probe against real repositories in temporary folders.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createGitProbe } from './git.js';

const dirs: string[] = [];
const repo = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'qualify-git-'));
  dirs.push(d);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: d, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 't@example.invalid');
  git('config', 'user.name', 'T');
  git('config', 'commit.gpgsign', 'false');
  return d;
};
const git = (d: string, ...args: string[]) => execFileSync('git', args, { cwd: d, encoding: 'utf8' }).trim();
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('git probe', () => {
  it('reads head, branch, tags at head and every kind of change', async () => {
    const d = repo();
    writeFileSync(join(d, 'a file.txt'), 'a');
    writeFileSync(join(d, 'old.txt'), 'o');
    git(d, 'add', '.');
    git(d, 'commit', '-q', '-m', 'one');
    git(d, 'tag', 'v1.0.0');
    git(d, 'tag', '-a', '-m', 'annotated', 'v1.0.1');
    const head = git(d, 'rev-parse', 'HEAD');
    expect(await createGitProbe({ timeoutMs: 10_000 }).state(d)).toEqual({ head, branch: 'main', clean: true, tagsAtHead: ['v1.0.0', 'v1.0.1'], dirtyFiles: [] });

    writeFileSync(join(d, 'a file.txt'), 'changed');
    renameSync(join(d, 'old.txt'), join(d, 'new.txt'));
    git(d, 'add', '-A', 'old.txt', 'new.txt');
    writeFileSync(join(d, 'untracked.txt'), 'u');
    const probe = createGitProbe({ timeoutMs: 10_000 });
    const state = await probe.state(d);
    expect(state).toMatchObject({ head, branch: 'main', clean: false, dirtyFiles: ['a file.txt', 'new.txt', 'untracked.txt'] });
    expect(await createGitProbe({ timeoutMs: 10_000 }).status(d)).toEqual({ head, branch: 'main', clean: false, dirtyFiles: ['a file.txt', 'new.txt', 'untracked.txt'] });
    expect(await probe.tagCommit(d, 'v1.0.1')).toBe(head);
    expect(await probe.tagCommit(d, 'v9')).toBeNull();
  });

  it('handles a repository without commits and a detached head', async () => {
    const d = repo();
    expect(await createGitProbe({ timeoutMs: 10_000 }).state(d)).toEqual({ head: null, branch: 'main', clean: true, tagsAtHead: [], dirtyFiles: [] });
    writeFileSync(join(d, 'x'), 'x');
    git(d, 'add', 'x');
    git(d, 'commit', '-q', '-m', 'x');
    git(d, 'checkout', '-q', '--detach');
    expect(await createGitProbe({ timeoutMs: 10_000 }).state(d)).toMatchObject({ branch: null, head: git(d, 'rev-parse', 'HEAD') });
  });

  it('names a folder that is not a repository, and one that does not exist', async () => {
    const d = mkdtempSync(join(tmpdir(), 'qualify-nogit-'));
    dirs.push(d);
    await expect(createGitProbe({ timeoutMs: 10_000 }).state(d)).rejects.toMatchObject({ code: 'GIT_REPO_INVALID' });
    await expect(createGitProbe({ timeoutMs: 10_000 }).state(join(d, 'missing'))).rejects.toMatchObject({ code: 'GIT_REPO_INVALID', message: /no such folder/ });
  });

  it('runs git with only what it needs of the caller environment (an editor, a pager or GIT_DIR elsewhere change nothing)', async () => {
    const d = repo();
    const other = repo();
    writeFileSync(join(d, 'x'), 'x');
    git(d, 'add', 'x');
    git(d, 'commit', '-q', '-m', 'x');
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, EDITOR: 'vim', PAGER: 'less', GIT_PAGER: 'less', GIT_DIR: join(other, '.git'), GIT_WORK_TREE: other, GIT_SSH_COMMAND: 'ssh -v' };
    expect(await createGitProbe({ timeoutMs: 10_000, env }).state(d)).toMatchObject({ head: git(d, 'rev-parse', 'HEAD'), branch: 'main', clean: true });
  });

  it('names the commit of a tag, never of a branch of the same name; conflicts count as changes', async () => {
    const d = repo();
    writeFileSync(join(d, 'f'), 'base\n');
    git(d, 'add', 'f');
    git(d, 'commit', '-q', '-m', 'base');
    const base = git(d, 'rev-parse', 'HEAD');
    git(d, 'tag', 'v2');
    git(d, 'checkout', '-q', '-b', 'v2');
    writeFileSync(join(d, 'f'), 'branch\n');
    git(d, 'commit', '-q', '-am', 'on the branch named v2');
    expect(await createGitProbe({ timeoutMs: 10_000 }).tagCommit(d, 'v2')).toBe(base);
    git(d, 'checkout', '-q', 'main');
    writeFileSync(join(d, 'f'), 'main\n');
    git(d, 'commit', '-q', '-am', 'on main');
    try {
      git(d, 'merge', '-q', 'heads/v2');
    } catch {
      // the conflict is the point
    }
    expect(await createGitProbe({ timeoutMs: 10_000 }).state(d)).toMatchObject({ clean: false, dirtyFiles: ['f'] });
  });
});
