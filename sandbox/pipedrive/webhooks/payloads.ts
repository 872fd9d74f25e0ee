import type { Company, Webhook } from '../state.ts';

export type WebhookEntity =
  'activity' | 'deal' | 'lead' | 'note' | 'organization' | 'person' | 'pipeline' | 'product' | 'stage' | 'user';
export type WebhookAction = 'create' | 'change' | 'delete';
export type ChangeSource = 'api' | 'app';
export type EntityData = Record<string, unknown>;

/** One change in Pipedrive, before it is fanned out to the matching webhooks. */
export interface ChangeEvent {
  companyId: number;
  entity: WebhookEntity;
  action: WebhookAction;
  entityId: number | string;
  /** The user who made the change. */
  userId: number;
  /** `api` for REST calls, `app` for edits in Pipedrive's web app (`emulator.simulateChange`). */
  changeSource: ChangeSource;
  /** create: the object; change: its current state; delete: null. */
  data: EntityData | null;
  /** create: null; change: only the changed fields' old values; delete: the last state. */
  previous: EntityData | null;
  mergedToId?: number;
  mergedFromId?: number;
}

export interface DeliveryContext {
  webhook: Webhook;
  company: Company;
  eventId: string;
  correlationId: string;
  timestamp: Date;
  attempt: number;
  permittedUserIds: number[];
}

/**
 * Webhooks v2 body (RD:guide-for-webhooks-v2, §6 of the platform doc). Ids in `meta` are strings.
 * `meta.id` stays the same across the retries of one delivery (dedupe on it); `attempt` counts 1..4.
 */
export function buildV2Payload(event: ChangeEvent, context: DeliveryContext): object {
  return {
    meta: {
      action: event.action,
      entity: event.entity,
      entity_id: String(event.entityId),
      company_id: String(event.companyId),
      user_id: String(event.userId),
      id: context.eventId,
      correlation_id: context.correlationId,
      is_bulk_edit: false,
      timestamp: context.timestamp.toISOString(),
      type: context.webhook.clientId ? 'application' : 'general',
      version: '2.0',
      webhook_id: String(context.webhook.id),
      webhook_owner_id: String(context.webhook.userId),
      change_source: event.changeSource,
      attempt: context.attempt,
      host: `${context.company.domain}.pipedrive.com`,
      permitted_user_ids: context.permittedUserIds.map(String),
      ...(event.mergedToId === undefined ? {} : { merged_to_id: String(event.mergedToId) }),
      ...(event.mergedFromId === undefined ? {} : { merged_from_id: String(event.mergedFromId) }),
    },
    data: event.data,
    previous: event.previous,
  };
}

const V1_ACTIONS: Record<WebhookAction, string> = { create: 'added', change: 'updated', delete: 'deleted' };

/**
 * Legacy webhooks v1 body (`version: "1.0"` subscriptions; RD:guide-for-webhooks). Parley uses
 * v2; this exists so a 1.0 subscription is not silently fed v2 bodies. `current`/`previous` carry
 * the same core fields as v2 (real v1 bodies carry more).
 */
export function buildV1Payload(event: ChangeEvent, context: DeliveryContext): object {
  const action = event.mergedToId === undefined ? V1_ACTIONS[event.action] : 'merged';
  const micros = context.timestamp.getTime() * 1000;
  return {
    v: 1,
    matches_filters: { current: [] },
    meta: {
      v: 1,
      action,
      object: event.entity,
      id: event.entityId,
      company_id: event.companyId,
      user_id: event.userId,
      host: `${context.company.domain}.pipedrive.com`,
      timestamp: Math.floor(context.timestamp.getTime() / 1000),
      timestamp_micro: micros,
      permitted_user_ids: context.permittedUserIds,
      trans_pending: false,
      is_bulk_update: false,
      pipedrive_service_name: false,
      change_source: event.changeSource,
      webhook_id: String(context.webhook.id),
    },
    retry: context.attempt - 1,
    current: event.data,
    previous: event.action === 'create' ? null : event.previous,
    event: `${action}.${event.entity}`,
  };
}
