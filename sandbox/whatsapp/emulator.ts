import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { SandboxClock } from '../clock.ts';
import { businessNumberRoutes } from './business-number.routes.ts';
import { ensureCustomer, receiveFromCustomer, type CustomerMessageInput } from './chat/inbound.ts';
import type { WhatsAppContext } from './context.ts';
import { mergeFaults, type WhatsAppFaults, type WhatsAppFaultsInput } from './faults.ts';
import { whatsAppFaultRoutes } from './faults.routes.ts';
import { graphRoutes } from './graph/graph.routes.ts';
import { mediaDownloadRoutes } from './graph/media-download.routes.ts';
import { createInspection, type WhatsAppInspection } from './inspection.ts';
import type { ChatMessage, Customer, Template, WebhookVerification } from './records.ts';
import { addBusiness, seedWhatsApp } from './seed.ts';
import {
  restoreWhatsAppSnapshot,
  takeWhatsAppSnapshot,
  type WhatsAppIdentities,
  type WhatsAppSnapshot,
} from './persistence.ts';
import { changeTemplateStatus, type TemplateStatusChange } from './template-status.ts';
import { createWhatsAppState, findCustomerByNumber, resetWhatsAppState, type WhatsAppState } from './state.ts';
import { businessScopedUserId } from './chat/identity.ts';
import { toDigits } from './phone-numbers.ts';
import { createEmulatorTimers } from './timers.ts';
import { dashboardRoutes, DASHBOARD_PATH } from './ui/dashboard.routes.ts';
import { phoneRoutes } from './ui/phone.routes.ts';
import { createWebhookDispatcher } from './webhooks/dispatcher.ts';
import { configureWebhook, type WebhookSettingsInput } from './webhooks/verification.ts';
import { chatOf, playVoiceNote, readChat, resolveChat, setChatOpen, type ChatSelector } from './chat/chat-selectors.ts';
import { sendFromBusinessApp } from './chat/outbound.ts';

export type { CustomerMessageInput, CustomerFile } from './chat/inbound.ts';
export type { ChatSelector } from './chat/chat-selectors.ts';
export type { WhatsAppFaults, WhatsAppFaultsInput } from './faults.ts';
export type { WebhookSettingsInput } from './webhooks/verification.ts';
export type * from './records.ts';

/** A business number the sandbox provides, with everything Parley's "connect a number" form asks for. */
export interface SandboxBusinessNumber {
  /** WhatsApp Business Account id (templates live there). */
  wabaId: string;
  /** The id messages are sent from: POST /{version}/{phoneNumberId}/messages. */
  phoneNumberId: string;
  /** Digits without '+', as Meta's webhook metadata shows it. */
  displayPhoneNumber: string;
  verifiedName: string;
  /** Bearer token accepted by the Graph API for this WABA. */
  accessToken: string;
  /** The Meta app whose secret signs webhooks (X-Hub-Signature-256). */
  appId: string;
  appSecret: string;
}

export interface WhatsAppEmulator extends WhatsAppInspection {
  /** Origin of the sandbox (set once it listens); media URLs and pages are built from it. */
  baseUrl: string;
  /** The business numbers seeded at start: [0] "Acme Demo" (start page), [1] "Globex Support". */
  numbers: SandboxBusinessNumber[];
  /** Path of the customer phone page (pick a customer, chat with a business number). */
  customerPhonePath: string;
  /** Path of the Meta app dashboard page (credentials, webhook callback + verify token, deliveries). */
  dashboardPath: string;
  /** Fastify plugin with the Graph API routes and the customer phone page. */
  routes: (fastify: FastifyInstance) => Promise<void>;
  close: () => Promise<void>;
  /** The emulator's raw state, for assertions the helpers below do not cover. */
  state: WhatsAppState;
  /** The ids, secrets and keys Parley may have stored (persistence.ts): kept for good by a sandbox with a data directory. */
  identities: WhatsAppIdentities;
  /** What a restart must find again (persistence.ts); live references, to be serialized at once. */
  snapshot(): WhatsAppSnapshot;

  /**
   * Saves an app's callback URL and verify token as the App Dashboard does: the GET verify
   * handshake runs first and the settings are kept only if it echoes the challenge.
   */
  configureWebhook(input: WebhookSettingsInput): Promise<WebhookVerification>;
  /** What POST /{waba-id}/subscribed_apps does with the app's token (defaults: numbers[0]'s WABA and app). */
  subscribeApp(input?: { wabaId?: string; appId?: string }): void;
  /**
   * Registers a WhatsApp user (or updates one): from then on the number is "on WhatsApp". A
   * `username` shows in contacts[].profile.username; `phoneHidden` makes webhooks omit the phone
   * (`wa_id`, `from`), leaving the business-scoped `user_id` (Meta's 2026 usernames).
   */
  addCustomer(input: { phone: string; name: string; username?: string | null; phoneHidden?: boolean }): Customer;
  /** The customer's business-scoped user id for a business number's WABA (default: numbers[0]). */
  businessScopedUserId(input: { customer: string; phoneNumberId?: string }): string;
  customers(): Customer[];
  /**
   * Another business (its own Meta app, WABA, number and token, no templates), appended to
   * `numbers`: for runs that need more tenants than the seed's two (the chaos run uses three).
   */
  addBusinessNumber(input: { name: string; displayPhoneNumber: string }): SandboxBusinessNumber;
  /** A customer writes to a business number; the signed inbound webhook follows. Returns the wamid. */
  sendFromCustomer(input: CustomerMessageInput): string;
  /**
   * The business replies from the WhatsApp Business app on its phone (coexistence): the customer
   * gets it and an `smb_message_echoes` webhook follows. Returns the wamid.
   */
  sendFromBusinessApp(input: ChatSelector & { text: string }): string;
  /** Every message of a chat, both directions, oldest first. */
  conversation(chat: ChatSelector): ChatMessage[];
  /** What the business sent to a customer (with its current status), oldest first. */
  sentToCustomer(chat: ChatSelector): ChatMessage[];
  /** The customer opens the chat: delivered business messages turn read (read webhooks). Returns their wamids. */
  readChat(chat: ChatSelector): string[];
  /** The customer plays an audio the business sent: `read` (if needed) then `played` statuses. */
  playVoiceNote(chat: ChatSelector & { messageId: string }): void;
  /** Keeps the chat on the customer's screen: new messages are read on delivery (only `read` is sent). */
  setChatOpen(chat: ChatSelector & { open: boolean }): void;
  /**
   * Meta changes a template's status (review, pause, disable): a `message_template_status_update`
   * webhook follows. Default WABA: numbers[0]'s. Also on the Meta app dashboard page.
   */
  setTemplateStatus(change: Omit<TemplateStatusChange, 'wabaId'> & { wabaId?: string }): Template;
  /** Makes a token expire now (Graph answers 190/463 from then on). Default: numbers[0]'s token. */
  expireAccessToken(token?: string): void;
  readonly faults: WhatsAppFaults;
  /** Changes fault knobs (nested `retry` and `statusDelays` merge). */
  setFaults(input: WhatsAppFaultsInput): void;
  /** Back to a fresh start: no webhook settings or subscriptions, seed customers and templates, the knobs it started with. */
  reset(): void;
}

export function createWhatsAppEmulator(options: {
  clock: SandboxClock;
  /** Knobs this sandbox starts with (and `reset()` returns to); the rest keep their defaults. */
  faults?: WhatsAppFaultsInput;
  /** Identities of an earlier run (else minted now). */
  identities?: WhatsAppIdentities;
  /** A snapshot of an earlier run to continue from. */
  restore?: WhatsAppSnapshot;
}): WhatsAppEmulator {
  const state = createWhatsAppState(options.clock);
  if (options.identities !== undefined) state.bsuidKey = options.identities.bsuidKey;
  state.initial.faults = options.faults ?? {};
  const numbers = seedWhatsApp(state, options.identities?.businesses);
  resetWhatsAppState(state);
  if (options.restore !== undefined) restoreWhatsAppSnapshot(state, options.restore);
  const identities: WhatsAppIdentities = {
    businesses: numbers.map((number) => ({
      appId: number.appId,
      appSecret: number.appSecret,
      wabaId: number.wabaId,
      phoneNumberId: number.phoneNumberId,
      accessToken: number.accessToken,
      messageTemplateNamespace: state.wabas.get(number.wabaId)?.messageTemplateNamespace ?? '',
    })),
    bsuidKey: state.bsuidKey,
    mediaUrlKey: options.identities?.mediaUrlKey ?? randomBytes(32).toString('hex'),
  };
  const timers = createEmulatorTimers(options.clock);
  const dispatcher = createWebhookDispatcher(state, timers);
  const context: WhatsAppContext = {
    state,
    timers,
    dispatcher,
    publish: (event) => dispatcher.publish(event),
    baseUrl: () => emulator.baseUrl,
    mediaUrlKey: identities.mediaUrlKey,
  };
  const first = numbers[0] as SandboxBusinessNumber;

  const emulator: WhatsAppEmulator = {
    baseUrl: '',
    numbers,
    customerPhonePath: '/whatsapp/phone',
    dashboardPath: DASHBOARD_PATH,
    state,
    identities,
    snapshot: () => takeWhatsAppSnapshot(state),
    ...createInspection(state, dispatcher),
    async routes(fastify) {
      await fastify.register(graphRoutes, { context });
      await fastify.register(mediaDownloadRoutes, { context });
      await fastify.register(phoneRoutes, { context });
      await fastify.register(dashboardRoutes, { context, numbers });
      await fastify.register(whatsAppFaultRoutes, { state });
      await fastify.register(businessNumberRoutes, { numbers, state });
    },
    async close() {
      timers.cancelAll();
      dispatcher.stop();
    },
    configureWebhook: (input) => configureWebhook(state, { appId: first.appId, ...input }),
    subscribeApp(input = {}) {
      const waba = state.wabas.get(input.wabaId ?? first.wabaId);
      if (!waba) throw new Error(`unknown WABA ${input.wabaId ?? ''}`);
      waba.subscribedAppIds.add(input.appId ?? waba.appId);
    },
    addCustomer: ({ phone, ...profile }) => ensureCustomer(state, phone, profile),
    businessScopedUserId({ customer, phoneNumberId = first.phoneNumberId }) {
      const found = findCustomerByNumber(state, toDigits(customer) ?? '');
      const phone = state.phones.get(phoneNumberId);
      if (!found || !phone) throw new Error(`unknown customer ${customer} or number ${phoneNumberId}`);
      return businessScopedUserId(state, found, phone.wabaId);
    },
    customers: () => [...state.customers.values()],
    addBusinessNumber({ name, displayPhoneNumber }) {
      const number = addBusiness(state, {
        appName: `${name} App`,
        wabaName: name,
        displayPhoneNumber,
        verifiedName: name,
        templates: [],
      });
      numbers.push(number);
      return number;
    },
    sendFromCustomer: (input) => receiveFromCustomer(context, input).wamid,
    sendFromBusinessApp: ({ text, ...chat }) => sendFromBusinessApp(context, resolveChat(state, chat), text).wamid,
    conversation: (chat) => chatOf(state, chat),
    sentToCustomer: (chat) => chatOf(state, chat).filter((message) => message.direction === 'outbound'),
    readChat: (chat) => readChat(context, chat),
    playVoiceNote: (chat) => playVoiceNote(context, chat),
    setTemplateStatus: (change) => changeTemplateStatus(context, { ...change, wabaId: change.wabaId ?? first.wabaId }),
    setChatOpen: (chat) => setChatOpen(state, chat),
    expireAccessToken(token = first.accessToken) {
      const grant = state.grants.get(token);
      if (!grant) throw new Error('unknown access token');
      grant.expiresAt = state.clock.now();
    },
    get faults() {
      return state.faults;
    },
    setFaults(input) {
      state.faults = mergeFaults(state.faults, input);
    },
    reset() {
      timers.cancelAll();
      dispatcher.stop();
      resetWhatsAppState(state);
    },
  };
  return emulator;
}
