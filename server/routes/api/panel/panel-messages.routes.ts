import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppServices } from '../../../app.ts';
import { createConnectionsRepository } from '../../../db/repositories/connections.repository.ts';
import { createExtensionAuthHook, type Viewer } from '../../../plugins/extension-auth.ts';
import { createPersonalNotConnectedError } from '../../../services/connections/connections.errors.ts';
import type { OutgoingContent } from '../../../services/whatsapp/send.service.ts';
import { createChatNotFoundError } from '../../../services/whatsapp/whatsapp.errors.ts';

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
          components: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }), { maxItems: 20 })),
        },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  ),
]);
type SendBodyType =
  | { text: string; replyTo?: string }
  | { template: { name: string; language: string; components?: Record<string, unknown>[] } };

/**
 * Sending from a panel (a minimal route; the full panel API is a later issue). The viewer comes from
 * the SDK's signed token, must have an active personal connection, and may only reach chats of the
 * workspace their company is linked to.
 */
export async function panelMessagesRoutes(
  fastify: FastifyInstance,
  { services }: { services: AppServices },
): Promise<void> {
  const { config, domain, database } = services;
  fastify.addHook('onRequest', createExtensionAuthHook(config.pipedrive.jwtSecret));

  fastify.post(
    '/api/panel/chats/:chatId/messages',
    { schema: { params: Type.Object({ chatId: Type.String({ format: 'uuid' }) }), body: SendBody } },
    async (request: FastifyRequest, reply) => {
      const viewer = request.viewer as Viewer;
      const status = await domain.status.viewerStatus(viewer.companyId, viewer.userId);
      if (!status.personal.connected || status.personal.state !== 'active') throw createPersonalNotConnectedError();
      const repository = createConnectionsRepository(database.db);
      const company = await repository.findCompany(viewer.companyId);
      // A company without a workspace has no chats; any other workspace's chat is simply "not found".
      if (company?.workspaceId == null) throw createChatNotFoundError();
      const connection = await repository.findByCompanyUser(viewer.companyId, viewer.userId);
      const body = request.body as SendBodyType;
      const content: OutgoingContent =
        'text' in body
          ? { kind: 'text', text: body.text, replyTo: body.replyTo }
          : {
              kind: 'template',
              name: body.template.name,
              language: body.template.language,
              components: body.template.components ?? [],
            };
      const message = await domain.sender.send({
        workspaceId: company.workspaceId,
        companyId: viewer.companyId,
        chatId: (request.params as { chatId: string }).chatId,
        sender: { pipedriveUserId: viewer.userId, memberId: connection?.memberId ?? null },
        content,
      });
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
