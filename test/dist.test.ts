// The built ES modules (dist/, the library entry and the CLI without its bundle) load under plain Node:
// vitest resolves imports more leniently than Node's ES module rules do.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('dist', () => {
  it('imports every module the CLI and the library load, and renders report.md', () => {
    const script = [
      "const lib = await import('./dist/index.js');",
      "const cli = await import('./dist/cli/main.js');",
      "for (const c of ['init','lint','docs','fmt','revise','checks','run','render','keys','sign','deviation','verify','audit','attest','trace','site','serve','export']) await import(`./dist/cli/commands/${c}.js`);",
      "const md = await import('./dist/report/markdown.js');",
      "await import('./dist/report/pdf.js');",
      "console.log(Object.keys(lib).length > 0, typeof cli.main, typeof md.renderReportMarkdown);",
    ].join('\n');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('true function function');
  });
});
