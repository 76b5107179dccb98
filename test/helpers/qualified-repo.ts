// A QMS repository as a team has it after two deployments: the shipped SOPs and protocol approved by
// signature, three enrolled signers, and two real runs of QP-0001 against a container of the example image
// (built, pushed to the local registry for a real digest, deployed by digest). The first run passes; in the
// second the executor records a manual observation as failed, QA dispositions the deviation. Both records
// are signed executed → reviewed → approved through the CLI.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './cli.js';
import { enrolTeam } from './enrol.js';
import { buildExampleImage, freePort, pushImage, registryRepo, removeContainer, removeImage, startContainer, uniqueName, waitHealthy } from './docker.js';
import { git, makeGitRepo, makeTempDir, writeTree } from './tmp.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface QualifiedRepo {
  root: string;
  env: Record<string, string>;
  /** Report folders relative to root: [passed, with a dispositioned deviation]. */
  reports: string[];
  /** The image digest both runs qualified (`repo@sha256:...`). */
  image: string;
  cleanup(): Promise<void>;
}

export const PASSPHRASE = (id: string) => `${id} site passphrase`;

export async function qualifiedRepo(): Promise<QualifiedRepo> {
  const app = makeTempDir('qualify-site-app-');
  const qms = makeTempDir('qualify-site-qms-');
  const home = makeTempDir('qualify-site-home-');
  const env = { QUALIFY_HOME: home.dir };
  const container = uniqueName('qualify-site');
  const tag = `${registryRepo('qualify-site')}:1.4.2`;
  const cleanup = async () => {
    await removeContainer(container);
    await removeImage(tag);
    for (const t of [app, qms, home]) t.cleanup();
  };
  try {
    git(app.dir, 'init', '-q', '-b', 'main');
    writeTree(app.dir, { VERSION: '1.4.2\n' });
    git(app.dir, 'add', '-A');
    git(app.dir, 'commit', '-q', '-m', 'Release 1.4.2');
    git(app.dir, 'tag', '-a', 'v1.4.2', '-m', '1.4.2');
    await buildExampleImage({ tag, version: '1.4.2', revision: git(app.dir, 'rev-parse', 'HEAD') });
    const image = await pushImage(tag);
    const port = await freePort();
    await startContainer({ name: container, image, port });
    await waitHealthy(container);

    const shipped = (folder: string) => Object.fromEntries(readdirSync(join(ROOT, folder)).map((f) => [`${folder}/${f}`, readFileSync(join(ROOT, folder, f), 'utf8')]));
    const qualifyYaml = readFileSync(join(ROOT, 'qualify.yaml'), 'utf8');
    makeGitRepo(qms.dir, { 'qualify.yaml': qualifyYaml, ...shipped('protocols'), ...shipped('sops') });
    const cli = async (args: string[], stdin?: string, now?: Date) => {
      const r = await runCli(args, { cwd: qms.dir, env, stdin, now });
      if (r.code !== 0 && args[0] !== 'run') throw new Error(`qualify ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
      return r;
    };
    // quinn (also admin) bootstraps; erin and rita request their keys, quinn issues them; all acknowledge.
    const team = [['quinn', 'Quinn Approver', ['approver', 'qa', 'admin']], ['erin', 'Erin Engineer', ['executor']], ['rita', 'Rita Reviewer', ['reviewer']]] as const;
    const [admin, ...others] = team.map(([id, name, roles]) => ({ id, name, roles: [...roles], passphrase: PASSPHRASE(id) }));
    await enrolTeam((args, stdin) => cli(args, stdin), others, { admin });
    await cli(['keys', 'acknowledge', '--as', 'quinn', '--passphrase-stdin'], `${PASSPHRASE('quinn')}\n`);
    for (const file of [...Object.keys(shipped('protocols')), ...Object.keys(shipped('sops'))].filter((f) => f.endsWith('.md'))) {
      await cli(['sign', file, '--as', 'quinn', '--meaning', 'approved', '--passphrase-stdin'], `${PASSPHRASE('quinn')}\n`);
    }
    git(qms.dir, 'add', '-A');
    git(qms.dir, 'commit', '-q', '-m', 'Signers enrolled; SOPs and QP-0001 approved (CC-2026-031)');

    const protocol = Object.keys(shipped('protocols')).find((f) => /QP-0001.*\.md$/.test(f))!;
    const reports: string[] = [];
    for (const answer of ['pass: CR-2026-0142 approved, names release 1.4.2 and the image; release notes reviewed', 'fail: CR-2026-0150 approved, but the release notes were reviewed after the deployment']) {
      writeTree(qms.dir, { 'answers.yaml': `OQ-03:\n  answer: "${answer}"\n` });
      const before = new Set(safeList(join(qms.dir, 'reports/QP-0001')));
      const run = await cli(['run', protocol, '--as', 'erin', '--passphrase-stdin', '--param', `service=${container}`, '--param', 'release=1.4.2', '--param', `image=${image}`,
        '--param', `url=http://127.0.0.1:${port}`, '--param', `repo=${app.dir}`, '--answers', join(qms.dir, 'answers.yaml')], `${PASSPHRASE('erin')}\n`);
      const created = safeList(join(qms.dir, 'reports/QP-0001')).filter((d) => !before.has(d));
      if (created.length !== 1) throw new Error(`qualify run wrote ${created.length} report(s) (exit ${run.code}): ${run.stderr}`);
      reports.push(`reports/QP-0001/${created[0]}`);
    }
    const report = (i: number) => JSON.parse(readFileSync(join(qms.dir, reports[i]!, 'report.json'), 'utf8')) as { ended: string; deviations: Array<{ id: string }> };
    for (let i = 0; i < reports.length; i++) {
      const later = (s: number) => new Date(Date.parse(report(i).ended) + s * 1000);
      const sign = (who: string, meaning: string, s: number, comment: string) => cli(['sign', reports[i]!, '--as', who, '--meaning', meaning, '--comment', comment, '--passphrase-stdin'], `${PASSPHRASE(who)}\n`, later(s));
      await sign('erin', 'executed', 1, 'Executed right after the deployment of release 1.4.2');
      await sign('rita', 'reviewed', 2, 'Steps, evidence and subject reviewed');
      for (const d of report(i).deviations) {
        await cli(['deviation', 'close', reports[i]!, d.id, '--disposition', 'Release notes reviewed after the fact by the System Owner; no impact on the deployed image. CAPA-2026-07 opened.', '--as', 'quinn', '--passphrase-stdin'], `${PASSPHRASE('quinn')}\n`, later(3));
      }
      await sign('quinn', 'approved', 4, 'Deployment qualified for GxP use');
    }
    return { root: qms.dir, env, reports, image, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir).filter((d) => !d.startsWith('.'));
  } catch {
    return [];
  }
}
