// Public API of qualify: re-exports only.
export * from './model/index.js';
export * from './documents/index.js';
export { TOOL_NAME, TOOL_VERSION } from './version.js';
