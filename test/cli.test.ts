// The CLI shell: help, unknown commands and flags, exit codes, no stack traces.
import { describe, expect, it } from 'vitest';
import { spawnCli, runCli } from './helpers/cli.js';
import { fileURLToPath } from 'node:url';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { makeTempDir } from './helpers/tmp.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const COMMANDS = ['init', 'lint', 'docs', 'trace', 'fmt', 'revise', 'checks', 'run', 'targets', 'render', 'keys', 'roles', 'sign', 'deviation', 'verify', 'audit', 'attest'];

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

  it('runs from the bundle through a per-command code cache; a damaged cache is refused and written again; a changed bundle gets its own', () => {
    const flags = ['--no-deprecation']; // its own cache key: the key includes the flags
    const dir = join(repo, 'dist/bundle/.cache');
    const bundle = join(repo, 'dist/bundle/qualify.cjs');
    const caches = () => (existsSync(dir) ? readdirSync(dir).filter((f) => /^checks-[0-9a-f]{16}\.bin$/.test(f)) : []);
    const checks = () => spawnSync(process.execPath, [...flags, join(repo, 'bin/qualify.js'), 'checks'], { cwd: repo, encoding: 'utf8' });
    const before = new Set(caches());
    const first = checks();
    expect(first.status).toBe(0);
    const made = caches().filter((f) => !before.has(f));
    expect(made).toHaveLength(1);
    const file = join(dir, made[0]!);
    const written = readFileSync(file);
    expect(checks().stdout).toBe(first.stdout);
    expect(readFileSync(file).equals(written)).toBe(true); // accepted as it is, not written again
    writeFileSync(file, Buffer.alloc(4096, 7));
    const damaged = checks();
    expect([damaged.status, damaged.stdout, damaged.stderr]).toEqual([0, first.stdout, '']);
    expect(readFileSync(file).length).toBeGreaterThan(4096);
    // The bundle's first line is the sha256 its build stamped; the key also holds its size and time, so
    // a bundle changed after the build (here: only its time) never runs from the cache of another.
    expect(readFileSync(bundle, 'latin1').slice(0, 100)).toMatch(/^\/\/ sha256 [0-9a-f]{64} of the lines below\n/);
    const { atime, mtime } = statSync(bundle);
    try {
      utimesSync(bundle, atime, new Date(mtime.getTime() + 60_000));
      const known = new Set(caches());
      expect(checks().stdout).toBe(first.stdout);
      expect(caches().filter((f) => !known.has(f))).toHaveLength(1);
    } finally {
      utimesSync(bundle, atime, mtime);
    }
  });
});
