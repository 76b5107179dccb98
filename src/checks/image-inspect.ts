// image.inspect — An image in the engine carries the approved labels, digests and user.
//
// Example:
//   type: image.inspect
//   image: "{{image}}"
//   expect:
//     labels:
//       org.opencontainers.image.version: "{{release}}"
//     user: { absent: false }
//
// Observes: image_id, digests (repo digests), tags, labels, user (null when unset), created,
// architecture, os, size. An image the engine does not have is an error (IMAGE_NOT_FOUND).

import { EnvironmentError } from '../model/errors.js';
import { defineCheck } from './define.js';
import { readParams } from './params.js';
import { jsonEvidence } from './support.js';

export const imageInspect = defineCheck({
  type: 'image.inspect',
  summary: 'An image in the engine carries the approved OCI labels, digests and user.',
  scope: 'engine',
  params: {
    image: { kind: 'string', description: 'Image reference (repo:tag or repo@sha256:...) or image id', required: true },
  },
  expectKeys: ['image_id', 'digests', 'tags', 'labels', 'user', 'created', 'architecture', 'os', 'size'],
  example: [
    'type: image.inspect',
    'image: "{{image}}"',
    'expect:',
    '  labels:',
    '    org.opencontainers.image.version: "{{release}}"',
    '',
  ].join('\n'),

  async observe(params, ctx) {
    const ref = readParams('image.inspect', params).string('image');
    const image = await ctx.probes.docker.image(ref, { signal: ctx.signal });
    if (!image) {
      throw new EnvironmentError('IMAGE_NOT_FOUND', `the Docker engine at ${ctx.probes.docker.endpoint} has no image "${ref}"; pull or load it first`);
    }
    return {
      actual: {
        image_id: image.id,
        digests: image.repoDigests,
        tags: image.repoTags,
        labels: image.labels,
        user: image.user,
        created: image.created,
        architecture: image.architecture,
        os: image.os,
        size: image.size,
      },
      evidence: [jsonEvidence('image', `docker image inspect of ${ref}`, image.inspect)],
    };
  },
});
