// The conclusion statement of a report (RC-03), derived from the record's results and the deviations'
// dispositions as the report is rendered (a disposition is signed after the run, so the statement of a
// record follows its dispositions). The rule, documented in docs/reports.md:
//
// - NOT QUALIFIED when the record is a dry run, the run was interrupted (incomplete), no step ran, a
//   deviation is open (no QA disposition), a failed or errored step has no deviation, or steps were
//   skipped with no deviation to explain them;
// - QUALIFIED when every step passed;
// - QUALIFIED WITH RESTRICTIONS otherwise: steps failed, errored or were skipped, and every deviation is
//   closed by a QA disposition (closing a deviation accepts its outcome with that disposition; a result
//   QA does not accept stays open, and the deployment is then not qualified). The restrictions are the
//   dispositions and the steps not executed.
import type { Report } from '../model/report.js';

export type QualificationVerdict = 'qualified' | 'qualified with restrictions' | 'not qualified';

export interface QualificationConclusion {
  verdict: QualificationVerdict;
  /** One paragraph: what the record concludes. */
  statement: string;
  /** Why the deployment is not qualified (verdict "not qualified"). */
  reasons: string[];
  /** Conditions of a "qualified with restrictions" verdict: dispositions and steps not executed. */
  restrictions: string[];
}

/** Derives the conclusion of a record (with its dispositions applied, as signing/verify-report.ts views it). */
export function qualificationConclusion(report: Report): QualificationConclusion {
  const steps = report.cases.flatMap((c) => c.steps);
  const protocol = `${report.protocol.documentId} revision ${report.protocol.revision}`;
  const reasons: string[] = [];
  if (report.dryRun) reasons.push('this is a dry run, NOT A GxP RECORD: a dry run cannot qualify a deployment');
  if (report.incomplete) reasons.push('the run was interrupted: not every step ran');
  if (steps.length === 0) reasons.push('no step was executed');
  const byStep = new Map(report.deviations.map((d) => [d.stepId, d]));
  for (const d of report.deviations) {
    if (d.status !== 'closed') reasons.push(`deviation ${d.id} (step ${d.stepId}) is open: it has no QA disposition`);
  }
  for (const s of steps) {
    if ((s.status === 'fail' || s.status === 'error') && !byStep.has(s.id)) reasons.push(`step ${s.id} ${s.status === 'fail' ? 'failed' : 'errored'} and no deviation records it`);
  }
  const skipped = steps.filter((s) => s.status === 'skipped');
  if (skipped.length && report.deviations.length === 0) reasons.push(`${skipped.length === 1 ? 'step' : 'steps'} ${skipped.map((s) => s.id).join(', ')} ${skipped.length === 1 ? 'was' : 'were'} skipped and no deviation explains it`);

  if (reasons.length) {
    return { verdict: 'not qualified', statement: `NOT QUALIFIED. The deployment is not qualified for GxP use by this record: ${reasons.join('; ')}.`, reasons, restrictions: [] };
  }
  if (steps.every((s) => s.status === 'pass')) {
    return {
      verdict: 'qualified',
      statement: `QUALIFIED. Every step of ${protocol} met its acceptance criteria: the deployment is qualified for GxP use once this record is reviewed and approved.`,
      reasons: [],
      restrictions: [],
    };
  }
  const restrictions = [
    ...report.deviations.map((d) => `${d.id} (step ${d.stepId}): ${d.disposition?.text ?? 'closed'}${d.disposition ? ` (dispositioned by ${d.disposition.by} at ${d.disposition.at})` : ''}`),
    ...skipped.map((s) => `step ${s.id} was not executed: ${s.reason ?? 'skipped'}`),
  ];
  return {
    verdict: 'qualified with restrictions',
    statement: `QUALIFIED WITH RESTRICTIONS. Not every step of ${protocol} met its acceptance criteria; every deviation is closed by a QA disposition that accepts its outcome. The deployment is qualified for GxP use within the restrictions below once this record is approved.`,
    reasons: [],
    restrictions,
  };
}
