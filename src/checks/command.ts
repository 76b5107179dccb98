// command — A program run on the host, or inside a container, exits and prints as approved.
//
// Example:
//   type: command
//   container: "{{service}}"
//   argv: [cat, /tmp/www/version]
//   expect:
//     exit_code: 0
//     stdout: { contains: "{{release}}" }
//
// Parameters: argv (a list: program and arguments, never a shell), container (exec inside it),
// cwd (host only; default the QMS repository root). Observes: exit_code, stdout (top-level
// contains/matches apply to it), stderr, truncated. Without expect: exit_code 0.
// Inside a container the program's environment also holds QUALIFY_EXEC=<id>: when the step times out
// (or the run is interrupted) the processes carrying it are stopped, and the step says how.

import { defineCheck } from './define.js';
import { readParams } from './params.js';
import { repoPath, requireContainer, textEvidence } from './support.js';

export const command = defineCheck({
  type: 'command',
  summary: 'A program (argv, no shell) run on the host or inside a container exits and prints as approved.',
  scope: 'container-param',
  params: {
    argv: { kind: 'string[]', description: 'Program and arguments, e.g. [cat, /etc/os-release]', required: true },
    container: { kind: 'string', description: 'Run inside this container (docker exec) instead of on the host' },
    cwd: { kind: 'string', description: 'Working directory on the host (default: the repository root)' },
  },
  primaryKey: 'stdout',
  expectKeys: ['exit_code', 'stdout', 'stderr', 'truncated', 'contains', 'not_contains', 'matches'],
  defaultExpect: { exit_code: 0 },
  example: ['type: command', 'container: "{{service}}"', 'argv: [cat, /tmp/www/version]', 'expect:', '  exit_code: 0', '  stdout: { contains: "{{release}}" }', ''].join('\n'),

  async observe(params, ctx) {
    const p = readParams('command', params);
    const argv = p.stringList('argv');
    const containerName = p.optionalString('container');
    let where: string;
    let result;
    if (containerName !== undefined) {
      const { container } = await requireContainer(ctx, containerName);
      result = await ctx.probes.docker.exec(container.id, argv, { signal: ctx.signal });
      where = `in container ${container.name}`;
    } else {
      const cwd = repoPath(ctx, p.optionalString('cwd') ?? '.');
      result = await ctx.probes.host.exec(argv, { cwd, signal: ctx.signal });
      where = 'on the host';
    }
    const transcript = [`$ ${argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ')}`, `exit code ${result.exitCode}`, '--- stdout', result.stdout, '--- stderr', result.stderr].join('\n');
    return {
      actual: { exit_code: result.exitCode, stdout: result.stdout, stderr: result.stderr, truncated: result.truncated },
      evidence: [textEvidence('command', `output of ${argv[0]} ${where}`, transcript)],
    };
  },
});
