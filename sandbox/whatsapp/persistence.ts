import { replaceEntries } from '../persistence/collections.ts';
import type { MetaApp } from './records.ts';
import type { BusinessIdentity } from './seed.ts';
import type { WhatsAppState } from './state.ts';

/**
 * What of the WhatsApp emulator survives a restart (sandbox/persistence/), in two parts:
 * - identities: the seeded businesses' app ids and secrets, WABA and phone-number ids, tokens and
 *   the keys behind business-scoped user ids and media URLs. Parley stores these, so they never
 *   change once minted; they are kept apart from the data so that starting the data afresh does
 *   not invalidate what was pasted into Parley.
 * - the snapshot: webhook settings and subscriptions, token expiries, customers, templates, every
 *   chat message and media object, the open customer-service windows and billing conversations.
 * Fault knobs come from the start options; inspection logs (attempts, verifications, Graph
 * requests) and pending timers (a status tick, a webhook retry) do not carry over.
 */
export interface WhatsAppIdentities {
  businesses: BusinessIdentity[];
  bsuidKey: string;
  mediaUrlKey: string;
}

export interface WhatsAppSnapshot {
  appWebhooks: Map<string, MetaApp['webhook']>;
  subscriptions: Map<string, Set<string>>;
  tokenExpiry: Map<string, Date | null>;
  customers: WhatsAppState['customers'];
  templates: WhatsAppState['templates'];
  messages: WhatsAppState['messages'];
  media: WhatsAppState['media'];
  lastInboundAt: WhatsAppState['lastInboundAt'];
  viewingUntil: WhatsAppState['viewingUntil'];
  conversations: WhatsAppState['conversations'];
  initial: Pick<WhatsAppState['initial'], 'customers' | 'templates'>;
}

export function takeWhatsAppSnapshot(state: WhatsAppState): WhatsAppSnapshot {
  return {
    appWebhooks: new Map([...state.apps.values()].map((app) => [app.id, app.webhook])),
    subscriptions: new Map([...state.wabas.values()].map((waba) => [waba.id, waba.subscribedAppIds])),
    tokenExpiry: new Map([...state.grants.values()].map((grant) => [grant.token, grant.expiresAt])),
    customers: state.customers,
    templates: state.templates,
    messages: state.messages,
    media: state.media,
    lastInboundAt: state.lastInboundAt,
    viewingUntil: state.viewingUntil,
    conversations: state.conversations,
    initial: { customers: state.initial.customers, templates: state.initial.templates },
  };
}

/** Lays a snapshot over freshly seeded businesses; settings of apps, WABAs or tokens it does not know are ignored. */
export function restoreWhatsAppSnapshot(state: WhatsAppState, snapshot: WhatsAppSnapshot): void {
  for (const [appId, webhook] of snapshot.appWebhooks) {
    const app = state.apps.get(appId);
    if (app !== undefined) app.webhook = webhook;
  }
  for (const [wabaId, appIds] of snapshot.subscriptions) {
    const waba = state.wabas.get(wabaId);
    if (waba !== undefined) waba.subscribedAppIds = new Set(appIds);
  }
  for (const [token, expiresAt] of snapshot.tokenExpiry) {
    const grant = state.grants.get(token);
    if (grant !== undefined) grant.expiresAt = expiresAt;
  }
  replaceEntries(state.customers, snapshot.customers);
  replaceEntries(state.messages, snapshot.messages);
  replaceEntries(state.media, snapshot.media);
  replaceEntries(state.lastInboundAt, snapshot.lastInboundAt);
  replaceEntries(state.viewingUntil, snapshot.viewingUntil);
  replaceEntries(state.conversations, snapshot.conversations);
  state.templates.splice(0, state.templates.length, ...snapshot.templates);
  state.initial.customers = snapshot.initial.customers;
  state.initial.templates = snapshot.initial.templates;
}
