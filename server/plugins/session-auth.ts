import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '../config.ts';
import type { MemberRow } from '../db/repositories/accounts.repository.ts';
import {
  createCsrfError,
  createNoWorkspaceError,
  createNotSignedInError,
} from '../services/accounts/accounts.errors.ts';
import type { ResolvedSession, SessionService } from '../services/accounts/session.service.ts';

export const SESSION_COOKIE = 'parley_session';
const SESSION_MAX_AGE_S = 14 * 24 * 60 * 60;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Cookie attributes: HttpOnly, SameSite=Lax, Secure whenever Parley is served over https. */
export function sessionCookieOptions(config: AppConfig) {
  return {
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: config.publicUrl.startsWith('https:'),
    path: '/',
    maxAge: SESSION_MAX_AGE_S,
  };
}

export function setSessionCookie(reply: FastifyReply, config: AppConfig, token: string): void {
  void reply.setCookie(SESSION_COOKIE, token, sessionCookieOptions(config));
}

export function clearSessionCookie(reply: FastifyReply, config: AppConfig): void {
  void reply.clearCookie(SESSION_COOKIE, { ...sessionCookieOptions(config), maxAge: 0 });
}

/**
 * Dashboard requests: resolves the session cookie into `request.session`. State-changing requests
 * must come from Parley's own pages: same Origin, and the session's CSRF token in `x-csrf-token`.
 * With `required`, a request without a session is refused unless its route is marked
 * `config: { public: true }` (sign-up, sign-in, an invitation's page data).
 */
export function createSessionHook(
  deps: { sessions: SessionService; config: AppConfig },
  options: { required: boolean },
) {
  const origin = new URL(deps.config.publicUrl).origin;
  return async function resolveSession(request: FastifyRequest): Promise<void> {
    const required = options.required && request.routeOptions.config.public !== true;
    const session = await deps.sessions.resolve(request.cookies[SESSION_COOKIE]);
    request.session = session ?? null;
    if (SAFE_METHODS.has(request.method)) {
      if (required && session === undefined) throw createNotSignedInError();
      return;
    }
    const requestOrigin = request.headers.origin;
    if (requestOrigin !== undefined && requestOrigin !== origin)
      throw createCsrfError({ details: { reason: 'origin' } });
    if (session === undefined) {
      if (required) throw createNotSignedInError();
      return;
    }
    const presented = request.headers['x-csrf-token'];
    if (!deps.sessions.isValidCsrf(session, typeof presented === 'string' ? presented : undefined))
      throw createCsrfError();
  };
}

/**
 * Resolves the session cookie into `request.session` and checks nothing else: for routes that answer
 * signed-out visitors themselves and carry their CSRF token in a form field (a parked install's page).
 */
export function createSessionResolver(sessions: SessionService) {
  return async function resolveSessionOnly(request: FastifyRequest): Promise<void> {
    request.session = (await sessions.resolve(request.cookies[SESSION_COOKIE])) ?? null;
  };
}

/**
 * The session of a route behind the dashboard group's session hook, which has already refused a
 * request without one. No session here means the hook is missing: a bug, answered as a 500.
 */
export function requireSession(request: FastifyRequest): ResolvedSession {
  if (request.session === null)
    throw new Error(`${request.routeOptions.url ?? request.url} is not behind the session hook`);
  return request.session;
}

/** The session's membership in its current workspace, for routes that act inside a workspace. */
export function requireMember(request: FastifyRequest): MemberRow {
  const session = requireSession(request);
  if (session.member === undefined) throw createNoWorkspaceError();
  return session.member;
}
