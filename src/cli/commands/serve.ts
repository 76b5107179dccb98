// qualify serve [--port N]: the auditor's site on 127.0.0.1, read-only, verified again on every page request.
import type { AddressInfo } from 'node:net';
import type { Command } from '../command.js';
import { EXIT, UsageError } from '../../model/errors.js';
import { siteSource } from '../site-source.js';

export const DEFAULT_PORT = 8480;

export const command: Command = {
  usage: 'serve [--port N] [--title TEXT]',
  description: [
    'Serves the site of "qualify site" on http://127.0.0.1:N/ (this machine only, read-only: GET and HEAD).',
    'Each page is built when requested from the files as they are now: a report page verifies that report',
    'again, the overview and the lists verify every report. Ctrl-C stops it. --port 0 picks a free port.',
  ].join('\n'),
  flags: {
    port: { kind: 'string', value: 'N', description: `TCP port on 127.0.0.1 (default ${DEFAULT_PORT})` },
    title: { kind: 'string', value: 'TEXT', description: 'title shown on every page' },
  },
  async run(args, ctx) {
    const raw = typeof args.flags.port === 'string' ? args.flags.port : String(DEFAULT_PORT);
    const port = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('FLAG_VALUE', `qualify serve: --port expects a number from 0 to 65535, found "${raw}"`);
    const source = await siteSource(ctx, typeof args.flags.title === 'string' ? args.flags.title : undefined);
    const { createSiteServer } = await import('../../site/server.js');
    const server = createSiteServer(
      { load: (verifyReport) => source.load({ verifyReport }), documentPdf: (d) => source.documentPdf(d) },
      (err) => ctx.stderr.write(`qualify serve: error building a page: ${(err as Error)?.message ?? String(err)}\n`),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE' ? new UsageError('PORT_IN_USE', `qualify serve: port ${port} on 127.0.0.1 is in use; choose another with --port`) : err));
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const actual = (server.address() as AddressInfo).port;
    ctx.stdout.write(`http://127.0.0.1:${actual}/\n`);
    ctx.stderr.write(`qualify serve: serving ${source.root} read-only on http://127.0.0.1:${actual}/ ; verification is recomputed on every page request; Ctrl-C stops\n`);
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) return resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return EXIT.ok;
  },
};
