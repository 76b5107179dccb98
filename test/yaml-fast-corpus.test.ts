// The fast YAML reader against `yaml` on every real document we have: the front matter and the check,
// case and yaml blocks of the Markdown of this repository, the shared corpus and the seeds, and every
// .yaml/.yml file. Wherever it answers it must agree; on the documents a run reads it must answer.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseYamlFast } from '../src/documents/yaml-fast.js';
import { diffWithYaml, yamlOfMarkdown, type YamlSource } from './helpers/yaml-diff.js';
import { benchProtocol } from '../bench/protocol.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));
const SKIP = new Set(['node_modules', '.git', 'dist']);

/** Files under `dir` whose names match `pattern`, recursively. */
function filesUnder(dir: string, pattern: RegExp): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return SKIP.has(e.name) ? [] : filesUnder(p, pattern);
    return pattern.test(e.name) ? [p] : [];
  });
}

function markdownSources(dirs: string[]): YamlSource[] {
  return dirs.flatMap((d) => filesUnder(join(repo, d), /\.md$/)).flatMap((f) => yamlOfMarkdown(readFileSync(f, 'utf8'), relative(repo, f)));
}

/** Every source where the fast reader answers differently from yaml (none expected). */
function disagreements(sources: YamlSource[]): string[] {
  return sources.flatMap(({ where, source }) => {
    const { problem } = diffWithYaml(source);
    return problem ? [`${where}: ${problem}`] : [];
  });
}

const declined = (sources: YamlSource[]) => sources.filter((s) => parseYamlFast(s.source) === null).map((s) => s.where);

describe('parseYamlFast on real documents', () => {
  it('agrees with yaml on the Markdown of this repository', () => {
    const sources = markdownSources(['sops', 'protocols', 'templates', 'docs', 'examples', 'test/fixtures']);
    expect(sources.length).toBeGreaterThan(50);
    expect(disagreements(sources)).toEqual([]);
  });

  it('agrees with yaml on every .yaml and .yml file of this repository', () => {
    const files = filesUnder(repo, /\.ya?ml$/);
    expect(files.length).toBeGreaterThan(0);
    expect(disagreements(files.map((f) => ({ where: relative(repo, f), source: readFileSync(f, 'utf8') })))).toEqual([]);
  });

  for (const folder of ['corpus', 'seeds']) {
    const dir = join(repo, '../shared', folder);
    const present = existsSync(dir);
    it.skipIf(!present)(`agrees with yaml on ../shared/${folder}${present ? '' : ' (absent in this clone: skipped)'}`, () => {
      const sources = filesUnder(dir, /\.md$/).flatMap((f) => yamlOfMarkdown(readFileSync(f, 'utf8'), relative(repo, f)));
      expect(disagreements(sources)).toEqual([]);
    });
  }

  it('reads every front matter and block of protocols/, sops/ and templates/ itself', () => {
    const sources = markdownSources(['protocols', 'sops', 'templates']);
    expect(sources.length).toBeGreaterThan(20);
    expect(declined(sources)).toEqual([]);
  });

  it('reads the benchmark protocol itself', () => {
    const sources = yamlOfMarkdown(benchProtocol(8080, `sha256:${'a'.repeat(64)}`), 'bench protocol');
    expect(sources).toHaveLength(51);
    expect(declined(sources)).toEqual([]);
    expect(disagreements(sources)).toEqual([]);
  });
});
