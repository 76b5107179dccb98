// Worker thread of `qualify render`: reads and parses the documents (front matter, the one Markdown parse)
// while the main thread loads the typesetting engine; posts the documents and their mdast back.
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage, readSources } from './render-source.js';

const { files, root } = workerData as { files: string[]; root: string };
readSources(files, root).then(
  (sources) => parentPort!.postMessage({ sources }),
  (err: unknown) => parentPort!.postMessage({ error: errorMessage(err) }),
);
