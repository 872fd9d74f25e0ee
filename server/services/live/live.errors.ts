import { createErrorFactory } from '../../errors.ts';

export const createEventsTicketInvalidError = createErrorFactory({
  code: 'live.ticket_invalid',
  statusCode: 401,
  message: 'This live-update link expired or was already used. The panel asks for a new one by itself.',
});
export const createTooManyStreamsError = createErrorFactory({
  code: 'live.too_many_streams',
  statusCode: 429,
  message: 'You have too many Parley panels open at once. Close a few Pipedrive tabs and reload this one.',
});
export const createLiveUnavailableError = createErrorFactory({
  code: 'live.unavailable',
  statusCode: 503,
  message: 'Parley is restarting. The panel reconnects by itself in a moment.',
});
