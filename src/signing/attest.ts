// in-toto attestation of a qualified deployment: a Statement v1 whose subjects are the running images
// (by registry digest) and whose predicate is a test-result v0.1 with the protocol (and the record it
// produced) as configuration, signed in a DSSE envelope by an approver, so supply-chain gates can ask
// "was this digest qualified?".
import type { Report } from '../model/report.js';
import { isSha256Hex } from './hash.js';

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const TEST_RESULT_PREDICATE = 'https://in-toto.io/attestation/test-result/v0.1';

export interface ResourceDescriptor {
  name: string;
  digest: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface TestResultStatement {
  _type: typeof STATEMENT_TYPE;
  subject: ResourceDescriptor[];
  predicateType: typeof TEST_RESULT_PREDICATE;
  predicate: {
    result: 'PASSED' | 'WARNED' | 'FAILED';
    configuration: ResourceDescriptor[];
    passedTests: string[];
    warnedTests: string[];
    failedTests: string[];
  };
}

/** Image subjects of a record: every image with a registry digest, deduplicated and sorted. */
export function imageSubjects(record: Report): ResourceDescriptor[] {
  const seen = new Map<string, ResourceDescriptor>();
  for (const img of record.subject?.images ?? []) {
    const m = img.digest ? /^(.+)@sha256:([0-9a-f]{64})$/.exec(img.digest) : null;
    if (!m) continue;
    const key = `${m[1]}@${m[2]}`;
    if (!seen.has(key)) seen.set(key, { name: m[1]!, digest: { sha256: m[2]! } });
  }
  return [...seen.values()].sort((a, b) => (a.name === b.name ? (a.digest.sha256! < b.digest.sha256! ? -1 : 1) : a.name < b.name ? -1 : 1));
}

/** Builds the statement for a record whose canonical hash is `recordHash`, stored at `recordPath`. */
export function buildStatement(record: Report, recordHash: string, recordPath: string): TestResultStatement {
  const passed: string[] = [];
  const warned: string[] = [];
  const failed: string[] = [];
  for (const c of record.cases) {
    if (c.status === 'pass') passed.push(c.id);
    else if (c.status === 'skipped') warned.push(c.id);
    else failed.push(c.id);
  }
  const configuration: ResourceDescriptor[] = [];
  if (isSha256Hex(record.protocol.sha256)) {
    configuration.push({ name: record.protocol.path, digest: { sha256: record.protocol.sha256 }, annotations: { documentId: record.protocol.documentId, revision: record.protocol.revision } });
  }
  configuration.push({ name: recordPath, digest: { sha256: recordHash }, annotations: { reportId: record.reportId, canonicalization: 'RFC8785' } });
  return {
    _type: STATEMENT_TYPE,
    subject: imageSubjects(record),
    predicateType: TEST_RESULT_PREDICATE,
    predicate: {
      result: record.conclusion === 'pass' ? (warned.length ? 'WARNED' : 'PASSED') : 'FAILED',
      configuration,
      passedTests: passed,
      warnedTests: warned,
      failedTests: failed,
    },
  };
}
