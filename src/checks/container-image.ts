// container.image — A running container uses exactly the approved image, identified by digest.
//
// Example:
//   type: container.image
//   container: "{{service}}"
//   expect:
//     digest: "{{image}}"
//
// Observes: image (reference as configured), repository, tag, digest (repo@sha256:... the container
// runs: the digest pinned in its reference, else the repo digest of its repository), digests (every
// repo digest of the image), image_id. An approved bare `sha256:...` equals `repo@sha256:...` with
// the same digest; to accept any repository naming the digest use `digests: { contains: ... }`.

import { defineCheck } from './define.js';
import { readParams } from './params.js';
import { imageOf, jsonEvidence, parseImageRef, requireContainer, runningDigest } from './support.js';

export const containerImage = defineCheck({
  type: 'container.image',
  summary: 'A container runs exactly the approved image: digest, image id, repository and tag.',
  scope: 'engine',
  params: {
    container: { kind: 'string', description: 'Container name', required: true },
  },
  expectKeys: ['image', 'repository', 'tag', 'digest', 'digests', 'image_id'],
  example: ['type: container.image', 'container: "{{service}}"', 'expect:', '  digest: "{{image}}"', ''].join('\n'),

  async observe(params, ctx) {
    const name = readParams('container.image', params).string('container');
    const { container, snapshot } = await requireContainer(ctx, name);
    const image = await imageOf(ctx, snapshot, container);
    const ref = parseImageRef(container.image);
    const actual = {
      image: container.image,
      repository: ref.repository,
      tag: ref.tag,
      digest: runningDigest(container, image),
      digests: image?.repoDigests ?? [],
      image_id: container.imageId,
    };
    const evidence = [jsonEvidence(`inspect-${container.name}`, `docker inspect of container ${container.name}`, container.inspect)];
    if (image) evidence.push(jsonEvidence('image', `docker image inspect of ${container.imageId}`, image.inspect));
    return { actual, evidence };
  },
});
