// Placeholder until the command lands; replaced by its owner.
import type { Command } from '../command.js';
import { UsageError } from '../../model/errors.js';

export const command: Command = {
  usage: 'lint',
  description: 'Not available in this build yet.',
  flags: {},
  async run() {
    throw new UsageError('NOT_AVAILABLE', 'this command is not available in this build yet');
  },
};
