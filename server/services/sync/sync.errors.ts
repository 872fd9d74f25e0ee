import { createErrorFactory } from '../../errors.ts';

export const createDeadLetterNotFoundError = createErrorFactory({
  code: 'sync.dead_letter_not_found',
  statusCode: 404,
  message: 'There is no such failed sync job in your workspace (it may have been replayed already).',
});
export const createChatNotFoundError = createErrorFactory({
  code: 'sync.chat_not_found',
  statusCode: 404,
  message: 'Parley has no such chat for your company.',
});
export const createUnmatchedNotFoundError = createErrorFactory({
  code: 'sync.unmatched_not_found',
  statusCode: 404,
  message: 'This chat is not waiting for a person any more.',
});
export const createUnmatchedResolvedError = createErrorFactory({
  code: 'sync.unmatched_resolved',
  statusCode: 409,
  message: 'Someone already chose the person for this chat.',
});
export const createPersonNotFoundError = createErrorFactory({
  code: 'sync.person_not_found',
  statusCode: 404,
  message: 'Pipedrive has no such person (it may have been deleted or merged). Reload and choose again.',
});
export const createDealNotFoundError = createErrorFactory({
  code: 'sync.deal_not_found',
  statusCode: 404,
  message: 'Pipedrive does not show you that deal (it was deleted, or you may not see it).',
});
