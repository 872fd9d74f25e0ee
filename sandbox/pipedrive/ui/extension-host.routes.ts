import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RegisteredApp } from '../records.ts';
import { activeGrant } from './app-status.ts';
import { hostScript } from './host-script.ts';
import { frameToken, issueFrame } from './extension-frames.ts';
import { isValidCsrf, currentViewer, type UiContext, type Viewer } from './session.ts';
import { PIPEDRIVE_CSS } from './styles.ts';
import type { FrameInstance } from './ui-state.ts';

type FrameRequest = FastifyRequest<{ Params: { id: string }; Body: { action_id?: unknown; data?: unknown } }>;

/**
 * What the host page asks the server for: fresh tokens and custom modal frames. Only the signed-in
 * user's own frames, of apps they still have installed, with the page's CSRF token.
 */
function findFrame(
  ctx: UiContext,
  request: FrameRequest,
): { viewer: Viewer; frame: FrameInstance; app: RegisteredApp } | { status: number; error: string } {
  const viewer = currentViewer(ctx, request);
  if (viewer === null) return { status: 401, error: 'Not signed in' };
  if (!isValidCsrf(viewer, request.headers['x-csrf-token'])) return { status: 403, error: 'Bad CSRF token' };
  const frame = ctx.ui.frames.get(request.params.id);
  const app = frame === undefined ? undefined : ctx.state.apps.get(frame.clientId);
  if (frame === undefined || app === undefined || frame.userId !== viewer.user.id)
    return { status: 404, error: 'Unknown extension instance' };
  if (activeGrant(ctx.state, app.clientId, viewer.user) === undefined)
    return { status: 403, error: `${app.name} is not installed` };
  return { viewer, frame, app };
}

export async function extensionHostRoutes(fastify: FastifyInstance, { ctx }: { ctx: UiContext }): Promise<void> {
  fastify.get('/sandbox-assets/pipedrive.css', async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(PIPEDRIVE_CSS),
  );

  fastify.get('/sandbox-assets/host.js', async (_request, reply) => {
    const code = await hostScript();
    return reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(code);
  });

  fastify.post<{ Params: { id: string }; Body: { action_id?: unknown; data?: unknown } }>(
    '/sandbox/frames/:id/token',
    async (request, reply) => {
      const found = findFrame(ctx, request);
      if ('error' in found) return reply.code(found.status).send({ error: found.error });
      return { token: await frameToken(ctx.state, found.frame, found.app, found.viewer.user) };
    },
  );

  // OPEN_MODAL with a custom modal: `action_id` is the modal's id or name (pipedrive-platform.md §3.2).
  fastify.post<{ Params: { id: string }; Body: { action_id?: unknown; data?: unknown } }>(
    '/sandbox/frames/:id/modal',
    async (request, reply) => {
      const found = findFrame(ctx, request);
      if ('error' in found) return reply.code(found.status).send({ error: found.error });
      const { viewer, frame: opener, app } = found;
      const actionId = request.body?.action_id;
      const extension = app.extensions.find(
        (candidate) => candidate.type === 'custom_modal' && (candidate.id === actionId || candidate.name === actionId),
      );
      if (extension === undefined)
        return reply.code(404).send({ error: `${app.name} has no custom modal "${String(actionId)}"` });
      const { frame, url } = await issueFrame(ctx, {
        app,
        extension,
        user: viewer.user,
        theme: viewer.theme,
        context: opener.context,
        openerId: opener.id,
        ...(request.body?.data === undefined ? {} : { data: request.body.data }),
      });
      return { id: frame.id, url, title: `${app.name}: ${extension.name}`, size: extension.size ?? null };
    },
  );
}
