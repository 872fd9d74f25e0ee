import { createErrorFactory } from '../../errors.ts';

/** Failures of talking to Pipedrive, as the rest of Parley sees them. */
export const createReauthRequiredError = createErrorFactory({
  code: 'pipedrive.reauth_required',
  statusCode: 409,
  message: 'Pipedrive no longer accepts this connection. Reconnect Pipedrive to resume.',
});
export const createPipedriveUnavailableError = createErrorFactory({
  code: 'pipedrive.unavailable',
  statusCode: 503,
  message: 'Pipedrive is not answering right now. Parley will retry.',
  expose: true,
});
export const createPipedriveIdentityInvalidError = createErrorFactory({
  code: 'pipedrive.identity_invalid',
  statusCode: 502,
  message: 'Pipedrive described your user with values Parley cannot use (ids or email). Nothing was connected.',
  expose: true,
});
export const createRateLimitedError = createErrorFactory({
  code: 'pipedrive.rate_limited',
  statusCode: 429,
  message: 'Pipedrive asked Parley to slow down. Try again in a few seconds.',
});
export const createBudgetExhaustedError = createErrorFactory({
  code: 'pipedrive.budget_exhausted',
  statusCode: 429,
  message: "Your company's daily Pipedrive API budget is used up; Parley resumes when it resets.",
});
export const createPipedriveNotFoundError = createErrorFactory({
  code: 'pipedrive.not_found',
  statusCode: 404,
  message: 'Pipedrive does not show you that record (it was deleted, or you may not see it).',
});
export const createPipedriveForbiddenError = createErrorFactory({
  code: 'pipedrive.forbidden',
  statusCode: 403,
  message: 'Pipedrive does not allow this for your user or for the scopes Parley was granted.',
});
export const createPipedriveRejectedError = createErrorFactory({
  code: 'pipedrive.rejected',
  statusCode: 422,
  message: 'Pipedrive rejected the request.',
});
export const createOAuthRejectedError = createErrorFactory({
  code: 'pipedrive.oauth_rejected',
  statusCode: 400,
  message: 'Pipedrive rejected the authorization. Start the connection again.',
});
