import { randomBytes } from 'node:crypto';
import type { SandboxClock } from '../clock.ts';
import { defaultFaults, mergeFaults, type WhatsAppFaults, type WhatsAppFaultsInput } from './faults.ts';
import type {
  AccessGrant,
  BusinessPhone,
  ChatMessage,
  Customer,
  DroppedWebhook,
  GraphRequestLog,
  MediaObject,
  MetaApp,
  Template,
  Waba,
  WebhookAttempt,
  WebhookVerification,
} from './records.ts';
import { whatsAppVariants } from './phone-numbers.ts';
import { createSendLimits, type SendLimits } from './chat/send-limits.ts';

export type * from './records.ts';

/** Everything the WhatsApp emulator knows, in memory. */
export interface WhatsAppState {
  clock: SandboxClock;
  apps: Map<string, MetaApp>;
  wabas: Map<string, Waba>;
  phones: Map<string, BusinessPhone>;
  grants: Map<string, AccessGrant>;
  /** By wa_id. */
  customers: Map<string, Customer>;
  templates: Template[];
  /** By wamid, in the order they happened. */
  messages: Map<string, ChatMessage>;
  media: Map<string, MediaObject>;
  /** Last customer message per chat (`chatKey`): it opens the 24-hour customer service window. */
  lastInboundAt: Map<string, Date>;
  /** Until when a customer's phone shows a chat: messages delivered then are read at once. */
  viewingUntil: Map<string, Date>;
  /** Open (billing) conversations per chat and category: their id recurs in sent/delivered statuses. */
  conversations: Map<string, { id: string; expiresAt: Date }>;
  /** `sent` statuses held back by the reorderStatuses knob, by wamid. */
  heldSentStatuses: Map<string, Record<string, unknown>>;
  attempts: WebhookAttempt[];
  dropped: DroppedWebhook[];
  verifications: WebhookVerification[];
  graphRequests: GraphRequestLog[];
  faults: WhatsAppFaults;
  /** Key of the business-scoped user ids (chat/identity.ts): stable for a run, kept by reset. */
  bsuidKey: string;
  /** Counters of the throughput and pair-rate limits (chat/send-limits.ts). */
  sendLimits: SendLimits;
  /** What `reset()` restores. */
  initial: { customers: Customer[]; templates: Template[]; faults: WhatsAppFaultsInput };
}

export function createWhatsAppState(clock: SandboxClock): WhatsAppState {
  return {
    clock,
    apps: new Map(),
    wabas: new Map(),
    phones: new Map(),
    grants: new Map(),
    customers: new Map(),
    templates: [],
    messages: new Map(),
    media: new Map(),
    lastInboundAt: new Map(),
    viewingUntil: new Map(),
    conversations: new Map(),
    heldSentStatuses: new Map(),
    attempts: [],
    dropped: [],
    verifications: [],
    graphRequests: [],
    faults: defaultFaults(),
    sendLimits: createSendLimits(),
    bsuidKey: randomBytes(32).toString('hex'),
    initial: { customers: [], templates: [], faults: {} },
  };
}

/** Back to a fresh start; the identities (ids, secrets, tokens) stay, because Parley may have stored them. */
export function resetWhatsAppState(state: WhatsAppState): void {
  for (const app of state.apps.values()) app.webhook = null;
  for (const waba of state.wabas.values()) waba.subscribedAppIds.clear();
  for (const grant of state.grants.values()) grant.expiresAt = null;
  state.customers = new Map(state.initial.customers.map((customer) => [customer.waId, { ...customer }]));
  state.templates = state.initial.templates.map((template) => structuredClone(template));
  for (const collection of [
    state.messages,
    state.media,
    state.lastInboundAt,
    state.viewingUntil,
    state.conversations,
    state.heldSentStatuses,
  ]) {
    collection.clear();
  }
  state.attempts.length = 0;
  state.dropped.length = 0;
  state.verifications.length = 0;
  state.graphRequests.length = 0;
  state.faults = mergeFaults(defaultFaults(), state.initial.faults);
  state.sendLimits = createSendLimits();
}

export function chatKey(phoneNumberId: string, waId: string): string {
  return `${phoneNumberId}:${waId}`;
}

/** The customer a business reaches by typing `digits`, honouring the BR/MX/AR forms of one account. */
export function findCustomerByNumber(state: WhatsAppState, digits: string): Customer | undefined {
  for (const variant of whatsAppVariants(digits)) {
    const customer = state.customers.get(variant);
    if (customer) return customer;
  }
  return undefined;
}

/** Whether the 24-hour customer service window of this chat is open now (whatsapp-cloud-api.md §1.5). */
export function isWindowOpen(state: WhatsAppState, phoneNumberId: string, waId: string): boolean {
  const last = state.lastInboundAt.get(chatKey(phoneNumberId, waId));
  return last !== undefined && state.clock.now().getTime() - last.getTime() < 24 * 60 * 60 * 1000;
}

export function chatMessages(state: WhatsAppState, phoneNumberId: string, waId: string): ChatMessage[] {
  return [...state.messages.values()].filter(
    (message) => message.phoneNumberId === phoneNumberId && message.customerWaId === waId,
  );
}
