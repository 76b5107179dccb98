// Report folders are atomic and runs never clobber each other: real processes killed with SIGKILL
// while writing, interrupted with SIGINT (Ctrl-C), and run side by side. No Docker needed: the
// protocols use host files and a local HTTP server. Needs the build (`npm run build`; `npm test` does it).

import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BIN } from '../helpers/cli.js';
import { makeTempDir, writeTree } from '../helpers/tmp.js';
import { checkReportFolder, reportFolders } from '../helpers/report-folder.js';
import { loadRepository } from '../../src/documents/index.js';
import { builtinChecks, createCheckRegistry } from '../../src/checks/index.js';
import { createProbes } from '../../src/probes/index.js';
import { runQualification } from '../../src/runner/qualify.js';

const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((c) => c()));

/** A QMS repository whose protocol QP-0200 has `n` file checks (two evidence files each) plus `extra`. */
function repoWithFileChecks(n: number, extra = '', parameters = '  dummy: { description: unused, default: x }'): string {
  const t = makeTempDir('qualify-atomic-');
  cleanups.push(t.cleanup);
  const checks = Array.from({ length: n }, (_, i) => `\`\`\`check\ntype: file\npath: data/file-${i % 10}.txt\nexpect:\n  exists: true\n  contains: line\n\`\`\`\n`).join('\n');
  const files: Record<string, string> = {
    'qualify.yaml': 'environments:\n  local: {}\ndefaults:\n  environment: local\n',
    'protocols/QP-0200-files.md': [
      '---',
      'document_id: QP-0200',
      'type: protocol',
      'title: Files',
      'revision: "01"',
      'status: effective',
      'approvers: [quinn]',
      'approval_date: 2020-01-01',
      'effective_date: 2020-01-02',
      `parameters:\n${parameters}`,
      '---',
      '',
      '### IQ-01 Files are in place',
      '',
      checks,
      extra,
    ].join('\n'),
  };
  for (let i = 0; i < 10; i++) files[`data/file-${i}.txt`] = `line ${i}\n`.repeat(200);
  writeTree(t.dir, files);
  return t.dir;
}

interface Spawned {
  child: ChildProcess;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  stderrSoFar: () => string;
}

function spawnRun(cwd: string, args: string[]): Spawned {
  const child = spawn(process.execPath, [BIN, 'run', ...args], { cwd, env: { ...process.env, NO_COLOR: '1', CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    // 'close' comes after the process ended and its output streams are drained.
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, exit, stderrSoFar: () => stderr };
}

describe('atomic report folders', () => {
  it('a run killed (SIGKILL) while writing leaves no report, only a hidden temporary folder the next run removes', async () => {
    const dir = repoWithFileChecks(150);
    const parent = join(dir, 'reports', 'QP-0200');
    const run = spawnRun(dir, ['protocols/QP-0200-files.md']);
    // Kill it the moment its temporary folder appears: the middle of writing.
    let killed = false;
    const deadline = Date.now() + 20_000;
    while (!killed && Date.now() < deadline) {
      if (existsSync(parent) && readdirSync(parent).some((n) => n.startsWith('.qualify-tmp-'))) {
        run.child.kill('SIGKILL');
        killed = true;
      } else await new Promise((r) => setTimeout(r, 2));
    }
    const result = await run.exit;
    expect(killed).toBe(true);
    expect(result.signal).toBe('SIGKILL');
    expect(reportFolders(parent)).toEqual([]);
    expect(readdirSync(parent).filter((n) => n.startsWith('.qualify-tmp-'))).toHaveLength(1);

    const again = await spawnRun(dir, ['protocols/QP-0200-files.md']).exit;
    expect(again.code).toBe(0);
    const folders = reportFolders(parent);
    expect(folders).toHaveLength(1);
    checkReportFolder(folders[0]!);
    expect(readdirSync(parent).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('runs killed at any moment leave either nothing or whole reports', async () => {
    const dir = repoWithFileChecks(60);
    const parent = join(dir, 'reports', 'QP-0200');
    // How long a whole run takes here, then kills spread over that time (and a bit beyond).
    // The fastest of two whole runs: a cold first run would spread the kills too late to hit anything.
    let whole = Infinity;
    for (let i = 0; i < 2; i++) {
      const t0 = Date.now();
      expect((await spawnRun(dir, ['protocols/QP-0200-files.md']).exit).code).toBe(0);
      whole = Math.min(whole, Date.now() - t0);
    }
    const results = [];
    for (let i = 0; i < 6; i++) {
      const r = spawnRun(dir, ['protocols/QP-0200-files.md']);
      const timer = setTimeout(() => r.child.kill('SIGKILL'), Math.round((whole * (i + 1)) / 6));
      results.push(await r.exit);
      clearTimeout(timer);
    }
    const killed = results.filter((r) => r.signal === 'SIGKILL').length;
    const completed = results.length - killed;
    const folders = reportFolders(parent);
    expect(killed).toBeGreaterThan(0);
    // A run killed after its rename (appending the audit trail, closing) has a whole report too.
    expect(folders.length).toBeGreaterThanOrEqual(2 + completed);
    expect(folders.length).toBeLessThanOrEqual(2 + results.length);
    for (const folder of folders) checkReportFolder(folder);
  });

  it('two runs at the same time write two whole reports', async () => {
    const dir = repoWithFileChecks(20);
    const [a, b] = await Promise.all([spawnRun(dir, ['protocols/QP-0200-files.md']).exit, spawnRun(dir, ['protocols/QP-0200-files.md']).exit]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const folders = reportFolders(join(dir, 'reports', 'QP-0200'));
    expect(folders).toHaveLength(2);
    const ids = folders.map((f) => checkReportFolder(f).reportId);
    expect(new Set(ids).size).toBe(2);
    expect(a.stdout).not.toBe(b.stdout);
  });

  it('two runs in the same second drawing the same id suffix never overwrite: the second takes another id', async () => {
    const dir = repoWithFileChecks(5);
    const repo = await loadRepository({ root: dir, catalog: { types: createCheckRegistry(builtinChecks) } });
    const protocol = repo.protocols[0]!;
    const at = new Date('2026-10-05T10:15:00.000Z');
    const checks = createCheckRegistry(builtinChecks);
    const drawn: string[] = [];
    const common = {
      protocol,
      protocolInfo: { documentId: 'QP-0200', title: 'Files', revision: '01', path: protocol.path, sha256: protocol.sha256, gitCommit: null, status: 'effective', approval: 'front-matter' as const },
      parameters: { dummy: 'x' },
      dryRun: false,
      executor: { id: 'erin', host: 'test' },
      environment: 'local',
      checks,
      repoRoot: dir,
      documents: async () => null,
      now: () => at,
      reportsDir: join(dir, 'reports'),
      // The first two draws collide; later ones differ.
      reportIdSuffix: () => {
        const s = drawn.length < 2 ? 'aaaa' : `b${drawn.length.toString(16).padStart(3, '0')}`;
        drawn.push(s);
        return s;
      },
    };
    const probesA = createProbes({ env: {} });
    const probesB = createProbes({ env: {} });
    try {
      const [a, b] = await Promise.all([runQualification({ ...common, probes: probesA }), runQualification({ ...common, probes: probesB })]);
      const ids = [a.report.reportId, b.report.reportId].sort();
      expect(ids[0]).toBe('QP-0200-20261005T101500Z-aaaa');
      expect(ids[1]).toMatch(/^QP-0200-20261005T101500Z-b[0-9a-f]{3}$/);
      for (const r of [a, b]) expect(checkReportFolder(r.path).reportId).toBe(r.report.reportId);
    } finally {
      probesA.close();
      probesB.close();
    }
  });
});

describe('interrupting a run (Ctrl-C)', () => {
  let server: Server | null = null;
  afterAll(() => server?.close());

  it('stops cleanly: steps not run are skipped, the record is written and marked incomplete, exit 1', async () => {
    const sockets = new Set<import('node:net').Socket>();
    server = createServer(() => undefined);
    server.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const extra = [
      '### OQ-01 The service answers',
      '',
      '```check\ntype: http.get\nurl: "{{url}}/health"\ntimeout: 30s\nexpect:\n  status: 200\n```',
      '',
      '```check\ntype: http.get\nurl: "{{url}}/version"\ntimeout: 30s\ndepends_on: [OQ-01.1]\nexpect:\n  status: 200\n```',
    ].join('\n');
    const dir = repoWithFileChecks(3, extra, '  url: { description: base url }');
    const run = spawnRun(dir, ['protocols/QP-0200-files.md', '--param', `url=http://127.0.0.1:${port}`]);
    const deadline = Date.now() + 15_000;
    while (!run.stderrSoFar().includes('IQ-01.3') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const t0 = Date.now();
    run.child.kill('SIGINT');
    const result = await run.exit;
    for (const s of sockets) s.destroy();
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('interrupted');
    const folders = reportFolders(join(dir, 'reports', 'QP-0200'));
    expect(folders).toHaveLength(1);
    const report = checkReportFolder(folders[0]!);
    expect(report.incomplete).toBe(true);
    expect(report.conclusion).toBe('fail');
    const steps = new Map(report.cases.flatMap((c) => c.steps.map((s) => [s.id, s] as const)));
    expect(steps.get('IQ-01.1')!.status).toBe('pass');
    expect(steps.get('OQ-01.1')).toMatchObject({ status: 'skipped', reason: 'run interrupted' });
    expect(steps.get('OQ-01.2')).toMatchObject({ status: 'skipped', reason: 'run interrupted' });
    expect(report.warnings.some((w) => w.startsWith('Run interrupted'))).toBe(true);
  });
});

describe('a 1 MiB single-token body (issue 9 item 10)', () => {
  let server: Server | null = null;
  afterAll(() => server?.close());

  it('is masked in linear time, capped in the evidence, and Ctrl-C still stops the run', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const token = 'a'.repeat(1024 * 1024 + 4096);
    server = createServer((req, res) => {
      if (req.url === '/big') {
        res.setHeader('content-type', 'text/plain');
        res.end(token);
      }
      // anything else hangs
    });
    server.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const extra = [
      '### OQ-01 One huge token',
      '',
      '```check\ntype: http.get\nurl: "{{url}}/big"\nexpect:\n  status: 200\n```',
      '',
      '### OQ-02 A service that hangs',
      '',
      '```check\ntype: http.get\nurl: "{{url}}/hang"\ntimeout: 60s\nexpect:\n  status: 200\n```',
    ].join('\n');
    const dir = repoWithFileChecks(1, extra, '  url: { description: base url }');
    const run = spawnRun(dir, ['protocols/QP-0200-files.md', '--param', `url=http://127.0.0.1:${port}`, '--no-pdf']);
    const deadline = Date.now() + 30_000;
    while (!run.stderrSoFar().includes('OQ-01 One huge token') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(run.stderrSoFar()).toContain('✓ OQ-01 One huge token');
    const t0 = Date.now();
    run.child.kill('SIGINT');
    const result = await run.exit;
    for (const s of sockets) s.destroy();
    // Generous: the quadratic masking never finished 1 MiB in 10 minutes.
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(result.code).toBe(1);
    const [folder] = reportFolders(join(dir, 'reports', 'QP-0200'));
    const report = checkReportFolder(folder!);
    expect(report.incomplete).toBe(true);
    const big = report.cases[1]!.steps[0]!;
    expect(big.status).toBe('pass');
    const evidence = big.evidence[0]!;
    expect(evidence.bytes).toBeLessThan(1024 * 1024 + 200);
    expect(evidence.description).toMatch(/\(cut at \d+ of \d+ bytes: evidence cap 1048576 bytes\)$/);
  }, 90_000);
});
