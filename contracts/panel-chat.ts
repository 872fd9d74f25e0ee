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
    /** A ready answer then also carries the newest page (this many messages) of its first chat. */
    firstMessages: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
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
// Route schemas serialize through these, so only declared fields leave the server.

const IsoTime = Type.String({ format: 'date-time' });
const NullableString = Type.Union([Type.String(), Type.Null()]);
const NullableId = Type.Union([Type.Integer(), Type.Null()]);
const JsonObject = Type.Record(Type.String(), Type.Unknown());

export const EventsTicketResponseSchema = Type.Object({ ticket: Type.String(), expiresAt: IsoTime });
export type EventsTicketResponse = Static<typeof EventsTicketResponseSchema>;

/** One Server-Sent Event's `data` (its `id` is `seq`); written to the stream, not serialized by a route. */
export interface PanelLiveEvent {
  seq: number;
  /** `message.created`, `message.status` (WhatsApp pipeline), `message.media`, `chat.read` (read marks)… */
  type: string;
  /** Ids only (at least `chatId` for chat events); the panel re-reads what changed. */
  payload: { chatId?: string; messageId?: string } & Record<string, unknown>;
  at: string;
}

/** The customer-service window (whatsapp-cloud-api.md §1): free text only within 24 h of their last message. */
export const ConversationWindowSchema = Type.Object({
  state: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  /** When free text stops being allowed; null when they never wrote. */
  closesAt: Type.Union([IsoTime, Type.Null()]),
});
export type ConversationWindow = Static<typeof ConversationWindowSchema>;

export const ChannelSummarySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  phoneNumber: NullableString,
});
export type ChannelSummary = Static<typeof ChannelSummarySchema>;

const chatSummaryFields = {
  id: Type.String(),
  channel: ChannelSummarySchema,
  contact: Type.Object({ name: NullableString, number: NullableString }),
  window: ConversationWindowSchema,
  unread: Type.Integer(),
  lastMessageAt: Type.Union([IsoTime, Type.Null()]),
  links: Type.Object({ personId: NullableId, dealId: NullableId, leadId: NullableString }),
};
export const ChatSummarySchema = Type.Object(chatSummaryFields);
export type ChatSummary = Static<typeof ChatSummarySchema>;

export const TemplateSummarySchema = Type.Object({
  id: Type.String(),
  channelId: Type.String(),
  name: Type.String(),
  language: Type.String(),
  category: NullableString,
  /** The provider's components, as synced (header/body/footer/buttons with `{{n}}` placeholders). */
  components: Type.Array(Type.Unknown()),
});
export type TemplateSummary = Static<typeof TemplateSummarySchema>;

/** Pipedrive values offered to fill template variables (each editable before sending). */
export const TemplateFillSchema = Type.Object({
  personName: NullableString,
  firstName: NullableString,
  dealTitle: NullableString,
  dealValue: NullableString,
  ownerName: NullableString,
  viewerName: NullableString,
});
export type TemplateFill = Static<typeof TemplateFillSchema>;

const ViewerBlockedStateSchema = Type.Union([
  Type.Literal('org_not_connected'),
  Type.Literal('personal_not_connected'),
  Type.Literal('reauth_required'),
]);
export type ViewerBlockedState = Static<typeof ViewerBlockedStateSchema>;

const MessageStatusSchema = Type.Union([
  Type.Literal('received'),
  Type.Literal('accepted'),
  Type.Literal('sent'),
  Type.Literal('delivered'),
  Type.Literal('read'),
  Type.Literal('failed'),
]);
export type MessageStatus = Static<typeof MessageStatusSchema>;

export const ChatMessageSchema = Type.Object({
  id: Type.String(),
  /** WhatsApp's id (wamid): replies and reactions name their target by it. */
  providerMessageId: NullableString,
  direction: Type.Union([Type.Literal('inbound'), Type.Literal('outbound')]),
  /** The WhatsApp type: text, image, sticker, audio, video, document, location, contacts, interactive, button, reaction, template… */
  type: Type.String(),
  body: NullableString,
  media: Type.Union([JsonObject, Type.Null()]),
  context: Type.Union([JsonObject, Type.Null()]),
  status: MessageStatusSchema,
  error: Type.Union([
    Type.Object({
      code: Type.Union([Type.Number(), Type.String()]),
      title: Type.String(),
      detail: Type.Optional(Type.String()),
    }),
    Type.Null(),
  ]),
  sentAt: IsoTime,
  sentByPipedriveUserId: NullableId,
});
export type ChatMessage = Static<typeof ChatMessageSchema>;

export const MessagesPageSchema = Type.Object({
  /** Oldest first (the panel shows the newest at the bottom). */
  messages: Type.Array(ChatMessageSchema),
  /** Cursor for older messages; null at the beginning of the chat. */
  nextBefore: NullableString,
  chat: ChatSummarySchema,
});
export type MessagesPage = Static<typeof MessagesPageSchema>;

const ContextLinks = Type.Object({ install: Type.String(), dashboard: Type.String() });
export const PanelContextResponseSchema = Type.Union([
  Type.Object({ state: ViewerBlockedStateSchema, message: Type.String(), links: ContextLinks }),
  Type.Object({ state: Type.Literal('no_channel'), message: Type.String(), links: ContextLinks }),
  Type.Object({
    state: Type.Literal('ready'),
    person: Type.Union([Type.Object({ id: Type.Integer(), name: Type.String() }), Type.Null()]),
    deal: Type.Union([Type.Object({ id: Type.Integer(), title: Type.String() }), Type.Null()]),
    chats: Type.Array(ChatSummarySchema),
    channels: Type.Array(ChannelSummarySchema),
    templates: Type.Array(TemplateSummarySchema),
    fill: TemplateFillSchema,
    /** Asked for with `firstMessages`: the first chat's newest page, as its messages route answers it. */
    firstPage: Type.Optional(MessagesPageSchema),
    /**
     * The workspace's newest event seq, read before the chats and messages: the panel's live stream
     * starts after it (as its Last-Event-ID), so an event between this read and the stream is replayed.
     */
    liveFrom: Type.Integer({ minimum: 0 }),
  }),
]);
export type PanelContextResponse = Static<typeof PanelContextResponseSchema>;

export const InboxChatSchema = Type.Object({
  ...chatSummaryFields,
  lastMessage: Type.Union([
    Type.Object({
      direction: Type.Union([Type.Literal('inbound'), Type.Literal('outbound')]),
      type: Type.String(),
      body: NullableString,
    }),
    Type.Null(),
  ]),
});
export type InboxChat = Static<typeof InboxChatSchema>;

export const InboxResponseSchema = Type.Object({
  chats: Type.Array(InboxChatSchema),
  unreadTotal: Type.Integer(),
  /** Approved templates of the workspace's numbers (the inbox has no record to pre-fill from but the contact). */
  templates: Type.Array(TemplateSummarySchema),
  viewerName: NullableString,
  /** As the context's: the workspace's newest event seq before the chats were read (the stream's start). */
  liveFrom: Type.Integer({ minimum: 0 }),
});
export type InboxResponse = Static<typeof InboxResponseSchema>;

export const MarkReadResponseSchema = Type.Object({ marked: Type.Integer() });
export type MarkReadResponse = Static<typeof MarkReadResponseSchema>;

// ── Sending (the shapes the panels send) ──

/** `POST /api/panel/chats/:chatId/messages`: free text (optionally a reply) or a template. */
export const SendMessageBodySchema = Type.Union([
  Type.Object(
    {
      text: Type.String({ minLength: 1, maxLength: 4096 }),
      replyTo: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      template: Type.Object(
        {
          name: Type.String({ minLength: 1, maxLength: 512 }),
          language: Type.String({ minLength: 2, maxLength: 16 }),
          components: Type.Optional(Type.Array(JsonObject, { maxItems: 20 })),
        },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  ),
]);
export type SendMessageBody = Static<typeof SendMessageBodySchema>;

/** What `POST /api/panel/chats/:chatId/messages` and `…/media` answer (201). */
export const SentMessageResponseSchema = Type.Object({
  message: Type.Object({
    id: Type.String(),
    chatId: Type.String(),
    status: MessageStatusSchema,
    providerMessageId: NullableString,
    body: NullableString,
    type: Type.String(),
    sentAt: IsoTime,
  }),
});
export type SentMessageResponse = Static<typeof SentMessageResponseSchema>;

/** `POST /api/panel/chats/:chatId/pin` (the chat-identity work owns the route). */
export interface PinChatBody {
  dealId: number;
}
