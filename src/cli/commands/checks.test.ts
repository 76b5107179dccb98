// `qualify checks`: the catalog as text and JSON, in-process and through the built binary.
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/cli.js';
import { builtinChecks } from '../../checks/index.js';

describe('qualify checks', () => {
  it('prints every type with its parameters and example', async () => {
    const r = await runCli(['checks'], { cwd: process.cwd() });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const def of builtinChecks) {
      expect(r.stdout).toContain(`${def.type}\n  ${def.summary}`);
      expect(r.stdout).toContain(def.example.split('\n')[1]!);
    }
    expect(r.stdout).toMatch(/container\s+string\s+optional\s+Container name/);
    expect(r.stdout).toContain('(exactly one of: container, label)');
    expect(r.stdout).toContain('Without expect: { status: 200 }');
    expect(r.stdout).toMatch(/stream\s+stdout\|stderr\|both\s+optional/);
  });

  it('prints JSON and filters by type', async () => {
    const r = await runCli(['checks', '--json', 'http.get', 'manual'], { cwd: process.cwd() });
    expect(r.code).toBe(0);
    const data = JSON.parse(r.stdout) as Array<{ type: string; params: Array<{ name: string; required: boolean }>; defaultExpect: unknown }>;
    expect(data.map((d) => d.type)).toEqual(['http.get', 'manual']);
    expect(data[0]!.params.find((p) => p.name === 'url')).toMatchObject({ required: true, kind: 'string' });
    expect(data[0]!.defaultExpect).toEqual({ status: 200 });
  });

  it('refuses an unknown type with exit 2 naming the known ones', async () => {
    const r = await runCli(['checks', 'http.gte'], { cwd: process.cwd() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('CHECK_TYPE_UNKNOWN: unknown check type "http.gte"; known: container.running,');
  });
});
