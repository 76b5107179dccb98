// release.provenance — The running image was built from the released commit: the release tag's commit
// in the application repository equals the image's org.opencontainers.image.revision label.
//
// Example:
//   type: release.provenance
//   container: "{{service}}"
//   repo: "{{app_repo}}"
//   tag: "v{{release}}"
//
// Judges itself (no expect needed): the tag exists; the revision label equals its commit (an
// abbreviated label of 7+ hex digits matches its prefix); the running image has a registry digest;
// and, given `digest`, that digest is the approved one.
// Observes: repo, tag, commit, revision, version (label), digest, image, image_id.

import type { Assertion } from '../model/report.js';
import { defineCheck } from './define.js';
import { looseEquals } from './matchers.js';
import { readParams } from './params.js';
import { imageOf, jsonEvidence, repoPath, requireContainer, runningDigest } from './support.js';

const REVISION = 'org.opencontainers.image.revision';
const VERSION = 'org.opencontainers.image.version';

export const releaseProvenance = defineCheck({
  type: 'release.provenance',
  summary: "The running image was built from the release tag's commit (OCI revision label) and is pinned by digest.",
  scope: 'engine',
  params: {
    container: { kind: 'string', description: 'Container name', required: true },
    repo: { kind: 'string', description: 'Path of the application git repository (relative to the QMS repository root)', required: true },
    tag: { kind: 'string', description: 'Release tag in that repository, e.g. v1.4.2', required: true },
    digest: { kind: 'string', description: 'Approved image digest (repo@sha256:... or sha256:...), optional' },
  },
  implicitVerdict: true,
  expectKeys: ['repo', 'tag', 'commit', 'revision', 'version', 'digest', 'image', 'image_id'],
  example: ['type: release.provenance', 'container: "{{service}}"', 'repo: "{{app_repo}}"', 'tag: "v{{release}}"', ''].join('\n'),

  async observe(params, ctx) {
    const p = readParams('release.provenance', params);
    const name = p.string('container');
    const repo = repoPath(ctx, p.string('repo'));
    const tag = p.string('tag');
    const approved = p.optionalString('digest');
    const [{ container, snapshot }, commit] = await Promise.all([
      requireContainer(ctx, name),
      ctx.probes.git.tagCommit(repo, tag, { signal: ctx.signal }),
    ]);
    const image = await imageOf(ctx, snapshot, container);
    const labels = image?.labels ?? container.labels;
    const revision = labels[REVISION] ?? container.labels[REVISION] ?? null;
    const digest = runningDigest(container, image);

    const assertions: Assertion[] = [];
    assertions.push({
      path: 'commit', matcher: 'absent', expected: false, actual: commit, pass: commit !== null,
      ...(commit === null ? { message: `tag ${tag} does not exist in ${p.string('repo')}` } : {}),
    });
    let revisionPass = false;
    let revisionMessage: string | undefined;
    if (revision === null) revisionMessage = `image of container ${container.name} has no ${REVISION} label`;
    else if (commit === null) revisionMessage = `cannot compare: tag ${tag} does not exist`;
    else if (revision === commit) revisionPass = true;
    else if (/^[0-9a-f]{7,39}$/i.test(revision) && commit.startsWith(revision.toLowerCase())) {
      revisionPass = true;
      revisionMessage = `abbreviated revision ${revision} matches ${commit}`;
    } else revisionMessage = `image revision ${revision} is not the commit ${commit} of tag ${tag}`;
    assertions.push({ path: 'revision', matcher: 'equals', expected: commit, actual: revision, pass: revisionPass, ...(revisionMessage ? { message: revisionMessage } : {}) });
    assertions.push({
      path: 'digest', matcher: 'absent', expected: false, actual: digest, pass: digest !== null,
      ...(digest === null ? { message: `image ${container.image} of container ${container.name} has no registry digest: it was not pushed or pulled` } : {}),
    });
    if (approved !== undefined) {
      const pass = looseEquals(approved, digest);
      assertions.push({ path: 'digest', matcher: 'equals', expected: approved, actual: digest, pass, ...(pass ? {} : { message: `container runs ${digest ?? 'an image without digest'}, approved is ${approved}` }) });
    }
    const actual = { repo: p.string('repo'), tag, commit, revision, version: labels[VERSION] ?? null, digest, image: container.image, image_id: container.imageId };
    return {
      actual,
      assertions,
      evidence: [jsonEvidence('provenance', `release ${tag} in ${p.string('repo')} against container ${container.name}`, { ...actual, image_labels: labels })],
    };
  },
});
