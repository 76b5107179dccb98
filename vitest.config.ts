import { defineConfig } from 'vitest/config';

// The tests that start extra Docker engines, sshd, a Swarm and a Compose project, or drive a browser, run
// last and one file at a time: on a 2-core machine, beside the rest of the suite, an ssh connection to an
// extra engine took over 10 s and a Swarm update over 40 s. Every other file runs in parallel first.
const ALONE = ['test/e2e/fleet.test.ts', 'test/e2e/remote-engines.test.ts', 'test/site/browser.test.ts'];
const ALL = ['src/**/*.test.ts', 'test/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', './test/helpers/count-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'parallel', include: ALL, exclude: ALONE, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'alone', include: ALONE, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
