// Issue 9 item 11: a command whose standard output is closed early (`qualify audit | head`,
// `qualify docs | head`) ends quietly: no Node "Error: write EPIPE" stack trace, its own exit code.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { BIN } from './helpers/cli.js';
import { makeGitRepo, makeTempDir } from './helpers/tmp.js';

const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((c) => c()));

/** Runs the built CLI with its stdout read end closed: `head -0` at once, or after the first chunk (`head -1`). */
function runClosedPipe(args: string[], cwd: string, readFirst: boolean): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    if (readFirst) child.stdout.once('data', () => child.stdout.destroy());
    else child.stdout.destroy();
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

function bigRepo(): string {
  const t = makeTempDir('qualify-pipe-');
  cleanups.push(t.cleanup);
  const files: Record<string, string> = { 'qualify.yaml': 'environments: {}\n' };
  for (let i = 1; i <= 300; i++) {
    const id = `SOP-${String(i).padStart(4, '0')}`;
    files[`sops/${id}-procedure.md`] = `---\ndocument_id: ${id}\ntitle: Procedure number ${i} with a long enough title to fill the pipe\ntype: sop\nrevision: "01"\nstatus: draft\n---\n# Purpose\n\nText.\n`;
  }
  makeGitRepo(t.dir, files);
  return t.dir;
}

describe('a closed standard output (qualify ... | head)', () => {
  const repo = bigRepo();
  it.each([
    [['docs'], false], [['docs'], true], [['docs', '--json'], true],
    [['audit'], false], [['lint'], false], [['checks'], true], [['--help'], false],
  ] as Array<[string[], boolean]>)('qualify %j (after the first chunk: %s) exits quietly', async (args, readFirst) => {
    const r = await runClosedPipe(args, repo, readFirst);
    expect(r.stderr).not.toMatch(/EPIPE|Error:|\n\s+at /);
    expect(r.code).toBe(0);
  });
});
