// git.state — An application repository is at the released commit and tag, with a clean tree.
//
// Example:
//   type: git.state
//   repo: "{{app_repo}}"
//   expect:
//     clean: true
//     tag: "v{{release}}"
//
// Observes: commit (HEAD), branch (null when detached), clean, tag (the highest tag at HEAD, or null),
// tags (all tags at HEAD), dirty_files.

import { defineCheck } from './define.js';
import { readParams } from './params.js';
import { jsonEvidence, repoPath } from './support.js';

export const gitState = defineCheck({
  type: 'git.state',
  summary: 'A git repository is at the expected commit and tag, on the expected branch, with a clean tree.',
  params: {
    repo: { kind: 'string', description: 'Path of the git repository (relative to the QMS repository root)', required: true },
  },
  expectKeys: ['commit', 'branch', 'clean', 'tag', 'tags', 'dirty_files'],
  defaultExpect: { clean: true },
  example: ['type: git.state', 'repo: "{{app_repo}}"', 'expect:', '  clean: true', '  tag: "v{{release}}"', ''].join('\n'),

  async observe(params, ctx) {
    const given = readParams('git.state', params).string('repo');
    const state = await ctx.probes.git.state(repoPath(ctx, given), { signal: ctx.signal });
    const tags = state.tagsAtHead;
    const highest = [...tags].sort((a, b) => b.localeCompare(a, 'en', { numeric: true }))[0] ?? null;
    const actual = { commit: state.head, branch: state.branch, clean: state.clean, tag: highest, tags, dirty_files: state.dirtyFiles };
    return { actual, evidence: [jsonEvidence('git-state', `git state of ${given}`, actual)] };
  },
});
