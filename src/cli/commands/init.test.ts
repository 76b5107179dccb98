import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { makeReportId } from '../../report/record.js';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../../test/helpers/cli.js';
import { makeTempDir } from '../../../test/helpers/tmp.js';
import { INIT_TEMPLATES_DIR, readScaffold, scaffold } from './init.js';
import { formatDocument } from '../../markdown/format.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const EXPECTED_FILES = [
  '.gitignore',
  'protocols/QP-0001-deployment-qualification.md',
  'qualify.yaml',
  'reports/.gitkeep',
  'requirements/URS-0001-deployment-user-requirements.md',
  'sops/SOP-0101-docker-release-and-operations.md',
  'sops/SOP-0102-qualification-of-deployments.md',
  'sops/SOP-0103-electronic-records-and-signatures.md',
  'templates/.gitkeep',
];

/** Every file under `dir`, relative, sorted. */
function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listFiles(full, `${prefix}${name}/`));
    else out.push(`${prefix}${name}`);
  }
  return out.sort();
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});
function tempDir(): string {
  const t = makeTempDir('qualify-init-');
  cleanups.push(t.cleanup);
  return t.dir;
}

describe('qualify init', () => {
  it('scaffolds a QMS repository into a new folder and prints next steps', async () => {
    const cwd = tempDir();
    const r = await runCli(['init', 'qms'], { cwd });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const root = join(cwd, 'qms');
    expect(listFiles(root)).toEqual(EXPECTED_FILES);
    // Content comes from the package's templates, dot-file names restored.
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toBe(readFileSync(join(INIT_TEMPLATES_DIR, 'gitignore'), 'utf8'));
    expect(readFileSync(join(root, 'qualify.yaml'), 'utf8')).toContain('reportsDir: reports');
    const protocol = readFileSync(join(root, 'protocols/QP-0001-deployment-qualification.md'), 'utf8');
    expect(protocol).toMatch(/^---\ndocument_id: QP-0001\n/);
    expect(protocol).toContain('\nstatus: draft\n');
    expect(r.stdout).toContain('created   protocols/QP-0001-deployment-qualification.md');
    expect(r.stdout).toContain('Next steps:');
    expect(r.stdout).toContain('cd qms');
    expect(r.stdout).toContain('--dry-run');
  });

  it('scaffolds documents that qualify fmt --check accepts as they are', async () => {
    const cwd = tempDir();
    expect((await runCli(['init', 'qms'], { cwd })).code).toBe(0);
    const r = await runCli(['fmt', '--check'], { cwd: join(cwd, 'qms') });
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
  });

  it('scaffolds a .gitignore that keeps dry runs out of git and real reports in', async () => {
    const cwd = tempDir();
    expect((await runCli(['init', 'qms'], { cwd })).code).toBe(0);
    const root = join(cwd, 'qms');
    execFileSync('git', ['init', '-q'], { cwd: root });
    const dry = makeReportId('QP-0001', new Date('2026-10-08T09:00:00Z'), { dryRun: true, suffix: 'a1b2' });
    const real = makeReportId('QP-0001', new Date('2026-10-08T09:00:00Z'), { suffix: 'a1b2' });
    for (const id of [dry, real]) {
      mkdirSync(join(root, 'reports/QP-0001', id), { recursive: true });
      writeFileSync(join(root, 'reports/QP-0001', id, 'report.json'), '{}\n');
    }
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: root, encoding: 'utf8' });
    expect(status).toContain(`reports/QP-0001/${real}/report.json`);
    expect(status).not.toContain('DRYRUN');
    expect(execFileSync('git', ['check-ignore', `reports/QP-0001/${dry}/report.json`], { cwd: root, encoding: 'utf8' }).trim()).toBe(`reports/QP-0001/${dry}/report.json`);
  });

  it('scaffolds documents that lint clean and are listed as drafts', async () => {
    const cwd = tempDir();
    expect((await runCli(['init'], { cwd })).code).toBe(0);
    const lint = await runCli(['lint'], { cwd });
    expect(lint.stdout + lint.stderr).toContain('0 errors, 0 warnings');
    expect(lint.code).toBe(0);
    const docs = await runCli(['docs', '--json'], { cwd });
    expect(docs.code).toBe(0);
    const list = JSON.parse(docs.stdout) as Array<{ documentId: string; computedStatus: string }>;
    expect(list.map((d) => `${d.documentId} ${d.computedStatus}`)).toEqual(['QP-0001 draft', 'SOP-0101 draft', 'SOP-0102 draft', 'SOP-0103 draft', 'URS-0001 draft']);
  });

  it('scaffolds into the current folder by default and leaves unrelated files alone', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'README.md'), 'our QMS\n');
    mkdirSync(join(cwd, 'reports', 'QP-0001'), { recursive: true });
    writeFileSync(join(cwd, 'reports', 'QP-0001', 'keep.txt'), 'x');
    const r = await runCli(['init'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('in the current folder');
    expect(r.stdout).not.toContain('cd ');
    expect(readFileSync(join(cwd, 'README.md'), 'utf8')).toBe('our QMS\n');
    // reports/ already has content: no .gitkeep is added there.
    expect(existsSync(join(cwd, 'reports', '.gitkeep'))).toBe(false);
    expect(existsSync(join(cwd, 'templates', '.gitkeep'))).toBe(true);
    expect(existsSync(join(cwd, 'qualify.yaml'))).toBe(true);
  });

  it('refuses a second run, naming the existing files, and writes nothing', async () => {
    const cwd = tempDir();
    expect((await runCli(['init', 'qms'], { cwd })).code).toBe(0);
    const config = join(cwd, 'qms', 'qualify.yaml');
    writeFileSync(config, 'edited: true\n');
    const sop = join(cwd, 'qms', 'sops', 'SOP-0101-docker-release-and-operations.md');
    const sopBefore = readFileSync(sop, 'utf8');
    const r = await runCli(['init', 'qms'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('INIT_WOULD_OVERWRITE');
    expect(r.stderr).toContain('qualify.yaml');
    expect(r.stderr).toContain('sops/SOP-0101-docker-release-and-operations.md');
    expect(r.stderr).toContain('--force');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(readFileSync(config, 'utf8')).toBe('edited: true\n');
    expect(readFileSync(sop, 'utf8')).toBe(sopBefore);
  });

  it('refuses when only one scaffold file exists', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'qualify.yaml'), 'environments: {}\n');
    const r = await runCli(['init'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('already has qualify.yaml;');
    expect(existsSync(join(cwd, 'sops'))).toBe(false);
  });

  it('overwrites with --force and says so', async () => {
    const cwd = tempDir();
    expect((await runCli(['init', 'qms'], { cwd })).code).toBe(0);
    const config = join(cwd, 'qms', 'qualify.yaml');
    writeFileSync(config, 'edited: true\n');
    const r = await runCli(['init', 'qms', '--force'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('overwrote qualify.yaml');
    expect(readFileSync(config, 'utf8')).toBe(readFileSync(join(INIT_TEMPLATES_DIR, 'qualify.yaml'), 'utf8'));
    expect(listFiles(join(cwd, 'qms'))).toEqual(EXPECTED_FILES); // no temporary files left behind
  });

  it('rejects a target that is a file, a file where a folder is needed, and extra arguments', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'plain'), 'x');
    let r = await runCli(['init', 'plain'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('INIT_TARGET_NOT_A_FOLDER');

    mkdirSync(join(cwd, 'qms'));
    writeFileSync(join(cwd, 'qms', 'sops'), 'not a folder');
    r = await runCli(['init', 'qms', '--force'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('INIT_PATH_BLOCKED');
    expect(r.stderr).toContain('sops');
    expect(existsSync(join(cwd, 'qms', 'qualify.yaml'))).toBe(false);

    r = await runCli(['init', 'a', 'b'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('at most one folder');
  });

  it('shows help', async () => {
    const r = await runCli(['init', '--help'], { cwd: tempDir() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: qualify init [dir]');
    expect(r.stdout).toContain('--force');
  });

  it('reports missing templates as an internal error of the installation', async () => {
    const cwd = tempDir();
    await expect(scaffold(cwd, { templatesDir: join(cwd, 'nowhere') })).rejects.toMatchObject({ code: 'INIT_TEMPLATES_MISSING' });
  });
});

/**
 * The scaffold's documents are the shipped examples turned into drafts for a new company: same body,
 * front matter without approval, a fresh revision history. Set QUALIFY_UPDATE_GOLDENS=1 to refresh
 * templates/init/ from sops/ and protocols/ after editing the examples.
 */
function draftOf(shipped: string): string {
  const end = shipped.indexOf('\n---\n', 4);
  const front = shipped.slice(4, end).split('\n');
  let body = shipped.slice(end + 5);
  const lines: string[] = [];
  for (const line of front) {
    if (line.startsWith('revision:')) lines.push('revision: "01"');
    else if (line.startsWith('status:')) lines.push('status: draft');
    else if (line.startsWith('approval_date:') || line.startsWith('effective_date:')) continue;
    else if (line.startsWith('change_control:')) lines.push('# change_control: the change record under which this revision is approved, e.g. CC-2027-001');
    else if (line.startsWith('authors:')) {
      lines.push('# Replace the example signer ids (avery, riley, quinn) with the ids of your people in signers.yaml.');
      lines.push(line);
    } else lines.push(line);
  }
  const m = /\n## (\d+)\. Revision history\n/.exec(body);
  if (!m) throw new Error('shipped document has no "## N. Revision history" section');
  body = `${body.slice(0, m.index)}
## ${m[1]}. Revision history

| Revision | Effective date | Author | Change | Change control |
|---|---|---|---|---|
| 01 | | | First issue, adapted from the qualify example | |
`;
  return `---\n${lines.join('\n')}\n---\n${body}`;
}

describe('init templates', () => {
  it('are the shipped example documents as drafts, and qualify.yaml as shipped', async () => {
    const scaffoldFiles = await readScaffold();
    const docs = scaffoldFiles.filter((f) => f.path.endsWith('.md'));
    expect(docs.map((d) => d.path)).toEqual([
      'protocols/QP-0001-deployment-qualification.md',
      'requirements/URS-0001-deployment-user-requirements.md',
      'sops/SOP-0101-docker-release-and-operations.md',
      'sops/SOP-0102-qualification-of-deployments.md',
      'sops/SOP-0103-electronic-records-and-signatures.md',
    ]);
    for (const doc of docs) {
      // Formatted as `qualify fmt` writes drafts: a fresh scaffold passes `qualify fmt --check`.
      const expected = formatDocument(draftOf(readFileSync(join(REPO_ROOT, doc.path), 'utf8')), doc.path).text;
      if (process.env.QUALIFY_UPDATE_GOLDENS === '1') writeFileSync(join(INIT_TEMPLATES_DIR, doc.path), expected);
      else expect(doc.content.toString('utf8'), `templates/init/${doc.path} is out of date with ${doc.path}; run with QUALIFY_UPDATE_GOLDENS=1`).toBe(expected);
    }
    const config = scaffoldFiles.find((f) => f.path === 'qualify.yaml')!;
    expect(config.content.toString('utf8')).toBe(readFileSync(join(REPO_ROOT, 'qualify.yaml'), 'utf8'));
  });
});
