import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as Schema from 'typebox/schema';
import {
  ChatParamsSchema,
  ContextQuerySchema,
  EventsQuerySchema,
  EventsTicketResponseSchema,
  InboxResponseSchema,
  MarkReadResponseSchema,
  MessagesPageSchema,
  PanelContextResponseSchema,
  InboxQuerySchema,
  LastEventIdSchema,
  MediaLinkQuerySchema,
  MediaParamsSchema,
  MessagesQuerySchema,
  type ChatParams,
  type ContextQuery,
  type EventsQuery,
  type EventsTicketResponse,
  type InboxQuery,
  type MarkReadResponse,
  type MediaLinkQuery,
  type MediaParams,
  type MessagesQuery,
} from '../../../../contracts/panel-chat.ts';
import type { AppServices } from '../../../app.ts';
import { createErrorFactory } from '../../../errors.ts';
import type { Logger } from '../../../logger.ts';
import { requireViewer, type Viewer } from '../../../plugins/extension-auth.ts';
import { createPersonalNotConnectedError } from '../../../services/connections/connections.errors.ts';
import { settledValue } from '../../../settled.ts';
import { sendStoredMedia } from '../media-reply.ts';
import { createLiveHub, type StreamSink } from '../../../services/live/live-hub.ts';
import { createReauthRequiredError } from '../../../services/pipedrive/pipedrive.errors.ts';

/** The panel group's hook verified the token (every route here but the ticketed event stream). */
const viewerOf = requireViewer;

const createLastEventIdInvalidError = createErrorFactory({
  code: 'request.invalid',
  statusCode: 400,
  message: 'Last-Event-ID must be an event number.',
});

/** A slow client whose unsent output grows past this is dropped; it reconnects and catches up by id. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/** `Last-Event-ID` from the header (EventSource's own reconnect) or the query (a panel's new EventSource). */
function lastEventIdOf(request: FastifyRequest<{ Querystring: EventsQuery }>): number | undefined {
  const raw = request.headers['last-event-id'] ?? request.query.lastEventId;
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !Schema.Check(LastEventIdSchema, raw)) throw createLastEventIdInvalidError();
  return Number(raw);
}

/**
 * A stream sink on the response that takes it over for Server-Sent Events at its first write, so
 * errors before then (too many streams) still get an ordinary JSON error response.
 */
function eventStreamSink(reply: FastifyReply, onGone: () => void): StreamSink & { started(): boolean } {
  const raw = reply.raw;
  let started = false;
  return {
    started: () => started,
    write(chunk) {
      if (!started) {
        started = true;
        void reply.hijack();
        raw.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          connection: 'keep-alive',
          // Reverse proxies (nginx) must pass events through as they come.
          'x-accel-buffering': 'no',
        });
        raw.on('close', onGone);
      }
      if (raw.writableEnded || raw.destroyed) return;
      if (raw.writableLength > MAX_BUFFERED_BYTES) {
        raw.end();
        return;
      }
      raw.write(chunk);
    },
    end() {
      if (started && !raw.writableEnded) raw.end();
    },
  };
}

/**
 * The live-chat panel API: context, messages, read marks, the floating inbox (SDK token on every
 * request), and the live-update stream (a single-use ticket, since EventSource sends no headers).
 * Company and user come only from the verified token or ticket; every id in a path, query or
 * body is looked up inside that company's workspace.
 */
export async function liveChatRoutes(fastify: FastifyInstance, { services }: { services: AppServices }): Promise<void> {
  const { domain } = services;
  // The app's logger is the pino instance buildApp was given (`loggerInstance`).
  const hub = createLiveHub({ db: services.database.db, bus: services.eventBus, logger: fastify.log as Logger });
  // shutdown.ts closes the app first; open streams would keep the HTTP server from closing.
  fastify.addHook('preClose', () => hub.close());

  /** The viewer's workspace, once their connections allow live chat (org and personal both live). */
  async function workspaceOf(viewer: Viewer): Promise<string> {
    // Read together; the status's refusals come first, as they did when it was read first.
    const [status, workspaceId] = await Promise.allSettled([
      domain.status.viewerStatus(viewer.companyId, viewer.userId),
      domain.panelChats.workspaceOf(viewer.companyId),
    ]);
    const { state } = settledValue(status);
    if (state === 'personal_not_connected') throw createPersonalNotConnectedError();
    if (state === 'reauth_required') throw createReauthRequiredError();
    return settledValue(workspaceId);
  }

  // The panel group's hook has verified the SDK token of every route in this scope.
  await fastify.register(async function withPanelToken(scope) {
    scope.post(
      '/api/panel/events-ticket',
      { schema: { response: { 200: EventsTicketResponseSchema } } },
      async (request): Promise<EventsTicketResponse> => {
        const viewer = viewerOf(request);
        await workspaceOf(viewer);
        const { ticket, expiresAt } = await domain.eventsTickets.mint(viewer);
        return { ticket, expiresAt: expiresAt.toISOString() };
      },
    );

    scope.get<{ Querystring: ContextQuery }>(
      '/api/panel/context',
      { schema: { querystring: ContextQuerySchema, response: { 200: PanelContextResponseSchema } } },
      async (request) => domain.panelContext.context(viewerOf(request), request.query),
    );

    scope.get<{ Params: ChatParams; Querystring: MessagesQuery }>(
      '/api/panel/chats/:chatId/messages',
      { schema: { params: ChatParamsSchema, querystring: MessagesQuerySchema, response: { 200: MessagesPageSchema } } },
      async (request) => {
        const viewer = viewerOf(request);
        const workspaceId = await workspaceOf(viewer);
        const { before, limit } = request.query;
        return domain.panelChats.messages(viewer.companyId, workspaceId, request.params.chatId, {
          ...(before === undefined ? {} : { before }),
          ...(limit === undefined ? {} : { limit }),
        });
      },
    );

    scope.post<{ Params: ChatParams }>(
      '/api/panel/chats/:chatId/read',
      { schema: { params: ChatParamsSchema, response: { 200: MarkReadResponseSchema } } },
      async (request): Promise<MarkReadResponse> => {
        const workspaceId = await workspaceOf(viewerOf(request));
        return domain.panelChats.markRead(workspaceId, request.params.chatId, services.eventBus);
      },
    );

    scope.get<{ Querystring: InboxQuery }>(
      '/api/panel/inbox',
      { schema: { querystring: InboxQuerySchema, response: { 200: InboxResponseSchema } } },
      async (request) => {
        const viewer = viewerOf(request);
        return domain.panelChats.inbox(viewer, await workspaceOf(viewer), request.query.q);
      },
    );
  });

  // No bearer token here: `<img>`, `<audio>` and downloads cannot send one. The signed, short-lived
  // link (issued in the messages payload for the viewer's company) is the credential.
  fastify.get<{ Params: MediaParams; Querystring: MediaLinkQuery }>(
    '/api/panel/media/:messageId',
    { config: { public: true }, schema: { params: MediaParamsSchema, querystring: MediaLinkQuerySchema } },
    async (request, reply) => {
      const { messageId } = request.params;
      const { companyId, secondsLeft } = domain.mediaLinks.verify(messageId, request.query);
      const workspaceId = await domain.panelChats.workspaceOf(companyId);
      const stored = await domain.media.read(workspaceId, messageId);
      return sendStoredMedia(reply, stored, secondsLeft);
    },
  );

  // No bearer token here: the ticket in the URL is the credential (redacted from logged URLs).
  fastify.get<{ Querystring: EventsQuery }>(
    '/api/panel/events',
    { config: { public: true }, schema: { querystring: EventsQuerySchema } },
    async (request, reply) => {
      const lastEventId = lastEventIdOf(request);
      const claims = await domain.eventsTickets.consume(request.query.ticket);
      const workspaceId = await domain.panelChats.workspaceOf(claims.companyId);
      let end: (() => void) | undefined;
      let gone = false;
      const sink = eventStreamSink(reply, () => {
        gone = true;
        end?.();
      });
      try {
        end = await hub.open({ ...claims, workspaceId, lastEventId, sink });
        if (gone) end();
      } catch (error) {
        if (!sink.started()) throw error;
        // Headers are sent: say so in the stream and close (the panel reconnects with a new ticket).
        request.log.warn({ err: error }, 'live stream failed while starting');
        sink.write(`event: error\ndata: ${JSON.stringify({ code: 'live.failed' })}\n\n`);
        sink.end();
      }
    },
  );
}
