import type { Command } from '../command.js';
export const command: Command = { usage: 'export', description: '', flags: {}, async run() { return 70; } };
