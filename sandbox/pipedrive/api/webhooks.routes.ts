import type { AddWebhookRequestEventActionConst, AddWebhookRequestEventObjectConst } from 'pipedrive/v1';
import type { PipedriveContext } from '../emulator.ts';
import type { User, Webhook } from '../state.ts';
import type { Caller } from './caller.ts';
import type { DefineEndpoint } from './endpoint.ts';
import { badRequest, forbidden, notFound, PipedriveApiError } from './envelope.ts';
import { SCOPES } from './scopes.ts';
import { serializeWebhookV1 } from './serializers/v1.ts';
import { pathId, readObjectBody, type Body } from './validation.ts';

const EVENT_ACTIONS = [
  'create',
  'change',
  'delete',
  '*',
] as const satisfies readonly AddWebhookRequestEventActionConst[];
const EVENT_OBJECTS = [
  'activity',
  'deal',
  'lead',
  'note',
  'organization',
  'person',
  'pipeline',
  'product',
  'stage',
  'user',
  '*',
] as const satisfies readonly AddWebhookRequestEventObjectConst[];
/** App webhooks: at most 40 per app per user (RD:webhooks-for-apps). */
export const MAX_APP_WEBHOOKS_PER_USER = 40;

/**
 * API v1 webhooks: create, list, delete. Every token in the sandbox is an app's OAuth token, so
 * every webhook made here is an app webhook (`type: "application"`): only that app sees and
 * manages it, and uninstalling removes it.
 */
export function registerWebhookEndpoints(endpoint: DefineEndpoint, context: PipedriveContext): void {
  const { state } = context;

  endpoint({
    method: 'POST',
    url: '/v1/webhooks',
    version: 'v1',
    operation: 'create',
    scopes: SCOPES.webhooksFull,
    status: 201,
    handler: ({ caller, body: rawBody }) => {
      const input = readWebhookInput(context, caller.user, readObjectBody(rawBody));
      const existing = [...state.webhooks.values()].filter(
        (webhook) => webhook.clientId === caller.app.clientId && webhook.userId === input.userId,
      );
      if (existing.length >= MAX_APP_WEBHOOKS_PER_USER) {
        throw new PipedriveApiError(422, `Webhooks limit reached (${MAX_APP_WEBHOOKS_PER_USER} per app and user)`);
      }
      const webhook: Webhook = {
        id: state.nextId('webhook'),
        companyId: caller.company.id,
        clientId: caller.app.clientId,
        ...input,
        addTime: context.clock.now(),
        isActive: true,
        banCounter: 0,
        bannedUntil: null,
        lastDeliveryTime: null,
        lastHttpStatus: null,
        lastSuccessTime: null,
      };
      state.webhooks.set(webhook.id, webhook);
      return { success: true, status: 'ok', data: serializeWebhookV1(webhook) };
    },
  });

  endpoint({
    method: 'GET',
    url: '/v1/webhooks',
    version: 'v1',
    operation: 'list',
    scopes: SCOPES.webhooksRead,
    handler: ({ caller }) => ({
      success: true,
      status: 'ok',
      data: [...state.webhooks.values()].filter((webhook) => manages(caller, webhook)).map(serializeWebhookV1),
    }),
  });

  endpoint({
    method: 'DELETE',
    url: '/v1/webhooks/:id',
    version: 'v1',
    operation: 'delete',
    scopes: SCOPES.webhooksFull,
    handler: ({ caller, params }) => {
      const webhook = state.webhooks.get(pathId(params));
      if (!webhook || webhook.companyId !== caller.company.id) throw notFound('Webhook not found');
      if (!manages(caller, webhook)) throw forbidden('You are not allowed to delete this webhook');
      state.webhooks.delete(webhook.id);
      return { success: true, status: 'ok' };
    },
  });
}

/** An app manages its own webhooks: those of its user, or, for an admin, of every user of the company. */
function manages(caller: Caller, webhook: Webhook): boolean {
  return (
    webhook.companyId === caller.company.id &&
    webhook.clientId === caller.app.clientId &&
    (webhook.userId === caller.user.id || caller.user.isAdmin)
  );
}

type WebhookInput = Pick<
  Webhook,
  | 'userId'
  | 'subscriptionUrl'
  | 'eventAction'
  | 'eventObject'
  | 'version'
  | 'name'
  | 'httpAuthUser'
  | 'httpAuthPassword'
>;

/** `AddWebhookRequest` (pipedrive@33.7.0): `name` is required there; `version` defaults to 2.0. */
function readWebhookInput(context: PipedriveContext, caller: User, body: Body): WebhookInput {
  const errors: Record<string, string> = {};
  const text = (key: string): string | undefined => {
    const value = body[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') errors[key] = `${key} must be a string`;
    return typeof value === 'string' ? value : undefined;
  };
  const subscriptionUrl = text('subscription_url');
  if (!subscriptionUrl) errors['subscription_url'] ??= 'subscription_url is required';
  else if (!isHttpUrl(subscriptionUrl)) errors['subscription_url'] = 'subscription_url must be a valid http(s) URL';
  else if (isPipedriveUrl(subscriptionUrl, context.baseUrl)) {
    errors['subscription_url'] = 'subscription_url must not point to Pipedrive';
  }
  const eventAction = text('event_action');
  if (!(EVENT_ACTIONS as readonly (string | undefined)[]).includes(eventAction)) {
    errors['event_action'] = `event_action must be one of ${EVENT_ACTIONS.join(', ')}`;
  }
  const eventObject = text('event_object');
  if (!(EVENT_OBJECTS as readonly (string | undefined)[]).includes(eventObject)) {
    errors['event_object'] = `event_object must be one of ${EVENT_OBJECTS.join(', ')}`;
  }
  const name = text('name');
  if (!name?.trim()) errors['name'] ??= 'name is required';
  const rawVersion = text('version') ?? '2.0';
  const version = rawVersion === '1.0' ? '1.0' : '2.0';
  if (rawVersion !== '1.0' && rawVersion !== '2.0') errors['version'] = 'version must be 1.0 or 2.0';
  const userId = readUserId(context, caller, body['user_id'], errors);
  const [firstError] = Object.values(errors);
  if (firstError !== undefined) throw badRequest(firstError, errors);
  return {
    userId,
    subscriptionUrl: subscriptionUrl ?? '',
    eventAction: eventAction as Webhook['eventAction'],
    eventObject: eventObject ?? '*',
    version,
    name: name ?? '',
    httpAuthUser: text('http_auth_user') ?? null,
    httpAuthPassword: text('http_auth_password') ?? null,
  };
}

/** `user_id`: whose permissions filter the events; only admins may name another user. */
function readUserId(context: PipedriveContext, caller: User, raw: unknown, errors: Record<string, string>): number {
  if (raw === undefined || raw === null) return caller.id;
  const userId = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  const user = typeof userId === 'number' ? context.state.users.get(userId) : undefined;
  if (!user || user.companyId !== caller.companyId) {
    errors['user_id'] = 'user_id must be a user of the company';
    return caller.id;
  }
  if (user.id !== caller.id && !caller.isAdmin) throw forbidden('Only admins can create webhooks for other users');
  return user.id;
}

function isHttpUrl(value: string): boolean {
  const url = URL.parse(value);
  return url !== null && (url.protocol === 'https:' || url.protocol === 'http:');
}

/** Pipedrive refuses subscription URLs on its own domain (the sandbox's own origin stands for it here). */
function isPipedriveUrl(url: string, sandboxOrigin: string): boolean {
  const { hostname, host } = new URL(url);
  const own = sandboxOrigin === '' ? null : new URL(sandboxOrigin);
  return /(^|\.)pipedrive\.com$/i.test(hostname) || (own !== null && own.host === host);
}
