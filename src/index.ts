// Public API of qualify: re-exports only.
export * from './model/index.js';
export * from './documents/index.js';
export { TOOL_NAME, TOOL_VERSION } from './version.js';
export { createProbes, resolveDockerEndpoint, type Probes, type ProbesOptions, type EngineSnapshot, type ContainerInfo, type ImageInfo } from './probes/index.js';
export { builtinChecks, defineCheck, createCheckRegistry, judgeObservation, evaluateExpect, validateExpect, validateCheckParams, type CheckContext, type CheckDefinition, type Verdict } from './checks/index.js';
export * from './signing/index.js';
