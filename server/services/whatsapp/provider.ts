/**
 * What Parley needs from a WhatsApp provider (product.md §3). The WhatsApp Business Cloud API is the
 * first implementation (`cloud-api/`); others (a TimelinesAI account, a linked-device bridge) would
 * implement the same interface. Nothing here knows about Parley's tables.
 */

import type { KeyObject } from 'node:crypto';

/** The provider-side identity of one business number and the secrets to act for it. */
export interface ProviderAccount {
  /** Cloud API: the phone-number id messages are sent from. */
  phoneNumberId: string;
  /** Cloud API: the WhatsApp Business Account id (templates, app subscriptions). */
  wabaId: string;
  accessToken: string;
}

/** Who a message goes to: a phone-based `wa_id`, or a business-scoped user id for username-only users. */
export type Recipient = { waId: string } | { userId: string };

export interface SendResult {
  /** The provider's message id (wamid); statuses refer to it. */
  providerMessageId: string;
  /** The recipient's wa_id as the provider resolved it (may differ from what was sent, e.g. Brazil). */
  waId: string | null;
}

export interface TemplateSend {
  name: string;
  language: string;
  /** Components with parameters, in the provider's shape (header/body/button). */
  components: Record<string, unknown>[];
}

export interface MediaSend {
  kind: 'image' | 'video' | 'audio' | 'document' | 'sticker';
  /** Either a public link or a media id already uploaded to the provider. */
  link?: string;
  mediaId?: string;
  caption?: string;
  filename?: string;
}

/** A file to upload to the provider before sending it (`mimeType` without parameters). */
export interface MediaUpload {
  bytes: Buffer;
  mimeType: string;
  filename: string;
}

export interface ProviderTemplate {
  name: string;
  language: string;
  status: string;
  category: string | null;
  components: unknown[];
}

export interface DownloadedMedia {
  bytes: Buffer;
  mimeType: string;
  sha256: string;
}

/** One unit of a webhook batch: what the inbox stores as one row. */
export type WebhookItem =
  | {
      kind: 'message';
      phoneNumberId: string;
      message: Record<string, unknown>;
      /** The sender's entry of `contacts[]` (profile name, wa_id, user_id), when Meta sent one. */
      contact: Record<string, unknown> | null;
    }
  /**
   * A message the business sent from the WhatsApp Business app on its phone (coexistence,
   * `smb_message_echoes`): `from` is the business number, `to` the customer.
   */
  | { kind: 'echo'; phoneNumberId: string; message: Record<string, unknown> }
  | { kind: 'status'; phoneNumberId: string; status: Record<string, unknown> }
  | { kind: 'error'; phoneNumberId: string | null; error: Record<string, unknown> }
  | { kind: 'template_status'; wabaId: string; value: Record<string, unknown> }
  | { kind: 'other'; field: string; phoneNumberId: string | null; value: Record<string, unknown> };

export interface ParsedWebhookItem {
  /** Stable identity of the item across redeliveries (the inbox's dedupe key, before the channel prefix). */
  dedupeKey: string;
  item: WebhookItem;
}

export type SignatureCheck = 'ok' | 'missing' | 'invalid';

export interface WhatsAppProvider {
  readonly name: 'whatsapp_cloud';
  /** Authenticates a webhook POST over its exact raw bytes. */
  verifySignature(rawBody: Buffer, header: string | undefined, appSecret: string | KeyObject): SignatureCheck;
  /** Splits a parsed webhook body into items; throws `MalformedWebhookError` on a body of the wrong shape. */
  parseWebhook(body: unknown): ParsedWebhookItem[];
  /** Reads the number (checks the credentials): its display number and verified name. */
  readPhoneNumber(account: ProviderAccount): Promise<{ displayPhoneNumber: string; verifiedName: string | null }>;
  /** Subscribes the token's app to the WABA's webhooks (without it, Meta delivers nothing). */
  subscribeApp(account: ProviderAccount): Promise<void>;
  /** Every template of the WABA, all pages. */
  listTemplates(account: ProviderAccount): Promise<ProviderTemplate[]>;
  sendText(account: ProviderAccount, to: Recipient, text: string, replyTo?: string): Promise<SendResult>;
  sendTemplate(account: ProviderAccount, to: Recipient, template: TemplateSend): Promise<SendResult>;
  sendMedia(account: ProviderAccount, to: Recipient, media: MediaSend): Promise<SendResult>;
  /** Uploads a file for sending by id (Meta keeps it 30 days); returns the provider's media id. */
  uploadMedia(account: ProviderAccount, file: MediaUpload): Promise<string>;
  markRead(account: ProviderAccount, providerMessageId: string): Promise<void>;
  /** Resolves a media id and downloads it within its short URL lifetime; refuses more than `maxBytes`. */
  downloadMedia(account: ProviderAccount, mediaId: string, maxBytes: number): Promise<DownloadedMedia>;
  /**
   * Sets the app's webhook callback and verify token through the API (the handshake runs at once).
   * Used where Parley holds the app id and secret (the sandbox's one-click number).
   */
  configureAppWebhook(input: {
    appId: string;
    appSecret: string;
    callbackUrl: string;
    verifyToken: string;
  }): Promise<void>;
}

export class MalformedWebhookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedWebhookError';
  }
}

/**
 * A provider refused or failed a call. `code` is the provider's error code (Graph: 131047, 190…),
 * `title` its words; `transient` says whether trying again later may succeed.
 */
export class ProviderError extends Error {
  readonly code: number | string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly httpStatus: number | null;
  readonly transient: boolean;
  constructor(input: {
    code: number | string;
    title: string;
    detail?: string;
    httpStatus: number | null;
    transient: boolean;
  }) {
    super(`${input.title} (${input.code})${input.detail === undefined ? '' : `: ${input.detail}`}`);
    this.name = 'ProviderError';
    this.code = input.code;
    this.title = input.title;
    this.detail = input.detail;
    this.httpStatus = input.httpStatus;
    this.transient = input.transient;
  }
}

/** Media larger than Parley keeps; the message stays with its metadata. */
export class MediaTooLargeError extends Error {
  readonly sizeBytes: number | null;
  constructor(sizeBytes: number | null) {
    super('media larger than the configured limit');
    this.sizeBytes = sizeBytes;
    this.name = 'MediaTooLargeError';
  }
}
