// "How to verify this yourself": the trust root (the signer CA and the enrolled keys) with fingerprints to
// compare out of band, the commands that recompute every verdict of this site, and the verdicts themselves.
import { badge, facts, h, link, renderPage, row, section, table, time, type Child } from '../html.js';
import type { SiteModel } from '../model.js';
import { verdictOf } from '../summary.js';
import { none, reportLink } from './common.js';

const PATH = 'verify.html';

function command(lines: Array<[string, string]>): Child {
  return h('pre', { className: ['commands'], tabIndex: 0, ariaLabel: 'Commands' }, [h('code', lines.map(([cmd, comment]) => `${cmd}${comment ? `\n    # ${comment}` : ''}`).join('\n'))]);
}

export function verifyPage(model: SiteModel): string {
  const t = model.trust;
  const failed = model.reports.filter((r) => verdictOf(r).state === 'failed');
  const example = model.reports.find((r) => r.record)?.path ?? 'reports/QP-0001/<report-id>';
  const exampleDoc = model.documents[0]?.doc.path ?? 'sops/SOP-0001.md';
  const trust = t
    ? [
        facts([
          ['Signer registry', [h('code', t.file), ' sha256 ', h('code', { className: ['wrap'] }, t.sha256), ' · ', link(PATH, 'trust-root/signers.yaml', 'download')]],
          ['Certificate authority', t.ca ? t.ca.name : 'none: each key is trusted by its enrolment in the registry'],
          ['CA certificate sha256 (fingerprint)', t.ca ? [h('code', { className: ['wrap', 'fingerprint'] }, t.ca.fingerprint), ' · ', link(PATH, 'trust-root/ca.pem', 'ca.pem')] : null],
        ]),
        h('p', 'Compare this fingerprint with the one your QA department holds (on paper or in its own records) before you trust any verdict: whoever can change the registry can sign.'),
        table({
          caption: 'Enrolled signers and their keys (sha256 of the public key).',
          head: ['Signer', 'Printed name', 'Roles', 'Key fingerprint', 'Valid', 'Revoked'],
          rows: t.signers.flatMap((s) => s.keys.map((k) => row([h('code', s.id), s.name, s.roles.join(', '), h('code', { className: ['wrap'] }, k.fingerprint), [time(k.notBefore), ' to ', time(k.notAfter)], k.revoked ? [badge('warn', 'revoked'), ' ', time(k.revoked.at), ` ${k.revoked.reason}`] : '—']))),
        }),
      ]
    : none('This repository has no signer registry: nothing is electronically signed, and approvals rest on the front matter ("approval not signed").');

  const results = [
    h('p', [
      `${model.reports.length - failed.length} of ${model.reports.length} report(s) verified`,
      failed.length ? [', ', h('strong', { className: ['text-fail'] }, `${failed.length} FAILED`)] : '',
      '. Audit trail: ',
      model.audit.problems.length ? badge('fail', '✗ BROKEN') : badge('ok', '✓ intact'),
      '. Every result, with what was checked, is in ',
      link(PATH, 'verification.json', 'verification.json'),
      '.',
    ]),
    failed.length ? h('ul', failed.map((r) => h('li', [reportLink(PATH, r), ': ', h('span', { className: ['reason'] }, verdictOf(r).reason ?? '')]))) : null,
  ];

  return renderPage(model, {
    path: PATH,
    title: 'Verify it yourself',
    nav: 'verify',
    main: [
      h('h1', 'How to verify this yourself'),
      h('p', { className: ['lead'] }, 'This site shows verdicts computed when it was built. Do not take them on trust: every one can be recomputed from the repository with the commands below, on your own machine.'),
      section('trust-root', 'The trust root', [trust]),
      section('commands', 'Commands', [
        h('ol', { className: ['steps-list'] }, [
          h('li', ['Get the repository at the commit this site was built from', model.build.commit ? [' (', h('code', model.build.commit), ')'] : '', ', and the qualify tool (', h('code', model.build.tool), ').']),
          h('li', ['Check that the signer registry is the one you trust: its CA fingerprint must match the one above and your QA department\'s record.']),
          h('li', 'Recompute the verdicts:'),
        ]),
        command([
          [`git checkout ${model.build.commit ?? '<commit>'}`, ''],
          ['openssl x509 -in trust-root/ca.pem -noout -fingerprint -sha256', 'compare with the CA fingerprint above'],
          [`qualify verify ${example}`, 'one report: record and evidence hashes, signatures, roles and order, PDF, audit trail; exit 4 on failure'],
          [`qualify verify ${exampleDoc}`, 'a controlled document: its approval signatures over the file\'s sha256'],
          ['qualify audit --verify', 'the audit trail\'s hash chain, and that committed entries were never changed'],
          [`pdfsig ${example}/report.pdf`, 'the PDF signatures (one per signature), independently of qualify (poppler-utils)'],
          [`qualify verify ${example}/report.pdf --trust trust-root/ca.pem`, 'the PDF alone, in any folder: what it embeds against the signer CA'],
          [`sha256sum ${example}/evidence/*`, 'each evidence file\'s hash, to compare with the record and this site'],
          ['qualify site --out site', 'rebuild this site: the verdicts are computed again'],
        ]),
      ]),
      section('results', 'Verdicts in this site', results),
      section('about', 'What a verdict covers', [
        h('ul', [
          h('li', 'The record: report.json is hashed in canonical form (RFC 8785); every signature signs that hash, so any change to a result, a parameter or the subject breaks them.'),
          h('li', 'The evidence: every file\'s sha256 is in the record; a changed byte shows as ALTERED.'),
          h('li', 'The signatures: the key was enrolled and valid when used, the printed name and meaning are inside the signed bytes, the meaning is permitted by the signer\'s role, executed → reviewed → approved in order, and the approver did not execute.'),
          h('li', 'The PDF: it embeds this record, the signature envelopes and the signers\' certificates, and carries one PDF signature per signature, each an incremental update over its own revision, the approver\'s last and over the whole file.'),
          h('li', 'The audit trail: each entry chains the hash of the previous one, and records every signature on disk.'),
        ]),
      ]),
    ],
  });
}
