/** The WhatsApp emulator's records, in memory. Shapes follow Meta's objects (whatsapp-cloud-api.md). */

/** A Meta app: its secret signs webhooks; one callback URL per app, as on Meta. */
export interface MetaApp {
  id: string;
  name: string;
  secret: string;
  /** Set only after the GET verify handshake succeeded (App Dashboard → WhatsApp → Configuration). */
  webhook: WebhookConfig | null;
}

export interface WebhookConfig {
  callbackUrl: string;
  verifyToken: string;
  verifiedAt: Date;
}

/** A WhatsApp Business Account: templates live here; apps subscribe to it for webhooks. */
export interface Waba {
  id: string;
  name: string;
  /** The app that owns the WABA's system-user token. */
  appId: string;
  /** Apps that called POST /{waba-id}/subscribed_apps; only they receive this WABA's webhooks. */
  subscribedAppIds: Set<string>;
  currency: string;
  timezoneId: string;
  messageTemplateNamespace: string;
}

export interface BusinessPhone {
  /** phone-number-id. */
  id: string;
  wabaId: string;
  /** Digits without '+', as webhook metadata shows it. */
  displayPhoneNumber: string;
  verifiedName: string;
}

/** A bearer token: which app it belongs to and which WABAs it may act on. */
export interface AccessGrant {
  token: string;
  appId: string;
  wabaIds: string[];
  /** null = never expires (system-user tokens); set by `expireAccessToken`. */
  expiresAt: Date | null;
}

/** Someone with WhatsApp on their phone (only numbers registered here are "on WhatsApp"). */
export interface Customer {
  /** The WhatsApp id: digits without '+'. May differ from the number a business types (§4 quirks). */
  waId: string;
  /** The self-chosen profile name that webhooks carry in contacts[].profile.name. */
  name: string;
  /** A WhatsApp username (`contacts[].profile.username`), or null (chat/identity.ts). */
  username: string | null;
  /** Whether the customer hides their phone: webhooks then omit `wa_id` / `from` (chat/identity.ts). */
  phoneHidden: boolean;
  createdAt: Date;
}

export type OutboundStatus = 'accepted' | 'sent' | 'delivered' | 'read' | 'played' | 'failed';
export type InboundStatus = 'received' | 'read';

export interface TemplateButtonView {
  type: 'QUICK_REPLY' | 'URL' | 'PHONE_NUMBER' | 'COPY_CODE';
  text: string;
  /** What a tap on a quick-reply button sends back (the payload parameter, else the text). */
  payload?: string;
  url?: string;
}

export interface MediaRef {
  /** Media id (inbound, or outbound by id). */
  id?: string;
  /** Outbound by link. */
  link?: string;
  mimeType?: string;
  filename?: string;
  caption?: string;
  /** A voice note (audio recorded in WhatsApp). */
  voice?: boolean;
}

/** One message of a chat between a business number and a customer, in either direction. */
export interface ChatMessage {
  wamid: string;
  direction: 'inbound' | 'outbound';
  phoneNumberId: string;
  customerWaId: string;
  type:
    | 'text'
    | 'image'
    | 'audio'
    | 'video'
    | 'document'
    | 'sticker'
    | 'location'
    | 'contacts'
    | 'interactive'
    | 'template'
    | 'reaction'
    | 'button'
    | 'unsupported';
  /** Text, caption, rendered template body or tapped button text. */
  text: string | null;
  template: {
    name: string;
    language: string;
    category: string;
    header: string | null;
    footer: string | null;
    buttons: TemplateButtonView[];
  } | null;
  media: MediaRef | null;
  /**
   * The type's own object as the webhook shows it: location, contacts, interactive (sent, or the
   * customer's `button_reply` / `list_reply`), unsupported's errors.
   */
  content: Record<string, unknown> | Record<string, unknown>[] | null;
  reaction: { messageId: string; emoji: string } | null;
  button: { payload: string; text: string } | null;
  /** wamid this message replies to (context). */
  contextId: string | null;
  status: OutboundStatus | InboundStatus;
  /** Failure reported by the status webhook (outbound only). */
  error: { code: number; title: string } | null;
  statusHistory: { status: string; at: Date }[];
  /** Echoed in status webhooks (biz_opaque_callback_data). */
  bizOpaqueCallbackData: string | null;
  createdAt: Date;
}

export interface MediaObject {
  id: string;
  phoneNumberId: string;
  mimeType: string;
  bytes: Buffer;
  sha256Hex: string;
  filename: string | null;
  createdAt: Date;
}

export type TemplateStatus = 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED';
export type TemplateCategory = 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';

export type TemplateComponent =
  | { type: 'HEADER'; format: 'TEXT'; text: string; example?: Record<string, unknown> }
  | { type: 'HEADER'; format: 'IMAGE' | 'VIDEO' | 'DOCUMENT'; example?: Record<string, unknown> }
  | { type: 'BODY'; text: string; example?: Record<string, unknown> }
  | { type: 'FOOTER'; text: string }
  | { type: 'BUTTONS'; buttons: TemplateButtonDefinition[] };

export type TemplateButtonDefinition =
  | { type: 'QUICK_REPLY'; text: string }
  | { type: 'URL'; text: string; url: string; example?: string[] }
  | { type: 'PHONE_NUMBER'; text: string; phone_number: string }
  | { type: 'COPY_CODE'; example: string };

/** A message template as GET /{waba-id}/message_templates returns it (one object per language). */
export interface Template {
  id: string;
  wabaId: string;
  name: string;
  language: string;
  status: TemplateStatus;
  category: TemplateCategory;
  parameterFormat: 'POSITIONAL' | 'NAMED';
  components: TemplateComponent[];
  rejectedReason: string;
}

/** One POST of a webhook notification to a callback URL (every retry and duplicate is its own attempt). */
export interface WebhookAttempt {
  /** Same for every retry of one notification; a duplicate delivery gets its own id. */
  deliveryId: string;
  /** 1 for the first try, 2 for the first retry, … */
  attempt: number;
  appId: string;
  url: string;
  at: Date;
  /** The exact bytes sent (Meta-style escaped JSON). */
  body: string;
  /** The X-Hub-Signature-256 header value (`sha256=<hex>`). */
  signature: string;
  /** Receiver's HTTP status; null when the request failed (refused, timed out). */
  status: number | null;
  error: string | null;
  /** Set on a deliberate duplicate (fault knob): the delivery it repeats. */
  duplicateOf: string | null;
  /** Emulated ms until the next retry; null when this attempt succeeded or retries gave up. */
  nextRetryInMs: number | null;
}

/** A webhook Meta would not send: no verified callback, or the app is not subscribed to the WABA. */
export interface DroppedWebhook {
  at: Date;
  wabaId: string;
  appId: string | null;
  reason: 'no-subscribed-app' | 'callback-not-verified';
  kind: 'messages' | 'statuses' | 'template_status' | 'message_echoes';
}

export interface WebhookVerification {
  ok: boolean;
  appId: string;
  callbackUrl: string;
  /** The challenge sent; the callback must answer 200 with exactly this body. */
  challenge: string;
  status: number | null;
  body: string | null;
  error: string | null;
  at: Date;
}

export interface GraphRequestLog {
  method: string;
  url: string;
  status: number;
  at: Date;
}
