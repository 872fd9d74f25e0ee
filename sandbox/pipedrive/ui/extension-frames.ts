import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { HostedExtension, RegisteredApp, User } from '../records.ts';
import type { PipedriveState } from '../state.ts';
import type { UiContext } from './session.ts';
import { rememberFrame, type FrameContext, type FrameInstance, type Theme } from './ui-state.ts';

/** Extension JWTs live 5 minutes (SDK README, GET_SIGNED_TOKEN). */
export const TOKEN_LIFETIME_SECONDS = 300;

/**
 * The JWT Pipedrive puts in an iframe URL and returns from GET_SIGNED_TOKEN: HS256 with the
 * extension's JWT secret (which defaults to the client secret), claims `userId` and `companyId`
 * (pipedrive-platform.md §3.4). Numbers, as in Pipedrive's own Node sample.
 */
export async function signExtensionToken(
  state: PipedriveState,
  app: RegisteredApp,
  user: User,
): Promise<{ value: string; expiresAt: Date }> {
  const issuedAt = Math.floor(state.clock.now().getTime() / 1000);
  const expiresAt = issuedAt + TOKEN_LIFETIME_SECONDS;
  const value = await new SignJWT({ userId: user.id, companyId: user.companyId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(new TextEncoder().encode(app.jwtSecret));
  return { value, expiresAt: new Date(expiresAt * 1000) };
}

export interface FrameRequest {
  app: RegisteredApp;
  extension: HostedExtension;
  user: User;
  theme: Theme;
  /** Record the frame is about (panels; modals opened from a panel). */
  context: FrameContext | null;
  openerId?: string | null;
  /** Custom modals: OPEN_MODAL's `data`, passed as a JSON string in the `data` query parameter. */
  data?: unknown;
  /** Settings page: REDIRECT_TO's `context`, as query parameters (SDK README; encoding unconfirmed). */
  extraParams?: Record<string, string>;
}

/**
 * Registers a new iframe instance and builds its URL. Query parameters as Pipedrive sends them
 * (pipedrive-platform.md §3.3): `id`, `token`, `userId`, `companyId`, then for record context
 * `resource`, `view=details`, `selectedIds`, and `theme`. Floating windows and the settings page
 * get no record context, so only `id`, `token`, `userId`, `companyId` and `theme`.
 */
export async function issueFrame(
  ctx: UiContext,
  request: FrameRequest,
): Promise<{ frame: FrameInstance; url: string }> {
  const { app, extension, user } = request;
  const token = await signExtensionToken(ctx.state, app, user);
  const frame: FrameInstance = {
    id: randomUUID(),
    clientId: app.clientId,
    extensionId: extension.id,
    type: extension.type,
    userId: user.id,
    companyId: user.companyId,
    context: request.context,
    openerId: request.openerId ?? null,
    token,
    createdAt: ctx.state.clock.now(),
  };
  rememberFrame(ctx.ui, frame);

  const url = new URL(extension.url);
  const params = url.searchParams;
  for (const [key, value] of Object.entries(request.extraParams ?? {})) params.set(key, value);
  params.set('id', frame.id);
  params.set('token', token.value);
  params.set('userId', String(user.id));
  params.set('companyId', String(user.companyId));
  if (request.context !== null) {
    params.set('resource', request.context.resource);
    params.set('view', 'details');
    params.set('selectedIds', request.context.selectedIds);
  }
  params.set('theme', request.theme);
  if (request.data !== undefined) params.set('data', JSON.stringify(request.data));
  return { frame, url: url.toString() };
}

/** GET_SIGNED_TOKEN: the frame's token while it is valid, else a new one (SDK README). */
export async function frameToken(
  state: PipedriveState,
  frame: FrameInstance,
  app: RegisteredApp,
  user: User,
): Promise<string> {
  if (frame.token !== null && frame.token.expiresAt > state.clock.now()) return frame.token.value;
  frame.token = await signExtensionToken(state, app, user);
  return frame.token.value;
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
