// Worker thread of `qualify render`: reads and parses the documents (front matter, the one Markdown parse)
// while the main thread loads the typesetting engine; posts the documents and their mdast back, with the
// repository root they were read against. Started by the render command, or by bin/qualify.js before the
// CLI loads (root null: the root of the document's folder, as the command finds it; the command uses the
// result only when its own file and root are the same).
import { dirname } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { findRepoRoot } from '../../documents/index.js';
import { errorMessage, readSources } from './render-source.js';

const { files, root } = workerData as { files: string[]; root: string | null };
const at = root ?? findRepoRoot(dirname(files[0]!));
readSources(files, at).then(
  (sources) => parentPort!.postMessage({ sources, root: at }),
  (err: unknown) => parentPort!.postMessage({ error: errorMessage(err), root: at }),
);
