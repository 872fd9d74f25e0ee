import type { FastifyInstance } from 'fastify';
import type { PipedriveContext } from '../emulator.ts';
import type { PipedriveState } from '../state.ts';
import { changeSharing, uninstallApp } from './app-callbacks.ts';
import { consentRoutes } from './consent.routes.ts';
import { signExtensionToken } from './extension-frames.ts';
import { extensionHostRoutes } from './extension-host.routes.ts';
import { installedAppsRoutes } from './installed-apps.routes.ts';
import { marketplaceRoutes } from './marketplace.routes.ts';
import { recordsRoutes } from './records.routes.ts';
import { sessionCookie, startSession, type UiContext } from './session.ts';
import { signInRoutes } from './sign-in.routes.ts';
import { createUiState, type CallbackCall, type UiState } from './ui-state.ts';

export type { CallbackCall, FrameInstance, UiState } from './ui-state.ts';

/** The in-process side of the Pipedrive pages, for tests and the Start page. */
export interface PipedriveUi {
  /** Sessions, iframe instances, sharing choices, callback calls; `extensionInitTimeoutMs` is settable. */
  readonly state: UiState;
  readonly context: UiContext;
  /** Signs in as a user, as the user picker does: a `Cookie` header value and the session's CSRF token. */
  signIn(userId: number): { cookie: string; csrfToken: string };
  /** The Uninstall button: revokes the user's grant, deletes the app's webhooks, sends the DELETE. */
  uninstall(options: { clientId: string; userId: number }): Promise<CallbackCall>;
  /** An admin's sharing control: records it and sends the sharing POST. */
  setSharing(options: { clientId: string; userId: number; isShared: boolean }): Promise<CallbackCall>;
  /** A JWT as the app's extensions receive it (for testing an app's iframe endpoints). */
  signExtensionToken(options: { clientId: string; userId: number }): Promise<string>;
}

export function createPipedriveUi(options: { state: PipedriveState }): PipedriveUi {
  const context: UiContext = { state: options.state, ui: createUiState() };
  return {
    state: context.ui,
    context,
    signIn(userId) {
      const session = startSession(context, userId);
      return { cookie: sessionCookie(session).split(';')[0] ?? '', csrfToken: session.csrfToken };
    },
    uninstall: (request) => uninstallApp(context, request),
    setSharing: (request) => changeSharing(context, request),
    async signExtensionToken({ clientId, userId }) {
      const app = context.state.apps.get(clientId);
      const user = context.state.users.get(userId);
      if (app === undefined || user === undefined) throw new Error(`unknown app ${clientId} or user ${userId}`);
      return (await signExtensionToken(context.state, app, user)).value;
    },
  };
}

/** Pages a person uses: sign-in, consent, Marketplace, app settings, record pages with extensions. */
export async function pipedriveUiRoutes(
  fastify: FastifyInstance,
  options: { context: PipedriveContext & { ui: PipedriveUi } },
): Promise<void> {
  const ctx = options.context.ui.context;
  for (const routes of [
    signInRoutes,
    consentRoutes,
    marketplaceRoutes,
    installedAppsRoutes,
    recordsRoutes,
    extensionHostRoutes,
  ])
    await fastify.register(routes, { ctx });
}
