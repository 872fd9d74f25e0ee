import type { RegisteredApp, User } from '../records.ts';
import { activeGrant } from './app-status.ts';
import type { UiContext } from './session.ts';
import { sharingKey, type CallbackCall } from './ui-state.ts';

/** Pipedrive gives up on a callback that takes longer than this (not documented; generous). */
const CALLBACK_TIMEOUT_MS = 10_000;

export class AppActionError extends Error {}

function lookup(ctx: UiContext, clientId: string, userId: number): { app: RegisteredApp; user: User } {
  const app = ctx.state.apps.get(clientId);
  if (app === undefined) throw new AppActionError(`No app with client id ${clientId} is registered`);
  const user = ctx.state.users.get(userId);
  if (user === undefined) throw new AppActionError(`No user ${userId}`);
  return { app, user };
}

/**
 * A request from Pipedrive to the app's Callback URL: JSON body, `Authorization: Basic
 * base64(client_id:client_secret)`. The answer is recorded; Pipedrive does not retry.
 */
async function callApp(
  ctx: UiContext,
  app: RegisteredApp,
  method: CallbackCall['method'],
  body: Record<string, unknown>,
): Promise<CallbackCall> {
  const call: CallbackCall = {
    method,
    url: app.callbackUrl,
    clientId: app.clientId,
    body,
    status: null,
    error: null,
    at: ctx.state.clock.now(),
  };
  try {
    const response = await fetch(app.callbackUrl, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
      redirect: 'manual',
      signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS),
    });
    await response.arrayBuffer();
    call.status = response.status;
  } catch (error) {
    call.error = error instanceof Error ? error.message : String(error);
  }
  ctx.ui.callbackCalls.push(call);
  return call;
}

/**
 * Uninstall for one user (pipedrive-platform.md §2.1, §6): the grant and its tokens stop working,
 * the app's webhooks for that user are deleted, then Pipedrive sends DELETE to the Callback URL
 * with `{client_id, company_id, user_id, timestamp}`.
 */
export async function uninstallApp(
  ctx: UiContext,
  options: { clientId: string; userId: number },
): Promise<CallbackCall> {
  const { app, user } = lookup(ctx, options.clientId, options.userId);
  const grant = activeGrant(ctx.state, app.clientId, user);
  if (grant === undefined) throw new AppActionError(`${app.name} is not installed for ${user.name}`);
  const now = ctx.state.clock.now();
  grant.revokedAt = now;
  for (const token of ctx.state.accessTokens.values()) if (token.grantId === grant.id) token.revoked = true;
  // A code issued but not yet exchanged must not bring the installation back.
  for (const [code, record] of ctx.state.authorizationCodes)
    if (record.clientId === app.clientId && record.userId === user.id && !record.exchanged)
      ctx.state.authorizationCodes.delete(code);
  for (const [id, webhook] of ctx.state.webhooks)
    if (webhook.clientId === app.clientId && webhook.userId === user.id && webhook.companyId === user.companyId)
      ctx.state.webhooks.delete(id);
  // The timestamp's exact format is not documented (pipedrive-platform.md §2.1); ISO 8601 here.
  return callApp(ctx, app, 'DELETE', {
    client_id: app.clientId,
    company_id: user.companyId,
    user_id: user.id,
    timestamp: now.toISOString(),
  });
}

/**
 * An admin adds the app to every user of the company, or makes it private again; Pipedrive POSTs
 * `{company_id, user_id, isShared}` to the Callback URL (pipedrive-platform.md §1.6). The docs do
 * not say whether this request carries Basic auth; the sandbox sends it, as for uninstall.
 */
export async function changeSharing(
  ctx: UiContext,
  options: { clientId: string; userId: number; isShared: boolean },
): Promise<CallbackCall> {
  const { app, user } = lookup(ctx, options.clientId, options.userId);
  if (!user.isAdmin) throw new AppActionError('Only admins can add apps to other users');
  if (activeGrant(ctx.state, app.clientId, user) === undefined)
    throw new AppActionError(`Install ${app.name} yourself before adding it to other users`);
  ctx.ui.sharing.set(sharingKey(app.clientId, user.companyId), {
    clientId: app.clientId,
    companyId: user.companyId,
    sharedBy: user.id,
    isShared: options.isShared,
  });
  return callApp(ctx, app, 'POST', { company_id: user.companyId, user_id: user.id, isShared: options.isShared });
}
