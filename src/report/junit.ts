// junit.xml for CI dashboards: one testcase per protocol case, named "<case id> <title>", classname
// the stage (IQ/OQ/PQ); a failed case carries expected and actual of each failed step.

import type { Report, StepResult } from '../model/report.js';
import { expectedText, formatValue } from './markdown.js';

/** Escapes text for XML attributes and text nodes (also drops characters XML 1.0 forbids). */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function stepDetail(step: StepResult): string {
  const lines = [`${step.id} (${step.type}): ${step.status}${step.reason ? `: ${step.reason}` : ''}`];
  for (const a of step.assertions) {
    if (a.pass) continue;
    lines.push(`  ${a.path}`);
    lines.push(`    expected: ${expectedText(a).replace(/`/g, '')}`);
    lines.push(`    actual:   ${a.actual === undefined ? 'nothing' : formatValue(a.actual)}`);
  }
  if (step.attempts.length > 1) lines.push(`  attempts: ${step.attempts.length}`);
  return lines.join('\n');
}

/** Renders junit.xml from the record. Deterministic. */
export function renderJunit(report: Report): string {
  const stepsOf = (status: string): number => report.cases.reduce((n, c) => n + (c.status === status ? 1 : 0), 0);
  const durationMs = Math.max(0, Date.parse(report.ended) - Date.parse(report.started));
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const suiteAttrs = (name: string): string =>
    `name="${xmlEscape(name)}" tests="${report.cases.length}" failures="${stepsOf('fail')}" errors="${stepsOf('error')}" skipped="${stepsOf('skipped')}" time="${seconds(durationMs)}"`;
  const suiteName = `${report.protocol.documentId} ${report.protocol.title}${report.dryRun ? ' (dry run: NOT A GxP RECORD)' : ''}`;
  out.push(`<testsuites ${suiteAttrs(suiteName)}>`);
  out.push(`  <testsuite ${suiteAttrs(suiteName)} timestamp="${xmlEscape(report.started)}" id="${xmlEscape(report.reportId)}">`);
  out.push('    <properties>');
  const props: Array<[string, string]> = [
    ['report.id', report.reportId],
    ['protocol.revision', report.protocol.revision],
    ['protocol.sha256', report.protocol.sha256],
    ['conclusion', report.conclusion],
    ['dry_run', String(report.dryRun)],
    ['incomplete', String(report.incomplete)],
  ];
  for (const [k, v] of props) out.push(`      <property name="${xmlEscape(k)}" value="${xmlEscape(v)}"/>`);
  out.push('    </properties>');
  for (const c of report.cases) {
    const caseMs = c.steps.reduce((n, s) => n + s.durationMs, 0);
    const open = `    <testcase name="${xmlEscape(`${c.id} ${c.title}`)}" classname="${xmlEscape(c.stage)}" time="${seconds(caseMs)}"`;
    const bad = c.steps.filter((s) => s.status === 'fail' || s.status === 'error');
    if (c.status === 'pass') {
      out.push(`${open}/>`);
      continue;
    }
    out.push(`${open}>`);
    if (c.status === 'skipped' && bad.length === 0) {
      const why = c.steps.find((s) => s.reason)?.reason ?? 'no executable step';
      out.push(`      <skipped message="${xmlEscape(why)}"/>`);
    } else {
      const kind = c.status === 'fail' ? 'failure' : 'error';
      const first = bad[0]!;
      const message = `${first.id}: ${first.reason ?? first.status}`;
      const body = c.steps.filter((s) => s.status !== 'pass').map(stepDetail).join('\n');
      out.push(`      <${kind} message="${xmlEscape(message)}" type="${xmlEscape(first.type)}">${xmlEscape(body)}</${kind}>`);
    }
    out.push('    </testcase>');
  }
  out.push('  </testsuite>');
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
