// Progress of a run for people: on a terminal, a live line per running case (redrawn in place) and a
// final line per finished case; when not a terminal or under CI, plain lines, one per step and one per
// case, in the order they finish. Every text shown passes through `mask` (secrets never reach the console).

import type { PlannedStep, RunPlan } from './plan.js';
import type { CaseOutcome, RunReporter, StepOutcome } from './run.js';
import type { StepStatus } from '../model/report.js';

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

  const erase = (): void => {
    if (liveLines > 0) out.write(`\x1b[${liveLines}F\x1b[J`);
    liveLines = 0;
  };
  const draw = (): void => {
    if (suspended > 0) return;
    frame = (frame + 1) % SPINNER.length;
    const lines = active.map((id) => {
      const c = cases.get(id)!;
      const running = [...c.running].join(', ');
      return truncate(`${SPINNER[frame]} ${id} ${mask(c.title)}  ${c.done}/${c.total}${running ? `  ${running}` : ''}`, columns - 1);
    });
    for (const l of lines) out.write(`${paint('36', l)}\n`);
    liveLines = lines.length;
  };

  const stepLine = (s: StepOutcome): string => {
    const head = `${paint(COLOUR[s.status], `${SYMBOL[s.status]} ${s.status.padEnd(7)}`)} ${s.id}  ${s.type}  ${s.durationMs} ms`;
    return s.reason ? `${head}\n    ${mask(s.reason)}` : head;
  };
  const caseLine = (c: CaseOutcome): string => {
    const counts = (['pass', 'fail', 'error', 'skipped'] as const)
      .map((st) => [st, c.steps.filter((s) => s.status === st).length] as const)
      .filter(([, n]) => n > 0)
      .map(([st, n]) => `${n} ${st}`)
      .join(', ');
    return `${paint(COLOUR[c.status], `${SYMBOL[c.status]} ${c.testCase.id}`)} ${mask(c.testCase.title)}  (${counts || 'no steps'})`;
  };

  if (!options.live) {
    return {
      start(plan: RunPlan) {
        out.write(`running ${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'} in ${plan.cases.length} case${plan.cases.length === 1 ? '' : 's'}\n`);
      },
      stepEnd(s) {
        out.write(`${stepLine(s)}\n`);
      },
      caseEnd(c) {
        out.write(`${caseLine(c)}\n`);
      },
      suspend: (fn) => fn(),
    };
  }

  return {
    start(plan) {
      for (const c of plan.cases) cases.set(c.testCase.id, { title: c.testCase.title, total: c.steps.length, done: 0, running: new Set() });
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
      if (!c) return;
      c.running.add(step.id);
      if (!active.includes(step.caseId)) active.push(step.caseId);
      erase();
      draw();
    },
    stepEnd(s) {
      const c = cases.get(s.caseId);
      if (!c) return;
      c.running.delete(s.id);
      c.done++;
      erase();
      draw();
    },
    caseEnd(outcome) {
      const i = active.indexOf(outcome.testCase.id);
      if (i >= 0) active.splice(i, 1);
      erase();
      const lines = [caseLine(outcome)];
      for (const s of outcome.steps) if (s.status !== 'pass') lines.push(`    ${stepLine(s).replace(/\n/g, '\n    ')}`);
      out.write(`${lines.join('\n')}\n`);
      draw();
    },
    end() {
      if (ticker) clearInterval(ticker);
      ticker = null;
      erase();
    },
    async suspend(fn) {
      erase();
      suspended++;
      try {
        return await fn();
      } finally {
        suspended--;
        draw();
      }
    },
  };
}
