import { createErrorFactory } from '../../errors.ts';

export const createDeadLetterNotFoundError = createErrorFactory({
  code: 'sync.dead_letter_not_found',
  statusCode: 404,
  message: 'There is no such failed sync job in your workspace (it may have been replayed already).',
});
