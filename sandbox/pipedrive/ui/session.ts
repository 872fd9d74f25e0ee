import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Company, User } from '../records.ts';
import type { PipedriveState } from '../state.ts';
import type { Session, Theme, UiState } from './ui-state.ts';

/** What every page and route of the UI reads: Pipedrive's data and the UI's own state. */
export interface UiContext {
  state: PipedriveState;
  ui: UiState;
}

/**
 * The sandbox's own sign-in: a random session id in an HttpOnly cookie. The name is distinctive
 * because cookies ignore ports, so Parley (another port on localhost) shares the cookie jar.
 */
export const SESSION_COOKIE = 'pd_sandbox_session';

/** Who is looking at a page. */
export interface Viewer {
  session: Session;
  user: User;
  company: Company;
  theme: Theme;
}

export function startSession({ ui, state }: UiContext, userId: number): Session {
  const user = state.users.get(userId);
  if (user === undefined || !user.active) throw new Error(`no active sandbox user ${userId}`);
  const session: Session = {
    id: randomBytes(24).toString('base64url'),
    userId,
    csrfToken: randomBytes(24).toString('base64url'),
    createdAt: state.clock.now(),
  };
  ui.sessions.set(session.id, session);
  return session;
}

export function sessionCookie(session: Session): string {
  return `${SESSION_COOKIE}=${session.id}; Path=/; HttpOnly; SameSite=Lax`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
}

function readCookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

export function currentViewer({ ui, state }: UiContext, request: FastifyRequest): Viewer | null {
  const id = readCookie(request, SESSION_COOKIE);
  const session = id === undefined ? undefined : ui.sessions.get(id);
  if (session === undefined) return null;
  const user = state.users.get(session.userId);
  const company = user === undefined ? undefined : state.companies.get(user.companyId);
  if (user === undefined || company === undefined || !user.active) return null;
  return { session, user, company, theme: ui.themes.get(user.id) ?? 'light' };
}

/** The viewer, or null after redirecting to the user picker (which brings them back here). */
export function requireViewer(ctx: UiContext, request: FastifyRequest, reply: FastifyReply): Viewer | null {
  const viewer = currentViewer(ctx, request);
  if (viewer === null) void reply.redirect(`/auth/login?return_to=${encodeURIComponent(request.url)}`);
  return viewer;
}

/** Only local paths, so the sign-in page cannot be used to send people elsewhere. */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.includes('\\'))
    return '/deals';
  return value;
}

export function isValidCsrf(viewer: Viewer, token: unknown): boolean {
  if (typeof token !== 'string') return false;
  const expected = Buffer.from(viewer.session.csrfToken);
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
