// Controlled documents: front-mattered Markdown → model, lint rules with file:line:col, computed status.
export { parseDocument, KNOWN_FIELDS, type ParsedFile, type ParseOptions } from './document.js';
export { parseProtocol, type CheckCatalog } from './protocol.js';
export { parseFrontMatter } from '../markdown/front-matter.js';
export { parseYamlWithPositions, describeValue } from '../markdown/yaml.js';
export { checkBlocks, protocolBlocks, headingText } from '../markdown/check-blocks.js';
export { computeDocumentStatus, approvalOutcome, trainingWarning, STATUS_FINDING_CODES, revisionNeedsChangeControl, NO_SIGNATURES, APPROVAL_NOT_SIGNED, type ApprovalState, type ApprovalProvider, type ApprovalOutcome, type SignedEvent } from './status.js';
export { findRepoRoot, loadConfig, loadRepository, compareRevisions, DOCUMENT_FOLDERS, type LoadOptions, type LoadedRepository } from './repository.js';
export { parseRequirements, type RequirementsDocument } from './requirements.js';
export { traceRequirements, traceabilityIssues, TRACE_CODES, type Traceability, type CaseRef } from './traceability.js';
export { createDocumentLookup } from './lookup.js';
export { interpolate, interpolateDeep, templateNames, RESERVED_PARAMS } from './template.js';
export { parseDuration } from './duration.js';
export { toIsoDate, isoDay, addMonths } from './dates.js';
