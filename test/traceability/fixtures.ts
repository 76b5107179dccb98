// A small QMS repository for the traceability tests: requirements URS-0100 (three requirements, one of
// high risk) and protocol QP-0100 whose cases check files on this host (no engine needed).
export const URS = `---
document_id: URS-0100
type: requirements
title: Requirements of the test system
revision: "01"
status: effective
authors: [avery]
approvers: [quinn]
approval_date: 2025-01-01
effective_date: 2025-01-02
---

## Requirements

### URS-01 The configuration file is in place

The configuration file exists at its path.

\`\`\`requirement
risk: medium
type: functional
\`\`\`

### URS-02 Only the approved release is configured

The configuration names the release under qualification and no other.

\`\`\`requirement
risk: high
type: data-integrity
\`\`\`

### URS-03 The log folder exists

The folder for logs exists.

\`\`\`requirement
risk: low
type: operational
\`\`\`
`;

const HEAD = `---
document_id: QP-0100
type: protocol
title: Test protocol
revision: "01"
status: effective
authors: [avery]
approvers: [quinn]
approval_date: 2025-01-01
effective_date: 2025-01-02
parameters:
  config: { description: Path of the configuration file }
  logs: { description: Path of the log folder }
  release: { description: Release under qualification }
---

## Cases
`;

export const TC01 = `
### TC-01 The configuration file is in place

**Objective.** Show that the configuration file exists.

**Acceptance criteria.** The file exists.

\`\`\`case
requirements: [URS-01]
risk: medium
\`\`\`

\`\`\`check
type: file
path: "{{config}}"
expect:
  exists: true
\`\`\`
`;

export const TC02 = `
### TC-02 The configuration names the release

**Objective.** Show that the configuration names the release under qualification.

**Acceptance criteria.** The file contains \`release\` followed by the release.

\`\`\`case
requirements: [URS-02]
risk: high
\`\`\`

\`\`\`check
type: file
path: "{{config}}"
expect:
  contains: "release {{release}}"
\`\`\`
`;

export const TC03 = `
### TC-03 The log folder exists

**Objective.** Show that the log folder exists.

**Acceptance criteria.** The path exists.

\`\`\`case
requirements: [URS-03]
risk: low
\`\`\`

\`\`\`check
type: file
path: "{{logs}}"
expect:
  exists: true
\`\`\`
`;

/** The negative case of URS-02: an older release is not configured. */
export const TC04 = `
### TC-04 No other release is configured

**Objective.** Show that the configuration names no release other than the one under qualification.

**Acceptance criteria.** The file does not contain \`release 0.9.0\`.

\`\`\`case
requirements: [URS-02]
risk: high
kind: negative
\`\`\`

\`\`\`check
type: file
path: "{{config}}"
expect:
  not_contains: "release 0.9.0"
\`\`\`
`;

export const protocol = (...cases: string[]): string => `${HEAD}${cases.join('')}`;

/** 1-based line of the first line of `text` starting with `prefix`. */
export function lineOf(text: string, prefix: string): number {
  const i = text.split('\n').findIndex((l) => l.startsWith(prefix));
  if (i < 0) throw new Error(`no line starting with ${prefix}`);
  return i + 1;
}
