import { createErrorFactory } from '../../errors.ts';

export const createInvalidCredentialsError = createErrorFactory({
  code: 'auth.invalid_credentials',
  statusCode: 401,
  message: 'That email and password do not match. If you joined through Pipedrive, use “Sign in with Pipedrive”.',
});
export const createLoginRateLimitedError = createErrorFactory({
  code: 'auth.rate_limited',
  statusCode: 429,
  message: 'Too many sign-in attempts. Wait a few minutes and try again.',
});
export const createNotSignedInError = createErrorFactory({
  code: 'auth.required',
  statusCode: 401,
  message: 'Sign in to Parley first.',
});
export const createCsrfError = createErrorFactory({
  code: 'auth.csrf_invalid',
  statusCode: 403,
  message: 'This request did not come from a Parley page. Reload the page and try again.',
});
export const createEmailTakenError = createErrorFactory({
  code: 'accounts.email_taken',
  statusCode: 409,
  message: 'This email already has a Parley account. Sign in, or reset your password from the sign-in page.',
});
export const createEmailLinkInvalidError = createErrorFactory({
  code: 'accounts.link_invalid',
  statusCode: 410,
  message: 'This link is invalid, was already used, or has expired. Ask for a new one.',
});
export const createWrongCurrentPasswordError = createErrorFactory({
  code: 'accounts.wrong_password',
  statusCode: 403,
  message: 'Your current password is not right.',
});
export const createEmailUnverifiedError = createErrorFactory({
  code: 'accounts.email_unverified',
  statusCode: 403,
  message: 'Verify your email first: Parley matches invitations and installs only to a verified address.',
});
export const createWeakPasswordError = createErrorFactory({
  code: 'accounts.weak_password',
  statusCode: 400,
  message: 'Use a password of at least 10 characters.',
});
export const createForbiddenRoleError = createErrorFactory({
  code: 'workspaces.forbidden',
  statusCode: 403,
  message: 'Only workspace owners and admins can do that.',
});
export const createNoWorkspaceError = createErrorFactory({
  code: 'workspaces.none',
  statusCode: 409,
  message: 'You are not a member of any workspace yet.',
});
export const createMemberNotFoundError = createErrorFactory({
  code: 'workspaces.member_not_found',
  statusCode: 404,
  message: 'That member is not in this workspace.',
});
export const createLastOwnerError = createErrorFactory({
  code: 'workspaces.last_owner',
  statusCode: 409,
  message: 'A workspace needs at least one owner. Make someone else owner first.',
});
export const createInvitationInvalidError = createErrorFactory({
  code: 'invitations.invalid',
  statusCode: 410,
  message: 'This invitation link is invalid, was already used, or has expired. Ask an admin for a new one.',
});
export const createInvitationEmailMismatchError = createErrorFactory({
  code: 'invitations.email_mismatch',
  statusCode: 403,
  message: 'This invitation was sent to a different email address. Sign in with the invited email.',
});
export const createJoinRequestNotFoundError = createErrorFactory({
  code: 'join_requests.not_found',
  statusCode: 404,
  message: 'That join request does not exist or was already decided.',
});
export const createInvitationNotFoundError = createErrorFactory({
  code: 'invitations.not_found',
  statusCode: 404,
  message: 'That invitation is not pending in this workspace (it was used, revoked, or never existed).',
});
