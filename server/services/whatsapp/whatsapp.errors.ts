import { createErrorFactory } from '../../errors.ts';

export const createChannelNotFoundError = createErrorFactory({
  code: 'whatsapp.channel_not_found',
  statusCode: 404,
  message: 'No such WhatsApp number.',
});
export const createChannelExistsError = createErrorFactory({
  code: 'whatsapp.channel_exists',
  statusCode: 409,
  message: 'This WhatsApp number is already connected to a Parley workspace.',
});
export const createCredentialsRejectedError = createErrorFactory({
  code: 'whatsapp.credentials_rejected',
  statusCode: 422,
  message: 'WhatsApp did not accept these credentials.',
});
export const createProviderUnavailableError = createErrorFactory({
  code: 'whatsapp.unavailable',
  statusCode: 502,
  message: 'WhatsApp could not be reached. Try again in a minute.',
  expose: true,
});
export const createSandboxOnlyError = createErrorFactory({
  code: 'whatsapp.sandbox_only',
  statusCode: 404,
  message: 'The sandbox number is only offered when Parley runs with the sandbox.',
});
export const createChatNotFoundError = createErrorFactory({
  code: 'whatsapp.chat_not_found',
  statusCode: 404,
  message: 'No such chat.',
});
export const createTemplateNotUsableError = createErrorFactory({
  code: 'whatsapp.template_not_usable',
  statusCode: 422,
  message: 'This template cannot be sent.',
});
export const createSendFailedError = createErrorFactory({
  code: 'whatsapp.send_failed',
  statusCode: 422,
  message: 'WhatsApp did not send the message.',
});
export const createChannelInactiveError = createErrorFactory({
  code: 'whatsapp.channel_inactive',
  statusCode: 409,
  message: 'This WhatsApp number was removed from Parley; add it again to send from it.',
});
export const createMediaNotFoundError = createErrorFactory({
  code: 'whatsapp.media_not_found',
  statusCode: 404,
  message: 'No stored media for this message.',
});
export const createWebhookUnknownChannelError = createErrorFactory({
  code: 'webhooks.not_found',
  statusCode: 404,
  message: 'Not found.',
});
export const createWebhookSignatureMissingError = createErrorFactory({
  code: 'webhooks.signature_missing',
  statusCode: 401,
  message: 'The X-Hub-Signature-256 header is missing.',
});
export const createWebhookSignatureInvalidError = createErrorFactory({
  code: 'webhooks.signature_invalid',
  statusCode: 403,
  message: 'The signature does not match the body.',
});
export const createWebhookMalformedError = createErrorFactory({
  code: 'webhooks.malformed',
  statusCode: 400,
  message: 'The webhook body is not a WhatsApp Business notification.',
});
export const createVerifyTokenMismatchError = createErrorFactory({
  code: 'webhooks.verify_token_mismatch',
  statusCode: 403,
  message: 'The verify token does not match.',
});
