import {
  MediaUploadQuerySchema,
  SendMessageBodySchema,
  SentMessageResponseSchema,
  type MediaUploadQuery,
  type SentMessageResponse,
} from '../../../../contracts/panel-chat.ts';
import { PinChatParams } from '../../../../contracts/panel.schemas.ts';
import {
  bareMimeType,
  MAX_OUTGOING_MEDIA_BYTES,
  mediaProblem,
  mediaRuleFor,
} from '../../../../contracts/whatsapp-media.ts';
import type { App, AppServices } from '../../../app.ts';
import type { MessageRow } from '../../../db/repositories/conversations.repository.ts';
import { createErrorFactory } from '../../../errors.ts';
import { requireViewer } from '../../../plugins/extension-auth.ts';
import type { OutgoingContent } from '../../../services/whatsapp/send.service.ts';

const createMediaTypeError = createErrorFactory({
  code: 'media.unsupported_type',
  statusCode: 415,
  message: 'WhatsApp cannot send this kind of file.',
});
const createEmptyFileError = createErrorFactory({
  code: 'media.empty',
  statusCode: 400,
  message: 'This file is empty. Choose another one.',
});
const createMediaSizeError = createErrorFactory({
  code: 'media.too_large',
  statusCode: 413,
  message: 'This file is larger than WhatsApp accepts.',
});

const sent = (message: MessageRow): SentMessageResponse => ({
  message: {
    id: message.id,
    chatId: message.chatId,
    status: message.status,
    providerMessageId: message.providerMessageId,
    body: message.body,
    type: message.type,
    sentAt: message.sentAt.toISOString(),
  },
});

/**
 * Sending from a panel: text, templates, and files (uploaded to WhatsApp, then sent by media id).
 * The viewer comes from the SDK's signed token (the panel group's hook); the rules live in the panel service.
 */
export async function panelMessagesRoutes(fastify: App, { services }: { services: AppServices }): Promise<void> {
  const { panel } = services.domain;

  fastify.post(
    '/api/panel/chats/:chatId/messages',
    { schema: { params: PinChatParams, body: SendMessageBodySchema, response: { 201: SentMessageResponseSchema } } },
    async (request, reply) => {
      const body = request.body;
      const content: OutgoingContent =
        'text' in body
          ? { kind: 'text', text: body.text, replyTo: body.replyTo }
          : {
              kind: 'template',
              name: body.template.name,
              language: body.template.language,
              components: body.template.components ?? [],
            };
      const message = await panel.sendMessage(requireViewer(request), request.params.chatId, content);
      return reply.status(201).send(sent(message));
    },
  );

  // The file is the raw body with its own Content-Type (no multipart parser needed); this scope reads
  // every type as bytes, up to the largest file WhatsApp takes, and checks the type's own limit.
  await fastify.register(async function uploads(scope) {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: MAX_OUTGOING_MEDIA_BYTES },
      (_request, body, done) => done(null, body),
    );
    scope.post<{ Params: { chatId: string }; Querystring: MediaUploadQuery; Body: Buffer }>(
      '/api/panel/chats/:chatId/media',
      {
        bodyLimit: MAX_OUTGOING_MEDIA_BYTES,
        schema: {
          params: PinChatParams,
          querystring: MediaUploadQuerySchema,
          response: { 201: SentMessageResponseSchema },
        },
      },
      async (request, reply) => {
        const mimeType = bareMimeType(request.headers['content-type'] ?? '');
        const bytes = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const rule = mediaRuleFor(mimeType);
        if (rule !== undefined && bytes.length === 0) throw createEmptyFileError();
        const problem = mediaProblem({ mimeType, sizeBytes: bytes.length });
        if (rule === undefined || problem !== undefined)
          throw (rule === undefined ? createMediaTypeError : createMediaSizeError)({
            ...(problem === undefined ? {} : { message: problem }),
            details: { mimeType, sizeBytes: bytes.length },
          });
        const caption = rule.kind === 'audio' || rule.kind === 'sticker' ? undefined : request.query.caption;
        const message = await panel.sendMessage(requireViewer(request), request.params.chatId, {
          kind: 'media',
          mediaKind: rule.kind,
          bytes,
          mimeType,
          filename: request.query.filename,
          caption,
        });
        return reply.status(201).send(sent(message));
      },
    );
  });
}
