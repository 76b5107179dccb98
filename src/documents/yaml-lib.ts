// The `yaml` package, loaded on first use instead of at import: its ~70 modules cost ~25 ms of every
// process, and the documents of a run are read by the fast reader (yaml-fast.ts) without it. Other
// modules import only its types statically. `yaml` has a CommonJS build, so it loads synchronously.
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import { parseYamlFast } from './yaml-fast.js';

let lib: typeof Yaml | undefined;

/** The `yaml` package, required on the first call (from node_modules, also when bundled). */
export function yamlLib(): typeof Yaml {
  lib ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  return lib;
}

/**
 * What `yaml.parse(text)` returns (default options: YAML 1.2, core schema), read by the fast reader
 * when the text is inside its subset; otherwise by `yaml`, which throws its errors as before.
 */
export function parseYamlValue(text: string): unknown {
  const fast = parseYamlFast(text);
  return fast ? fast.value : yamlLib().parse(text);
}
