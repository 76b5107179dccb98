// The CLI shell: help, unknown commands and flags, exit codes, no stack traces.
import { describe, expect, it } from 'vitest';
import { spawnCli, runCli } from './helpers/cli.js';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const COMMANDS = ['init', 'lint', 'docs', 'checks', 'run', 'render', 'keys', 'sign', 'deviation', 'verify', 'audit', 'attest'];

describe('qualify CLI', () => {
  it('prints help listing every command', async () => {
    const r = await runCli(['--help'], { cwd: repo });
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c}\\s+\\S`, 'm'));
  });

  it.each(COMMANDS)('%s --help prints its usage', async (c) => {
    const r = await runCli([c, '--help'], { cwd: repo });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: qualify ${c}`));
  });

  it('rejects an unknown command and an unknown flag with exit 2 and no stack trace', async () => {
    const a = await runCli(['frobnicate'], { cwd: repo });
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('unknown command "frobnicate"');
    const b = await runCli(['lint', '--frob'], { cwd: repo });
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('unknown option "--frob"');
    expect(b.stderr).not.toMatch(/\n\s+at /);
  });

  it('runs as a real process from the built bin', () => {
    const r = spawnCli(['--version'], { cwd: repo });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
