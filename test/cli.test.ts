// The CLI shell: help, unknown commands and flags, exit codes, no stack traces.
import { describe, expect, it } from 'vitest';
import { spawnCli, runCli } from './helpers/cli.js';
import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from './helpers/tmp.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const COMMANDS = ['init', 'lint', 'docs', 'fmt', 'revise', 'checks', 'run', 'render', 'keys', 'sign', 'deviation', 'verify', 'audit', 'attest'];

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

  it('the built CLI runs the document commands of a scaffolded repository end to end', () => {
    const qms = makeTempDir('qualify-smoke-');
    const home = makeTempDir('qualify-smoke-home-');
    try {
      const run = (args: string[], input?: string) => spawnCli(args, { cwd: qms.dir, env: { QUALIFY_HOME: home.dir }, input });
      expect(run(['init', '.']).code).toBe(0);
      const lint = run(['lint']);
      expect([lint.code, lint.stderr]).toEqual([0, expect.stringContaining('0 errors')]);
      expect(run(['docs']).stdout).toContain('SOP-0101');
      expect(run(['fmt', '--check']).code).toBe(0);
      expect(run(['checks']).stdout).toContain('container.running');
      const doc = run(['render', 'sops/SOP-0101-docker-release-and-operations.md']);
      expect(doc.code).toBe(0);
      expect(readFileSync(join(qms.dir, 'sops/SOP-0101-docker-release-and-operations.pdf')).subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(run(['render', '--book', 'sops']).code).toBe(0);
      expect(existsSync(join(qms.dir, 'sops.pdf'))).toBe(true);
      const keys = run(['keys', 'create', '--as', 'ann', '--name', 'Ann Approver', '--email', 'ann@example.invalid', '--role', 'approver', '--passphrase-stdin'], 'ann passphrase long enough\n');
      expect([keys.code, keys.stderr]).toEqual([0, '']);
      const audit = run(['audit']);
      expect(audit.code).toBe(0);
      expect(audit.stdout).toContain('ann');
    } finally {
      qms.cleanup();
      home.cleanup();
    }
  });

  it('runs as a real process from the built bin', () => {
    const r = spawnCli(['--version'], { cwd: repo });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
