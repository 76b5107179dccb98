// The benchmark protocol: 50 checks, ten of each of five kinds (running state, image id, configured
// user, boot log, version endpoint), as bench/run.mjs executes it.

/** The protocol's Markdown for an application answering on `port` from the image `imageId`. */
export function benchProtocol(port, imageId) {
  const kinds = [
    ['IQ-01 Container running', 'type: container.running\ncontainer: "{{service}}"\nexpect:\n  state: running\n  restarts: { lte: 0 }'],
    ['IQ-02 Image', `type: container.image\ncontainer: "{{service}}"\nexpect:\n  image_id: "${imageId}"`],
    ['IQ-03 User', 'type: container.config\ncontainer: "{{service}}"\nexpect:\n  user: "65534:65534"'],
    ['OQ-01 Boot log', 'type: container.logs\ncontainer: "{{service}}"\nexpect:\n  contains: "version {{release}}"\n  not_contains: ERROR'],
    ['OQ-02 Version endpoint', 'type: http.get\nurl: "{{url}}/version"\nexpect:\n  status: 200\n  json: { version: "{{release}}" }'],
  ];
  const body = kinds
    .map(([title, check]) => `### ${title}\n\n${Array.from({ length: 10 }, () => `\`\`\`check\n${check}\n\`\`\`\n`).join('\n')}`)
    .join('\n');
  return `---\ndocument_id: QP-0900\ntype: protocol\ntitle: Benchmark protocol\nrevision: "01"\nstatus: effective\napprovers: [quinn]\napproval_date: 2020-01-01\neffective_date: 2020-01-02\nparameters:\n  service: { description: container }\n  release: { description: release }\n  url: { description: base URL, default: "http://127.0.0.1:${port}" }\n---\n\n${body}`;
}
