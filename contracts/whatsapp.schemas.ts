import { Type, type Static } from 'typebox';
import { DateTime, Nullable, Uuid } from './common.schemas.ts';

/** The dashboard's WhatsApp numbers (`/api/whatsapp/channels*`) and stored media (`/api/media/:id`). */

const Secret = Type.String({ minLength: 1, maxLength: 4096 });
/** A Graph API object id (phone-number id, WABA id): digits only. */
const GraphId = Type.String({ pattern: '^[0-9]{1,32}$' });

export const ChannelIdParams = Type.Object({ id: Uuid });
export type ChannelIdParams = Static<typeof ChannelIdParams>;

export const AddChannelBody = Type.Object(
  {
    phoneNumberId: GraphId,
    wabaId: GraphId,
    accessToken: Secret,
    appSecret: Secret,
    displayName: Type.Optional(Type.String({ maxLength: 100 })),
    ownerMemberId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type AddChannelBody = Static<typeof AddChannelBody>;

export const UpdateChannelBody = Type.Object(
  {
    displayName: Type.Optional(Type.String({ maxLength: 100 })),
    ownerMemberId: Type.Optional(Uuid),
    appSecret: Type.Optional(Secret),
  },
  { additionalProperties: false },
);
export type UpdateChannelBody = Static<typeof UpdateChannelBody>;

export const RotateTokenBody = Type.Object({ accessToken: Secret }, { additionalProperties: false });
export type RotateTokenBody = Static<typeof RotateTokenBody>;

/** One number as the dashboard shows it; `verifyToken` is null for members (admins paste it into Meta). */
export const ChannelInfo = Type.Object({
  id: Uuid,
  displayName: Type.String(),
  phoneNumber: Nullable(Type.String()),
  phoneNumberId: Type.String(),
  wabaId: Nullable(Type.String()),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  ownerMemberId: Nullable(Uuid),
  webhookUrl: Type.String(),
  verifyToken: Nullable(Type.String()),
  webhookVerifiedAt: Nullable(DateTime),
  appSubscribedAt: Nullable(DateTime),
  lastWebhookAt: Nullable(DateTime),
  templatesSyncedAt: Nullable(DateTime),
  templatesSyncError: Nullable(Type.String()),
  templateCount: Type.Integer(),
});
export type ChannelInfo = Static<typeof ChannelInfo>;

export const ChannelList = Type.Object({
  channels: Type.Array(ChannelInfo),
  canManage: Type.Boolean(),
  sandbox: Type.Boolean(),
  webhookBaseUrl: Type.String(),
});
export type ChannelList = Static<typeof ChannelList>;

export const ChannelReply = Type.Object({ channel: ChannelInfo });
export type ChannelReply = Static<typeof ChannelReply>;

export const TemplateInfo = Type.Object({
  name: Type.String(),
  language: Type.String(),
  status: Type.String(),
  category: Nullable(Type.String()),
  components: Type.Array(Type.Unknown()),
});
export type TemplateInfo = Static<typeof TemplateInfo>;
export const TemplateList = Type.Object({ templates: Type.Array(TemplateInfo) });
export type TemplateList = Static<typeof TemplateList>;

/** Template sync either counts what it stored or says why it could not. */
export const TemplateSyncReply = Type.Object({
  result: Type.Union([Type.Object({ count: Type.Integer() }), Type.Object({ error: Type.String() })]),
  channel: ChannelInfo,
});
export type TemplateSyncReply = Static<typeof TemplateSyncReply>;

/** What the sandbox's `GET /whatsapp/sandbox/business-number` answers (sandbox mode only). */
export const SandboxBusinessNumber = Type.Object({
  phoneNumberId: GraphId,
  wabaId: GraphId,
  accessToken: Secret,
  appId: Type.String(),
  appSecret: Secret,
  verifiedName: Type.String(),
});
export type SandboxBusinessNumber = Static<typeof SandboxBusinessNumber>;
