// manual — A person observes something no probe can, and records it; stamped with who and when.
//
// Example:
//   type: manual
//   instruction: Open {{url}} in a browser and log in as a reader.
//   expect:
//     observation: The dashboard shows release {{release}} in its footer.
//
// The executor is asked (terminal prompt, or --answers file) and answers "pass" or "fail", optionally
// followed by a comment ("pass: footer shows 1.4.2"), or gives the observation followed by its verdict
// ("CHG-2026-0412 confirmed", "CHG-2026-0412 not confirmed"). `expect` is the text the person checks against;
// it is shown, not compared. No answer is an error, never a pass.
// Observes: answer, result (pass or fail), comment, observed_by, observed_at.

import { EnvironmentError } from '../model/errors.js';
import { defineCheck } from './define.js';
import { readParams } from './params.js';
import { jsonEvidence } from './support.js';

const ANSWER = /^\s*(pass(?:ed)?|yes|y|ok|confirmed|fail(?:ed)?|no|n)\b[\s:,;.-]*([\s\S]*)$/i;
// The observation first, the verdict last: "CHG-2026-0412 confirmed", "... not confirmed", "... - failed".
const TRAILING = /^([\s\S]*?)[\s:,;.-]+(not[ \t]+)?(confirmed|verified|approved|accepted|ok|pass(?:ed)?|fail(?:ed)?|rejected)[\s.!]*$/i;

/**
 * Reads a person's answer: a verdict word first ("pass: footer shows 1.4.2", "fail - banner missing")
 * or last ("CHG-2026-0412 confirmed", "CHG-2026-0412 not confirmed"); null when it says neither.
 */
export function parseManualAnswer(answer: string): { result: 'pass' | 'fail'; comment: string } | null {
  const m = ANSWER.exec(answer);
  if (m) {
    const word = m[1]!.toLowerCase();
    const result = /^(fail|failed|no|n)$/.test(word) ? 'fail' : 'pass';
    return { result, comment: m[2]!.trim() };
  }
  const t = TRAILING.exec(answer.length > 10_000 ? '' : answer);
  if (!t || !t[1]!.trim()) return null;
  const negative = Boolean(t[2]) || /^(fail|failed|rejected)$/i.test(t[3]!);
  return { result: negative ? 'fail' : 'pass', comment: t[1]!.trim() };
}

/** How an answer must look, for messages. */
export const ANSWER_FORMS = '"pass" or "fail" first, optionally followed by a comment ("pass: CHG-2026-0412 approved"), or the observation followed by its verdict ("CHG-2026-0412 confirmed", "CHG-2026-0412 not confirmed")';

export const manual = defineCheck({
  type: 'manual',
  summary: 'A person performs an instruction and records pass or fail with a comment; stamped with who and when.',
  params: {
    instruction: { kind: 'string', description: 'What the person does and looks at', required: true },
  },
  implicitVerdict: true,
  expectKeys: undefined,
  example: [
    'type: manual',
    'instruction: Open {{url}} in a browser and log in as a reader.',
    'expect:',
    '  observation: The dashboard shows release {{release}} in its footer.',
    '',
  ].join('\n'),

  async observe(params, ctx) {
    const instruction = readParams('manual', params).string('instruction');
    const stepId = ctx.stepId ?? 'manual';
    const reply = await ctx.ask({ stepId, instruction, expect: ctx.expect ?? null });
    if (!reply) {
      throw new EnvironmentError('MANUAL_NO_ANSWER', `step ${stepId} needs a person's observation and none was given; run on a terminal or pass --answers file.yaml with an answer for ${stepId}`);
    }
    const parsed = parseManualAnswer(reply.answer);
    if (!parsed) {
      throw new EnvironmentError('MANUAL_ANSWER_UNCLEAR', `step ${stepId}: the answer "${reply.answer}" gives no verdict; expected ${ANSWER_FORMS}`);
    }
    const actual = { answer: reply.answer, result: parsed.result, comment: parsed.comment || null, observed_by: reply.by, observed_at: reply.at, ...(reply.note ? { answers_file_by: reply.note } : {}) };
    return {
      actual,
      assertions: [{ path: 'result', matcher: 'equals', expected: 'pass', actual: parsed.result, pass: parsed.result === 'pass', ...(parsed.result === 'pass' ? {} : { message: `${reply.by} recorded a failure${parsed.comment ? `: ${parsed.comment}` : ''}` }) }],
      evidence: [jsonEvidence('observation', `manual observation for ${stepId} by ${reply.by}`, { stepId, instruction, expect: ctx.expect ?? null, ...actual })],
    };
  },

  // `expect` is what the person compares against, shown in the record; the verdict is their answer.
  evaluate() {
    return [];
  },
});
