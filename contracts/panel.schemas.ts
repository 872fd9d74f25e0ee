import { Type, type Static } from 'typebox';
import { Nullable, Ok } from './common.schemas.ts';

/** The API of the panels Pipedrive frames (`/api/panel/*`), called with the SDK's signed token. */

/**
 * A company's sync settings (product.md §4): what the sync engine creates in Pipedrive and how it
 * writes the timeline. Edited by Pipedrive admins in the app-settings page; read by the sync jobs.
 */
export const SyncSettingsSchema = Type.Object(
  {
    autoCreatePersons: Type.Boolean(),
    skipGroups: Type.Boolean(),
    /** Numbers or prefixes in E.164 (`+1800`, `+34600111222`) that are never synced. */
    exclusions: Type.Array(Type.String({ pattern: '^\\+[0-9]{1,15}$' }), { maxItems: 500 }),
    createOnNewChat: Type.Union([Type.Literal('nothing'), Type.Literal('deal'), Type.Literal('lead')]),
    dealPipelineId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
    dealStageId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
    dealTitleTemplate: Type.String({ minLength: 1, maxLength: 200 }),
    leadTitleTemplate: Type.String({ minLength: 1, maxLength: 200 }),
    leadLabelId: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
    ownerRule: Type.Union([Type.Literal('channel_owner'), Type.Literal('fixed_user'), Type.Literal('round_robin')]),
    fixedOwnerUserId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
    timelineMode: Type.Union([Type.Literal('note'), Type.Literal('activity')]),
    /**
     * While a chat keeps talking, its note (or activity) is rewritten at most once per this many
     * seconds; the first message after a quiet spell still lands after the 2-second coalescing.
     * 0 rewrites it as messages arrive. Every rewrite is an update (10 budget tokens in Pipedrive).
     */
    timelineUpdateIntervalSeconds: Type.Union([
      Type.Literal(0),
      Type.Literal(30),
      Type.Literal(120),
      Type.Literal(600),
    ]),
  },
  { additionalProperties: false },
);
export type SyncSettingsSchema = Static<typeof SyncSettingsSchema>;
export type SyncSettings = Static<typeof SyncSettingsSchema>;

const ConnectionStateOrNone = Type.Union([
  Type.Literal('active'),
  Type.Literal('reauth_required'),
  Type.Literal('revoked'),
  Type.Literal('none'),
]);

/** The viewer's state, in the order a panel must explain it (product.md §4.5). */
export const ViewerState = Type.Union([
  Type.Literal('org_not_connected'),
  Type.Literal('reauth_required'),
  Type.Literal('personal_not_connected'),
  Type.Literal('connected'),
]);
export type ViewerState = Static<typeof ViewerState>;

export const ViewerStatus = Type.Object({
  state: ViewerState,
  company: Type.Object({ id: Type.Integer(), name: Nullable(Type.String()) }),
  organization: Type.Object({
    connected: Type.Boolean(),
    state: ConnectionStateOrNone,
    connectedBy: Nullable(Type.Object({ pipedriveUserId: Type.Integer(), name: Nullable(Type.String()) })),
    /** Why there is no organization connection any more: an admin disconnected or uninstalled it, and when. */
    ended: Nullable(
      Type.Object({
        reason: Type.Union([Type.Literal('disconnected'), Type.Literal('uninstalled')]),
        at: Type.String({ format: 'date-time' }),
      }),
    ),
  }),
  personal: Type.Object({
    connected: Type.Boolean(),
    state: ConnectionStateOrNone,
    /** The viewer consented but is not a member yet: their join request waits for an admin since then. */
    awaitingApprovalSince: Nullable(Type.String({ format: 'date-time' })),
  }),
  viewer: Type.Object({
    pipedriveUserId: Type.Integer(),
    isPipedriveAdmin: Nullable(Type.Boolean()),
    isOrgConnector: Type.Boolean(),
  }),
});
export type ViewerStatus = Static<typeof ViewerStatus>;

/** What `GET /api/panel/status` answers: the viewer's status and where to send them. */
export const PanelStatus = Type.Intersect([
  ViewerStatus,
  Type.Object({ links: Type.Object({ dashboard: Type.String(), install: Type.String() }) }),
]);
export type PanelStatus = Static<typeof PanelStatus>;

export const ConnectTicketReply = Type.Object({ url: Type.String() });
export type ConnectTicketReply = Static<typeof ConnectTicketReply>;
export const DisconnectPersonalReply = Type.Object({ ok: Type.Literal(true), ended: Type.Boolean() });
export type DisconnectPersonalReply = Static<typeof DisconnectPersonalReply>;
export const DisconnectOrganizationReply = Type.Object({ ok: Type.Literal(true), endedConnections: Type.Integer() });
export type DisconnectOrganizationReply = Static<typeof DisconnectOrganizationReply>;

export const SettingsReply = Type.Object({ settings: SyncSettingsSchema, canEdit: Type.Boolean() });
export type SettingsReply = Static<typeof SettingsReply>;
export const SavedSettingsReply = Type.Object({ settings: SyncSettingsSchema });
export type SavedSettingsReply = Static<typeof SavedSettingsReply>;

/** What the admin picks from, read from Pipedrive (`GET /api/panel/settings/options`). */
export const SettingsOptions = Type.Object({
  pipelines: Type.Array(
    Type.Object({
      id: Type.Integer(),
      name: Type.String(),
      stages: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String() })),
    }),
  ),
  leadLabels: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
  users: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String() })),
});
export type SettingsOptions = Static<typeof SettingsOptions>;

/** Pin a chat to a deal (`POST /api/panel/chats/:chatId/pin`). */
export const PinChatParams = Type.Object({ chatId: Type.String({ format: 'uuid' }) });
export type PinChatParams = Static<typeof PinChatParams>;
export const PinDealBody = Type.Object({ dealId: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
export type PinDealBody = Static<typeof PinDealBody>;
export const PinDealReply = Type.Object({ chatId: Type.String({ format: 'uuid' }), dealId: Type.Integer() });
export type PinDealReply = Static<typeof PinDealReply>;

export { Ok };
