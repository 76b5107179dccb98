// Pieces shared by several pages: status and verdict badges, report and document links.
import type { DocumentStatus } from '../../model/document.js';
import { badge, h, link, type Child } from '../html.js';
import type { DocumentEntry, ReportEntry } from '../model.js';
import { verdictOf } from '../summary.js';

const STATUS_TONE: Record<string, 'ok' | 'info' | 'warn' | 'muted'> = {
  effective: 'ok',
  approved: 'info',
  'in-review': 'warn',
  draft: 'warn',
  superseded: 'muted',
  obsolete: 'muted',
};

export function statusBadge(status: DocumentStatus | string): Child {
  return badge(STATUS_TONE[status] ?? 'muted', status);
}

/** VERIFIED / FAILED (with the reason beside it when `withReason`). */
export function verdictBadge(entry: ReportEntry, withReason = false): Child {
  const v = verdictOf(entry);
  if (v.state === 'verified') return badge('ok', '✓ VERIFIED');
  if (v.state === 'unchecked') return badge('muted', 'not checked');
  return withReason ? h('span', { className: ['verdict-failed'] }, [badge('fail', '✗ FAILED'), ' ', h('span', { className: ['reason'] }, v.reason)]) : badge('fail', '✗ FAILED', v.reason);
}

export function conclusionBadge(conclusion: string | undefined, dryRun = false): Child {
  if (!conclusion) return '—';
  return [conclusion === 'pass' ? badge('ok', 'PASS') : badge('fail', 'FAIL'), dryRun ? [' ', badge('warn', 'DRY RUN')] : null];
}

export function stepBadge(status: string): Child {
  const tone = status === 'pass' ? 'ok' : status === 'skipped' ? 'muted' : 'fail';
  return badge(tone, status.toUpperCase());
}

export function reportLink(from: string, entry: ReportEntry): Child {
  return link(from, `${entry.base}index.html`, entry.record?.reportId ?? entry.path.split('/').pop()!);
}

export function documentLink(from: string, entry: DocumentEntry, text?: string): Child {
  return link(from, entry.page, text ?? entry.doc.meta.documentId ?? entry.doc.path);
}

/** An image as a reader names it: the repository's last segment and the digest, shortened (full value in the title). */
export function imageLabel(i: { digest: string | null; imageId: string; repository: string | null }): Child {
  const full = i.digest ?? i.imageId;
  const at = full.indexOf('@sha256:');
  const name = at >= 0 ? full.slice(0, at).split('/').pop()! : (i.repository?.split('/').pop() ?? '');
  const hex = full.slice(full.indexOf('sha256:') + 7);
  return h('code', { title: full }, `${name ? `${name}@` : ''}sha256:${hex.slice(0, 12)}…`);
}

/** A paragraph saying a list is empty. */
export function none(text: string): Child {
  return h('p', { className: ['empty'] }, text);
}
