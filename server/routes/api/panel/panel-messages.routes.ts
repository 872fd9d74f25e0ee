import { Type } from 'typebox';
import { PinChatParams } from '../../../../contracts/panel.schemas.ts';
import type { App, AppServices } from '../../../app.ts';
import { requireViewer } from '../../../plugins/extension-auth.ts';
import type { OutgoingContent } from '../../../services/whatsapp/send.service.ts';

const SendBody = Type.Union([
  Type.Object(
    {
      text: Type.String({ minLength: 1, maxLength: 4096 }),
      replyTo: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      template: Type.Object(
        {
          name: Type.String({ minLength: 1, maxLength: 512 }),
          language: Type.String({ minLength: 2, maxLength: 16 }),
          components: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()), { maxItems: 20 })),
        },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  ),
]);

/**
 * Sending from a panel (a minimal route; the full panel API is a later issue; its body schema is
 * not yet in contracts/). The viewer comes from the SDK's signed token (the panel group's hook);
 * the rules live in the panel service.
 */
export async function panelMessagesRoutes(fastify: App, { services }: { services: AppServices }): Promise<void> {
  const { panel } = services.domain;

  fastify.post(
    '/api/panel/chats/:chatId/messages',
    { schema: { params: PinChatParams, body: SendBody } },
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
      return reply.status(201).send({
        message: {
          id: message.id,
          chatId: message.chatId,
          status: message.status,
          providerMessageId: message.providerMessageId,
          body: message.body,
          type: message.type,
          sentAt: message.sentAt,
        },
      });
    },
  );
}
