import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import type { AppServices } from '../../../app.ts';
import { sendStoredMedia } from '../media-reply.ts';
import { requireSession } from '../../../plugins/session-auth.ts';
import { createForbiddenRoleError, createNoWorkspaceError } from '../../../services/accounts/accounts.errors.ts';
import type { ChannelView } from '../../../services/whatsapp/channels.service.ts';
import { createSandboxOnlyError, createProviderUnavailableError } from '../../../services/whatsapp/whatsapp.errors.ts';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Secret = Type.String({ minLength: 1, maxLength: 4096 });
const GraphId = Type.String({ pattern: '^[0-9]{1,32}$' });
const AddBody = Type.Object(
  {
    phoneNumberId: GraphId,
    wabaId: GraphId,
    accessToken: Secret,
    appSecret: Secret,
    displayName: Type.Optional(Type.String({ maxLength: 100 })),
    ownerMemberId: Type.Optional(Type.String({ format: 'uuid' })),
  },
  { additionalProperties: false },
);
const UpdateBody = Type.Object(
  {
    displayName: Type.Optional(Type.String({ maxLength: 100 })),
    ownerMemberId: Type.Optional(Type.String({ format: 'uuid' })),
    appSecret: Type.Optional(Secret),
  },
  { additionalProperties: false },
);

/** What the sandbox's `GET /whatsapp/sandbox/business-number` answers (sandbox mode only). */
interface SandboxNumber {
  phoneNumberId: string;
  wabaId: string;
  accessToken: string;
  appId: string;
  appSecret: string;
  verifiedName: string;
}

/** `/whatsapp` in the dashboard: the workspace's WhatsApp numbers. Admins manage; members see the list. */
export async function whatsappRoutes(fastify: FastifyInstance, { services }: { services: AppServices }): Promise<void> {
  const { config, domain } = services;

  const membership = (request: FastifyRequest) => {
    const session = requireSession(request);
    if (session.member === undefined) throw createNoWorkspaceError();
    const isAdmin = session.member.role === 'owner' || session.member.role === 'admin';
    return { member: session.member, isAdmin };
  };
  const admin = (request: FastifyRequest) => {
    const acting = membership(request);
    if (!acting.isAdmin) throw createForbiddenRoleError();
    return acting.member;
  };
  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;
  /** Members see numbers and their state, not the verify token. */
  const forRole = (channel: ChannelView, isAdmin: boolean): ChannelView =>
    isAdmin ? channel : { ...channel, verifyToken: null };

  fastify.get('/api/whatsapp/channels', async (request) => {
    const { member, isAdmin } = membership(request);
    const channels = await domain.channels.list(member.workspaceId);
    return {
      channels: channels.map((channel) => forRole(channel, isAdmin)),
      canManage: isAdmin,
      sandbox: config.sandbox.enabled,
      webhookBaseUrl: `${config.publicUrl}/webhooks/whatsapp/`,
    };
  });

  fastify.get('/api/whatsapp/channels/:id', { schema: { params: IdParams } }, async (request) => {
    const { member, isAdmin } = membership(request);
    const channel = await domain.channels.get(member.workspaceId, idOf(request));
    return { channel: forRole(channel, isAdmin) };
  });

  fastify.get('/api/whatsapp/channels/:id/templates', { schema: { params: IdParams } }, async (request) => {
    const { member } = membership(request);
    return { templates: await domain.channels.templates(member.workspaceId, idOf(request)) };
  });

  fastify.post('/api/whatsapp/channels', { schema: { body: AddBody } }, async (request, reply) => {
    const member = admin(request);
    const channel = await domain.channels.add(member.workspaceId, member.id, request.body as Static<typeof AddBody>);
    return reply.status(201).send({ channel });
  });

  // Sandbox mode: the sandbox's business number in one click, webhook settings and subscription included.
  fastify.post('/api/whatsapp/channels/sandbox', async (request, reply) => {
    const member = admin(request);
    if (!config.sandbox.enabled) throw createSandboxOnlyError();
    const response = await fetch(`${config.sandbox.url}/whatsapp/sandbox/business-number`, {
      signal: AbortSignal.timeout(5000),
    }).catch(() => undefined);
    if (response?.ok !== true)
      throw createProviderUnavailableError({ message: 'The sandbox did not answer. Is it running (npm start)?' });
    const number = (await response.json()) as SandboxNumber;
    const added = await domain.channels.add(member.workspaceId, member.id, {
      phoneNumberId: number.phoneNumberId,
      wabaId: number.wabaId,
      accessToken: number.accessToken,
      appSecret: number.appSecret,
      appId: number.appId,
      displayName: number.verifiedName,
    });
    const channel = await domain.channels.configureWebhook(member.workspaceId, added.id);
    return reply.status(201).send({ channel });
  });

  fastify.patch('/api/whatsapp/channels/:id', { schema: { params: IdParams, body: UpdateBody } }, async (request) => {
    const member = admin(request);
    const channel = await domain.channels.update(
      member.workspaceId,
      member.id,
      idOf(request),
      request.body as Static<typeof UpdateBody>,
    );
    return { channel };
  });

  fastify.post(
    '/api/whatsapp/channels/:id/token',
    { schema: { params: IdParams, body: Type.Object({ accessToken: Secret }, { additionalProperties: false }) } },
    async (request) => {
      const member = admin(request);
      const { accessToken } = request.body as { accessToken: string };
      return { channel: await domain.channels.rotateToken(member.workspaceId, member.id, idOf(request), accessToken) };
    },
  );

  fastify.post('/api/whatsapp/channels/:id/templates/sync', { schema: { params: IdParams } }, async (request) => {
    const member = admin(request);
    await domain.channels.get(member.workspaceId, idOf(request));
    const result = await domain.channels.syncTemplates(idOf(request));
    return { result, channel: await domain.channels.get(member.workspaceId, idOf(request)) };
  });

  fastify.delete('/api/whatsapp/channels/:id', { schema: { params: IdParams } }, async (request) => {
    const member = admin(request);
    await domain.channels.remove(member.workspaceId, member.id, idOf(request));
    return { ok: true };
  });

  // Stored media of a message, for signed-in members of the message's workspace.
  fastify.get('/api/media/:id', { schema: { params: IdParams } }, async (request, reply) => {
    const { member } = membership(request);
    const stored = await domain.media.read(member.workspaceId, idOf(request));
    return sendStoredMedia(reply, stored, 3600);
  });
}
