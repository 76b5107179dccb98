// Public API of qualify: re-exports only.
export * from './model/index.js';
export * from './documents/index.js';
export { TOOL_NAME, TOOL_VERSION } from './version.js';
export { createProbes, resolveDockerEndpoint, type Probes, type ProbesOptions, type EngineSnapshot, type ContainerInfo, type ImageInfo } from './probes/index.js';
export { builtinChecks, defineCheck, createCheckRegistry, judgeObservation, evaluateExpect, validateExpect, validateCheckParams, type CheckContext, type CheckDefinition, type Verdict } from './checks/index.js';
export * from './signing/index.js';
export { runQualification, type QualificationOptions, type QualificationResult, type RunAuditEntry } from './runner/qualify.js';
export { planRun, DEFAULT_STEP_TIMEOUT_MS, type RunPlan, type PlannedStep, type TemplateScope } from './runner/plan.js';
export { executeRun, judgeWith, type RunOptions, type RunOutcome, type StepOutcome, type CaseOutcome, type RunReporter, type RunnableCheck, type Judge } from './runner/run.js';
export { createProgressReporter, type ProgressReporter } from './runner/progress.js';
export { collectSubject } from './runner/subject.js';
export { createRedactor, isSecretKey, type Redactor } from './evidence/redact.js';
export { storeEvidence, evidenceManifest, type StoredEvidence, type ReportFile } from './evidence/store.js';
export { assembleRecord, makeReportId, serializeRecord, type RecordInput } from './report/record.js';
export { renderReportMarkdown, type MarkdownOptions } from './report/markdown.js';
export { renderJunit } from './report/junit.js';
export { validateRecord } from './report/schema.js';
export { writeFolderAtomic, ReportExistsError } from './report/folder.js';
