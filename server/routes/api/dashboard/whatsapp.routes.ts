import type { FastifyRequest } from 'fastify';
import * as Schema from 'typebox/schema';
import { Ok } from '../../../../contracts/common.schemas.ts';
import {
  AddChannelBody,
  ChannelIdParams,
  ChannelList,
  ChannelReply,
  RotateTokenBody,
  SandboxBusinessNumber,
  TemplateList,
  TemplateSyncReply,
  UpdateChannelBody,
} from '../../../../contracts/whatsapp.schemas.ts';
import type { App, AppServices } from '../../../app.ts';
import { sendStoredMedia } from '../media-reply.ts';
import { requireSession } from '../../../plugins/session-auth.ts';
import { createForbiddenRoleError, createNoWorkspaceError } from '../../../services/accounts/accounts.errors.ts';
import type { ChannelView } from '../../../services/whatsapp/channels.service.ts';
import { createSandboxOnlyError, createProviderUnavailableError } from '../../../services/whatsapp/whatsapp.errors.ts';

/** `/whatsapp` in the dashboard: the workspace's WhatsApp numbers. Admins manage; members see the list. */
export async function whatsappRoutes(fastify: App, { services }: { services: AppServices }): Promise<void> {
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
  /** Members see numbers and their state, not the verify token. */
  const forRole = (channel: ChannelView, isAdmin: boolean): ChannelView =>
    isAdmin ? channel : { ...channel, verifyToken: null };

  fastify.get('/api/whatsapp/channels', { schema: { response: { 200: ChannelList } } }, async (request) => {
    const { member, isAdmin } = membership(request);
    const channels = await domain.channels.list(member.workspaceId);
    return {
      channels: channels.map((channel) => forRole(channel, isAdmin)),
      canManage: isAdmin,
      sandbox: config.sandbox.enabled,
      webhookBaseUrl: `${config.publicUrl}/webhooks/whatsapp/`,
    };
  });

  fastify.get(
    '/api/whatsapp/channels/:id',
    { schema: { params: ChannelIdParams, response: { 200: ChannelReply } } },
    async (request) => {
      const { member, isAdmin } = membership(request);
      const channel = await domain.channels.get(member.workspaceId, request.params.id);
      return { channel: forRole(channel, isAdmin) };
    },
  );

  fastify.get(
    '/api/whatsapp/channels/:id/templates',
    { schema: { params: ChannelIdParams, response: { 200: TemplateList } } },
    async (request) => {
      const { member } = membership(request);
      return { templates: await domain.channels.templates(member.workspaceId, request.params.id) };
    },
  );

  fastify.post(
    '/api/whatsapp/channels',
    { schema: { body: AddChannelBody, response: { 201: ChannelReply } } },
    async (request, reply) => {
      const member = admin(request);
      const channel = await domain.channels.add(member.workspaceId, member.id, request.body);
      return reply.status(201).send({ channel });
    },
  );

  // Sandbox mode: the sandbox's business number in one click, webhook settings and subscription included.
  fastify.post(
    '/api/whatsapp/channels/sandbox',
    { schema: { response: { 201: ChannelReply } } },
    async (request, reply) => {
      const member = admin(request);
      if (!config.sandbox.enabled) throw createSandboxOnlyError();
      const response = await fetch(`${config.sandbox.url}/whatsapp/sandbox/business-number`, {
        signal: AbortSignal.timeout(5000),
      }).catch(() => undefined);
      if (response?.ok !== true)
        throw createProviderUnavailableError({ message: 'The sandbox did not answer. Is it running (npm start)?' });
      const number: unknown = await response.json();
      if (!Schema.Check(SandboxBusinessNumber, number))
        throw createProviderUnavailableError({
          message: 'The sandbox answered with something other than a business number.',
        });
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
    },
  );

  fastify.patch(
    '/api/whatsapp/channels/:id',
    { schema: { params: ChannelIdParams, body: UpdateChannelBody, response: { 200: ChannelReply } } },
    async (request) => {
      const member = admin(request);
      const channel = await domain.channels.update(member.workspaceId, member.id, request.params.id, request.body);
      return { channel };
    },
  );

  fastify.post(
    '/api/whatsapp/channels/:id/token',
    { schema: { params: ChannelIdParams, body: RotateTokenBody, response: { 200: ChannelReply } } },
    async (request) => {
      const member = admin(request);
      const { accessToken } = request.body;
      return {
        channel: await domain.channels.rotateToken(member.workspaceId, member.id, request.params.id, accessToken),
      };
    },
  );

  fastify.post(
    '/api/whatsapp/channels/:id/templates/sync',
    { schema: { params: ChannelIdParams, response: { 200: TemplateSyncReply } } },
    async (request) => {
      const member = admin(request);
      await domain.channels.get(member.workspaceId, request.params.id);
      const result = await domain.channels.syncTemplates(request.params.id);
      return { result, channel: await domain.channels.get(member.workspaceId, request.params.id) };
    },
  );

  fastify.delete(
    '/api/whatsapp/channels/:id',
    { schema: { params: ChannelIdParams, response: { 200: Ok } } },
    async (request) => {
      const member = admin(request);
      await domain.channels.remove(member.workspaceId, member.id, request.params.id);
      return { ok: true as const };
    },
  );

  // Stored media of a message, for signed-in members of the message's workspace.
  fastify.get('/api/media/:id', { schema: { params: ChannelIdParams } }, async (request, reply) => {
    const { member } = membership(request);
    const stored = await domain.media.read(member.workspaceId, request.params.id);
    return sendStoredMedia(reply, stored, 3600);
  });
}
