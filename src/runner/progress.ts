// Progress of a run for people: on a terminal, a live line per running case (redrawn in place) and a
// final line per finished case; when not a terminal or under CI, plain lines, one per step and one per
// case. Finished cases are printed in protocol order (a case when it and every earlier case are done),
// whatever order they finish in, and nothing is printed while a person answers a prompt (`suspend`).
// Every text shown passes through `mask` (secrets never reach the console).

import type { PlannedStep, RunPlan } from './plan.js';
import type { CaseOutcome, RunReporter, StepOutcome } from './run.js';
import type { StepStatus } from '../model/report.js';
import { count } from '../plural.js';

export interface ProgressOutput {
  write(text: string): void;
  isTTY: boolean;
}

export interface ProgressOptions {
  out: ProgressOutput;
  /** Live display (terminal, not CI). */
  live: boolean;
  /** ANSI colours (NO_COLOR unset). */
  color: boolean;
  /** Masks secrets in any text before it is printed. */
  mask: (text: string) => string;
  /** Terminal width for live lines (they must not wrap). */
  columns?: number;
}

const SYMBOL: Record<StepStatus, string> = { pass: '✓', fail: '✗', error: '!', skipped: '-' };
const COLOUR: Record<StepStatus, string> = { pass: '32', fail: '31', error: '33', skipped: '90' };
const STATUS_WORD: Record<StepStatus, string> = { pass: 'passed', fail: 'failed', error: 'error', skipped: 'skipped' };
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

function truncate(s: string, width: number): string {
  const chars = [...s];
  return chars.length <= width ? s : `${chars.slice(0, Math.max(1, width - 1)).join('')}…`;
}

/** The progress display; `suspend` hides the live lines while a person answers a prompt. */
export interface ProgressReporter extends RunReporter {
  suspend<T>(fn: () => Promise<T>): Promise<T>;
}

/** Creates the reporter `qualify run` uses on stderr. */
export function createProgressReporter(options: ProgressOptions): ProgressReporter {
  const { out, mask } = options;
  const paint = (code: string, s: string): string => (options.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const columns = Math.max(40, options.columns ?? 100);
  const cases = new Map<string, { title: string; total: number; done: number; running: Set<string> }>();
  const active: string[] = [];
  let liveLines = 0;
  let frame = 0;
  let suspended = 0;
  let ticker: ReturnType<typeof setInterval> | null = null;
  // Finished cases are printed in protocol order: a case's lines when it is done and every earlier
  // case is printed. Lines wait in `held` while a person answers a prompt.
  let order: string[] = [];
  const finished = new Map<string, string>();
  let printed = 0;
  const held: string[] = [];

  const erase = (): void => {
    if (liveLines > 0) out.write(`\x1b[${liveLines}F\x1b[J`);
    liveLines = 0;
  };
  const draw = (): void => {
    if (suspended > 0 || !options.live) return;
    frame = (frame + 1) % SPINNER.length;
    const lines = active.map((id) => {
      const c = cases.get(id)!;
      const running = [...c.running].join(', ');
      return truncate(`${SPINNER[frame]} ${id} ${mask(c.title)}  ${c.done}/${c.total}${running ? `  ${running}` : ''}`, columns - 1);
    });
    for (const l of lines) out.write(`${paint('36', l)}\n`);
    liveLines = lines.length;
  };
  /** Prints finished lines (or holds them while a prompt is on the screen). */
  const emit = (text: string): void => {
    if (suspended > 0) {
      held.push(text);
      return;
    }
    erase();
    out.write(text);
    draw();
  };
  const flushInOrder = (): void => {
    let text = '';
    while (printed < order.length && finished.has(order[printed]!)) text += finished.get(order[printed++]!)!;
    if (text) emit(text);
  };

  const stepLine = (s: StepOutcome): string => {
    const head = `${paint(COLOUR[s.status], `${SYMBOL[s.status]} ${s.status.padEnd(7)}`)} ${s.id}  ${s.type}  ${s.durationMs} ms`;
    return s.reason ? `${head}\n    ${mask(s.reason)}` : head;
  };
  const caseLine = (c: CaseOutcome): string => {
    const counts = (['pass', 'fail', 'error', 'skipped'] as const)
      .map((st) => [st, c.steps.filter((s) => s.status === st).length] as const)
      .filter(([, n]) => n > 0)
      .map(([st, n]) => (st === 'error' ? count(n, 'error') : `${n} ${STATUS_WORD[st]}`))
      .join(', ');
    return `${paint(COLOUR[c.status], `${SYMBOL[c.status]} ${c.testCase.id}`)} ${mask(c.testCase.title)}  (${counts || 'no steps'})`;
  };
  /** A finished case as printed: plain output lists every step; the live display only the ones that did not pass. */
  const caseBlock = (c: CaseOutcome): string => {
    if (!options.live) return `${[...c.steps.map(stepLine), caseLine(c)].join('\n')}\n`;
    const lines = [caseLine(c)];
    for (const s of c.steps) if (s.status !== 'pass') lines.push(`    ${stepLine(s).replace(/\n/g, '\n    ')}`);
    return `${lines.join('\n')}\n`;
  };

  return {
    start(plan: RunPlan) {
      order = plan.cases.map((c) => c.testCase.id);
      for (const c of plan.cases) {
        cases.set(c.testCase.id, { title: c.testCase.title, total: c.steps.length, done: 0, running: new Set() });
        // A case without steps never ends: it is shown in its place at once.
        if (c.steps.length === 0) finished.set(c.testCase.id, caseBlock({ testCase: c.testCase, status: 'skipped', steps: [] }));
      }
      out.write(`running ${count(plan.steps.length, 'step')} in ${count(plan.cases.length, 'case')}\n`);
      if (!options.live) return;
      // The spinner keeps turning while a step waits (a health check settling, a slow endpoint).
      ticker = setInterval(() => {
        if (active.length === 0 || suspended > 0) return;
        erase();
        draw();
      }, 120);
      ticker.unref();
    },
    stepStart(step: PlannedStep) {
      const c = cases.get(step.caseId);
      if (!c || !options.live) return;
      c.running.add(step.id);
      if (!active.includes(step.caseId)) active.push(step.caseId);
      if (suspended > 0) return;
      erase();
      draw();
    },
    stepEnd(s) {
      const c = cases.get(s.caseId);
      if (!c || !options.live) return;
      c.running.delete(s.id);
      c.done++;
      if (suspended > 0) return;
      erase();
      draw();
    },
    caseEnd(outcome) {
      const i = active.indexOf(outcome.testCase.id);
      if (i >= 0) active.splice(i, 1);
      finished.set(outcome.testCase.id, caseBlock(outcome));
      flushInOrder();
    },
    end() {
      if (ticker) clearInterval(ticker);
      ticker = null;
      // Cases that never ended (none in a whole run) are not waited for.
      while (printed < order.length) {
        const id = order[printed++]!;
        const block = finished.get(id);
        if (block) emit(block);
      }
      erase();
    },
    async suspend(fn) {
      erase();
      suspended++;
      try {
        return await fn();
      } finally {
        suspended--;
        if (suspended === 0 && held.length) out.write(held.splice(0).join(''));
        draw();
      }
    },
  };
}
