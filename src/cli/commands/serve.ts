import type { Command } from '../command.js';
export const command: Command = { usage: 'serve', description: '', flags: {}, async run() { return 70; } };
