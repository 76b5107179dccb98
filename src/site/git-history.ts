// The revision history of controlled documents from git (who, when, which revision and change control),
// read with one `git log` for all of them, and the commit the site was built from.
import { simpleGit, type SimpleGit } from 'simple-git';
import { EnvironmentError } from '../model/errors.js';
import type { HistoryEntry } from './model.js';

const RS = '\u001e';
const US = '\u001f';

/**
 * git for the repository at `root`; null when it is not the root of a git repository (or git is absent).
 * The environment is a short list on purpose: simple-git refuses to run with variables such as EDITOR set,
 * which most users have.
 */
async function gitOf(root: string): Promise<SimpleGit | null> {
  const env: Record<string, string> = { LC_ALL: 'C', GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0' };
  for (const k of ['PATH', 'HOME', 'SYSTEMROOT', 'TMPDIR', 'XDG_CONFIG_HOME']) if (process.env[k] !== undefined) env[k] = process.env[k]!;
  const git = simpleGit({ baseDir: root, maxConcurrentProcesses: 2, timeout: { block: 60_000 } }).env(env);
  try {
    await git.revparse(['--show-toplevel']);
  } catch (err) {
    const message = (err as Error).message ?? '';
    if (/not a git repository|ENOENT|spawn git/i.test(message)) return null;
    throw new EnvironmentError('GIT_FAILED', `git in ${root} failed: ${message.trim()}`, { cause: err });
  }
  return git;
}

/** HEAD and the number of uncommitted changes; nulls when the folder is not a git repository. */
export async function repositoryState(root: string): Promise<{ commit: string | null; uncommitted: number | null }> {
  const git = await gitOf(root);
  if (!git) return { commit: null, uncommitted: null };
  try {
    const commit = (await git.revparse(['HEAD'])).trim() || null;
    const status = await git.raw(['status', '--porcelain', '--untracked-files=normal', '--', '.']);
    return { commit, uncommitted: status.split('\n').filter(Boolean).length };
  } catch {
    return { commit: null, uncommitted: null };
  }
}

const unquote = (v: string): string => v.trim().replace(/^(["'])(.*)\1$/, '$2');

/**
 * Per document path (relative, forward slashes): the commits that touched it, newest first. `frontMatterLines`
 * bounds where `revision:` and `change_control:` lines are looked for in each commit's diff.
 */
export async function documentHistory(root: string, paths: string[], frontMatterLines: Map<string, number>): Promise<Map<string, HistoryEntry[]>> {
  const out = new Map<string, HistoryEntry[]>();
  const git = await gitOf(root);
  if (!git || paths.length === 0) return out;
  const wanted = new Set(paths);
  const folders = [...new Set(paths.map((p) => (p.includes('/') ? p.slice(0, p.indexOf('/')) : p)))];
  let text: string;
  try {
    // Oldest first, so a field's value is carried forward through commits that did not change it.
    text = await git.raw(['-c', 'core.quotePath=false', 'log', '--relative', '--reverse', '--no-renames', '--no-color', '-U0', '-p', `--format=${RS}%H${US}%an${US}%ae${US}%aI${US}%s`, '--', ...folders]);
  } catch {
    return out;
  }
  const current = new Map<string, { revision: string | null; changeControl: string | null }>();
  for (const chunk of text.split(RS)) {
    if (!chunk.trim()) continue;
    const nl = chunk.indexOf('\n');
    const [commit, author, email, date, subject] = (nl === -1 ? chunk : chunk.slice(0, nl)).split(US) as [string, string, string, string, string];
    const body = nl === -1 ? '' : chunk.slice(nl + 1);
    for (const [path, fields] of diffFields(body, frontMatterLines)) {
      if (!wanted.has(path)) continue;
      const state = { ...(current.get(path) ?? { revision: null, changeControl: null }), ...fields };
      current.set(path, state);
      const list = out.get(path) ?? [];
      list.push({ commit, author, email, date: new Date(date).toISOString().replace(/\.\d{3}Z$/, 'Z'), subject, revision: state.revision, changeControl: state.changeControl });
      out.set(path, list);
    }
  }
  for (const list of out.values()) list.reverse();
  return out;
}

/** Files of one commit's diff, with the `revision`/`change_control` values its added front-matter lines set. */
function diffFields(body: string, frontMatterLines: Map<string, number>): Map<string, { revision?: string | null; changeControl?: string | null }> {
  const files = new Map<string, { revision?: string | null; changeControl?: string | null }>();
  let file: string | null = null;
  let line = 0;
  // File headers (---/+++) only between "diff --git" and the first hunk: a removed line may start with "--".
  let header = false;
  for (const raw of body.split('\n')) {
    if (raw.startsWith('diff --git ')) {
      file = null;
      header = true;
      continue;
    }
    if (header && raw.startsWith('+++ ')) {
      const name = raw.slice(4);
      file = name === '/dev/null' ? null : name.replace(/^b\//, '');
      if (file) files.set(file, files.get(file) ?? {});
      continue;
    }
    if (header && raw.startsWith('--- ')) {
      // A deletion still touched the file: the path is in the `--- a/` line.
      const name = raw.slice(4);
      if (name !== '/dev/null') files.set(name.replace(/^a\//, ''), files.get(name.replace(/^a\//, '')) ?? {});
      continue;
    }
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(raw);
    if (hunk) {
      header = false;
      line = Number(hunk[1]);
      continue;
    }
    if (!file || !raw.startsWith('+')) continue;
    const limit = frontMatterLines.get(file) ?? 40;
    if (line <= limit) {
      const m = /^\+(revision|change_control):(.*)$/.exec(raw);
      if (m) files.get(file)![m[1] === 'revision' ? 'revision' : 'changeControl'] = unquote(m[2]!) || null;
    }
    line++;
  }
  return files;
}
