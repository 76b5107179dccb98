// Where a worker thread's module is. The built CLI runs from one bundle (scripts/bundle.mjs) and starts its
// workers from bundles of their own (dist/bundle/workers/NAME.cjs): a worker that loads the compiled ES
// modules of dist/ spends most of a second in the module loader (hundreds of files) before it works.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Set by the bundler to the folder of the bundled workers; undefined in the compiled ES modules. */
declare const __QUALIFY_WORKERS__: string | undefined;

/** The module of a worker: `compiled` (an ES module of dist/), or its bundle when this code runs bundled. */
export function workerUrl(compiled: URL): URL {
  if (typeof __QUALIFY_WORKERS__ !== 'string') return compiled;
  const name = compiled.pathname.split('/').pop()!.replace(/\.js$/, '.cjs');
  return pathToFileURL(join(__QUALIFY_WORKERS__, name));
}
