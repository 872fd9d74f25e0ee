import { Type, type Static } from 'typebox';

/**
 * The live-chat panel API, shared by the server (request validation) and the panels (types only:
 * panels import these with `import type`, so TypeBox never reaches their bundles).
 */

// ── Requests ────────────────────────────────────────────────────────────────

export const ChatParamsSchema = Type.Object(
  { chatId: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);
export type ChatParams = Static<typeof ChatParamsSchema>;

export const ContextQuerySchema = Type.Object(
  {
    resource: Type.Union([Type.Literal('deal'), Type.Literal('person')]),
    id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
  },
  { additionalProperties: false },
);
export type ContextQuery = Static<typeof ContextQuerySchema>;

export const MessagesQuerySchema = Type.Object(
  {
    /** The `nextBefore` of the previous page: messages older than that one. */
    before: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);
export type MessagesQuery = Static<typeof MessagesQuerySchema>;

export const InboxQuerySchema = Type.Object(
  { q: Type.Optional(Type.String({ maxLength: 100 })) },
  { additionalProperties: false },
);
export type InboxQuery = Static<typeof InboxQuerySchema>;

export const LastEventIdSchema = Type.String({ pattern: '^[0-9]{1,15}$' });
export const EventsQuerySchema = Type.Object(
  { ticket: Type.String({ minLength: 1, maxLength: 1000 }), lastEventId: Type.Optional(LastEventIdSchema) },
  { additionalProperties: false },
);
export type EventsQuery = Static<typeof EventsQuerySchema>;

/** `GET /api/panel/media/:messageId`: the signed link a message payload carries in `media.url`. */
export const MediaParamsSchema = Type.Object(
  { messageId: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);
export type MediaParams = Static<typeof MediaParamsSchema>;
export const MediaLinkQuerySchema = Type.Object(
  {
    company: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    /** Unix seconds. */
    expires: Type.Integer({ minimum: 0, maximum: 99_999_999_999 }),
    signature: Type.String({ minLength: 1, maxLength: 100 }),
  },
  { additionalProperties: false },
);
export type MediaLinkQuery = Static<typeof MediaLinkQuerySchema>;

/**
 * `POST /api/panel/chats/:chatId/media`: the file itself is the body, sent with its own
 * `Content-Type` (what WhatsApp accepts: contracts/whatsapp-media.ts); name and caption ride in the query.
 */
export const MediaUploadQuerySchema = Type.Object(
  {
    filename: Type.String({ minLength: 1, maxLength: 240 }),
    /** WhatsApp's caption limit; audio and stickers take none. */
    caption: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  },
  { additionalProperties: false },
);
export type MediaUploadQuery = Static<typeof MediaUploadQuerySchema>;

// ── Responses ───────────────────────────────────────────────────────────────

export interface EventsTicketResponse {
  ticket: string;
  expiresAt: string;
}

/** One Server-Sent Event's `data` (its `id` is `seq`). */
export interface PanelLiveEvent {
  seq: number;
  /** `message.created`, `message.status` (WhatsApp pipeline), `chat.read` (read marks)… */
  type: string;
  /** Ids only (at least `chatId` for chat events); the panel re-reads what changed. */
  payload: { chatId?: string; messageId?: string } & Record<string, unknown>;
  at: string;
}

/** The customer-service window (whatsapp-cloud-api.md §1): free text only within 24 h of their last message. */
export interface ConversationWindow {
  state: 'open' | 'closed';
  /** When free text stops being allowed; null when they never wrote. */
  closesAt: string | null;
}

export interface ChannelSummary {
  id: string;
  name: string;
  phoneNumber: string | null;
}

export interface ChatSummary {
  id: string;
  channel: ChannelSummary;
  contact: { name: string | null; number: string | null };
  window: ConversationWindow;
  unread: number;
  lastMessageAt: string | null;
  links: { personId: number | null; dealId: number | null; leadId: string | null };
}

export interface TemplateSummary {
  id: string;
  channelId: string;
  name: string;
  language: string;
  category: string | null;
  /** The provider's components, as synced (header/body/footer/buttons with `{{n}}` placeholders). */
  components: unknown[];
}

/** Pipedrive values offered to fill template variables (each editable before sending). */
export interface TemplateFill {
  personName: string | null;
  firstName: string | null;
  dealTitle: string | null;
  dealValue: string | null;
  ownerName: string | null;
  viewerName: string | null;
}

export type ViewerBlockedState = 'org_not_connected' | 'personal_not_connected' | 'reauth_required';

export type PanelContextResponse =
  | { state: ViewerBlockedState; message: string; links: { install: string; dashboard: string } }
  | { state: 'no_channel'; message: string; links: { install: string; dashboard: string } }
  | {
      state: 'ready';
      person: { id: number; name: string } | null;
      deal: { id: number; title: string } | null;
      chats: ChatSummary[];
      channels: ChannelSummary[];
      templates: TemplateSummary[];
      fill: TemplateFill;
    };

export type MessageStatus = 'received' | 'accepted' | 'sent' | 'delivered' | 'read' | 'failed';

export interface ChatMessage {
  id: string;
  /** WhatsApp's id (wamid): replies and reactions name their target by it. */
  providerMessageId: string | null;
  direction: 'inbound' | 'outbound';
  /** The WhatsApp type: text, image, sticker, audio, video, document, location, contacts, interactive, button, reaction, template… */
  type: string;
  body: string | null;
  media: Record<string, unknown> | null;
  context: Record<string, unknown> | null;
  status: MessageStatus;
  error: { code: number | string; title: string; detail?: string } | null;
  sentAt: string;
  sentByPipedriveUserId: number | null;
}

export interface MessagesPage {
  /** Oldest first (the panel shows the newest at the bottom). */
  messages: ChatMessage[];
  /** Cursor for older messages; null at the beginning of the chat. */
  nextBefore: string | null;
  chat: ChatSummary;
}

export interface InboxChat extends ChatSummary {
  lastMessage: { direction: 'inbound' | 'outbound'; type: string; body: string | null } | null;
}

export interface InboxResponse {
  chats: InboxChat[];
  unreadTotal: number;
  /** Approved templates of the workspace's numbers (the inbox has no record to pre-fill from but the contact). */
  templates: TemplateSummary[];
  viewerName: string | null;
}

export interface MarkReadResponse {
  marked: number;
}

// ── Sending (routes of the WhatsApp channels and identity work; the shapes the panels send) ──

/** A template body parameter as the Cloud API takes it (`parameter_name` for named templates). */
export interface TemplateParameter {
  type: 'text';
  text: string;
  parameter_name?: string;
}

/** `POST /api/panel/chats/:chatId/messages` (panel-messages.routes.ts). */
export type SendMessageBody =
  | { text: string; replyTo?: string }
  | {
      template: {
        name: string;
        language: string;
        components: { type: 'body'; parameters: TemplateParameter[] }[];
      };
    };

/** What `POST /api/panel/chats/:chatId/messages` and `…/media` answer (201). */
export interface SentMessageResponse {
  message: {
    id: string;
    chatId: string;
    status: MessageStatus;
    providerMessageId: string | null;
    body: string | null;
    type: string;
    sentAt: string;
  };
}

/** `POST /api/panel/chats/:chatId/pin` (the chat-identity work owns the route). */
export interface PinChatBody {
  dealId: number;
}
