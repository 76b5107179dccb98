// Plain domain types; imports nothing outside model/.
export * from './issue.js';
export * from './document.js';
export * from './report.js';
export * from './errors.js';
export * from './check.js';
export * from './signature.js';
export * from './config.js';
export * from './requirements.js';
