import { Type, type Static } from 'typebox';
import { AUDIT_GROUPS, type AuditGroup } from './audit-actions.ts';
import { ConnectionState, DateTime, MemberRole, Nullable, Ok, Uuid } from './common.schemas.ts';

/** The dashboard's API (`/api/session`, `/api/auth/*`, `/api/team/*`, `/api/invitations/*`, `/api/integrations/*`, `/api/audit`). */

const Email = Type.String({ format: 'email', maxLength: 254 });
const Password = Type.String({ minLength: 1, maxLength: 200 });

export const SessionInfo = Type.Object({
  account: Type.Object({
    id: Uuid,
    email: Type.String(),
    name: Type.String(),
    hasPassword: Type.Boolean(),
    emailVerified: Type.Boolean(),
  }),
  workspace: Nullable(Type.Object({ id: Uuid, role: MemberRole, memberId: Uuid })),
  memberships: Type.Array(
    Type.Object({ memberId: Uuid, role: MemberRole, workspaceId: Uuid, workspaceName: Type.String() }),
  ),
  csrfToken: Type.String(),
});
export type SessionInfo = Static<typeof SessionInfo>;

export const SignUpBody = Type.Object({
  email: Email,
  password: Password,
  name: Type.String({ minLength: 1, maxLength: 120 }),
  /** The new workspace's name; left out by someone joining an existing workspace (an invitation). */
  workspaceName: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
});
export type SignUpBody = Static<typeof SignUpBody>;
/** Sign-up makes no account or session yet: the mailed link confirms the address first. */
export const SignUpReply = Type.Object({ status: Type.Literal('check_email') });
export type SignUpReply = Static<typeof SignUpReply>;

export const LoginBody = Type.Object({ email: Email, password: Password });
export type LoginBody = Static<typeof LoginBody>;
export const LoginReply = Type.Object({ accountId: Uuid });
export type LoginReply = Static<typeof LoginReply>;

/** `currentPassword` is required when the account already has a password. */
export const SetPasswordBody = Type.Object({ currentPassword: Type.Optional(Password), password: Password });
export type SetPasswordBody = Static<typeof SetPasswordBody>;
export const SwitchWorkspaceBody = Type.Object({ workspaceId: Uuid });
export type SwitchWorkspaceBody = Static<typeof SwitchWorkspaceBody>;
/** `ok: false` when the account is no member of that workspace. */
export const SwitchWorkspaceReply = Type.Object({ ok: Type.Boolean() });
export type SwitchWorkspaceReply = Static<typeof SwitchWorkspaceReply>;

export const InvitationTokenParams = Type.Object({ token: Type.String({ minLength: 16, maxLength: 100 }) });
export type InvitationTokenParams = Static<typeof InvitationTokenParams>;
export const InvitationInfo = Type.Object({
  email: Type.String(),
  role: MemberRole,
  workspaceName: Type.String(),
  expiresAt: DateTime,
});
export type InvitationInfo = Static<typeof InvitationInfo>;
export const AcceptInvitationReply = Type.Object({ workspaceId: Uuid, role: MemberRole });
export type AcceptInvitationReply = Static<typeof AcceptInvitationReply>;

export const IdParams = Type.Object({ id: Uuid });
export type IdParams = Static<typeof IdParams>;
export const JoinRequestDecisionParams = Type.Object({
  id: Uuid,
  decision: Type.Union([Type.Literal('approve'), Type.Literal('decline')]),
});
export type JoinRequestDecisionParams = Static<typeof JoinRequestDecisionParams>;
export const InviteBody = Type.Object({ email: Email, role: MemberRole });
export type InviteBody = Static<typeof InviteBody>;
export const InviteReply = Type.Object({ link: Type.String(), expiresAt: DateTime });
export type InviteReply = Static<typeof InviteReply>;
export const ChangeRoleBody = Type.Object({ role: MemberRole });
export type ChangeRoleBody = Static<typeof ChangeRoleBody>;

export const TeamInfo = Type.Object({
  members: Type.Array(Type.Object({ id: Uuid, role: MemberRole, email: Type.String(), name: Type.String() })),
  invitations: Type.Array(
    Type.Object({
      id: Uuid,
      email: Type.String(),
      role: MemberRole,
      expiresAt: DateTime,
      /** The link to copy again (owners and admins only; null for others and for old invitations). */
      link: Nullable(Type.String()),
    }),
  ),
  joinRequests: Type.Array(
    Type.Object({
      id: Uuid,
      email: Type.String(),
      name: Nullable(Type.String()),
      pipedriveUserId: Nullable(Type.Integer()),
      createdAt: DateTime,
    }),
  ),
});
export type TeamInfo = Static<typeof TeamInfo>;

export const IntegrationInfo = Type.Object({
  role: MemberRole,
  company: Nullable(
    Type.Object({
      id: Type.Integer(),
      name: Type.String(),
      status: Type.Union([Type.Literal('connected'), Type.Literal('disconnected'), Type.Literal('uninstalled')]),
      purgeAfter: Nullable(DateTime),
      appSettingsUrl: Nullable(Type.String()),
    }),
  ),
  organization: Nullable(
    Type.Object({
      state: ConnectionState,
      connectedBy: Nullable(Type.String()),
      connectedAt: DateTime,
      pipedriveUserId: Type.Integer(),
    }),
  ),
  personal: Nullable(
    Type.Object({ state: ConnectionState, pipedriveUserName: Nullable(Type.String()), connectedAt: DateTime }),
  ),
  connectedUsers: Type.Array(
    Type.Object({
      name: Nullable(Type.String()),
      email: Nullable(Type.String()),
      state: ConnectionState,
      isOrgConnection: Type.Boolean(),
    }),
  ),
});
export type IntegrationInfo = Static<typeof IntegrationInfo>;
export const DisconnectOrganizationReply = Type.Object({ ok: Type.Literal(true), endedConnections: Type.Integer() });
export type DisconnectOrganizationReply = Static<typeof DisconnectOrganizationReply>;

export const AuditEntry = Type.Object({
  id: Type.Integer(),
  actor: Type.String(),
  action: Type.String(),
  subjectType: Nullable(Type.String()),
  subjectId: Nullable(Type.String()),
  detail: Type.Record(Type.String(), Type.Unknown()),
  at: DateTime,
});
export type AuditEntry = Static<typeof AuditEntry>;
/**
 * `nextBefore`: pass as `before` for the next (older) page; null on the last page. `names`: who and
 * what the page's entries refer to, in words, keyed like the audit log writes them (`member:<id>`,
 * `pipedrive_user:<companyId>:<userId>`, `chat:<id>`, `channel:<id>`); a key missing here is no
 * longer known (a removed member, a deleted chat). `pipedriveUrl`: the company's Pipedrive address,
 * for links to its deals, persons and leads (null when none is connected).
 */
export const AuditReply = Type.Object({
  entries: Type.Array(AuditEntry),
  nextBefore: Nullable(Type.Integer()),
  names: Type.Record(Type.String(), Type.String()),
  pipedriveUrl: Nullable(Type.String()),
});
export type AuditReply = Static<typeof AuditReply>;
/**
 * `action` matches exactly, or as a prefix when it ends with `.` (`sync.`, `transcript.`); `group`
 * is one of the catalogue's groups (contracts/audit-actions.ts); `actor` as the log writes it;
 * `since` (inclusive) and `until` (exclusive) bound the time.
 */
export const AuditQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  before: Type.Optional(Type.Integer({ minimum: 1 })),
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  group: Type.Optional(Type.Union(Object.keys(AUDIT_GROUPS).map((group) => Type.Literal(group as AuditGroup)))),
  actor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  since: Type.Optional(Type.String({ format: 'date-time' })),
  until: Type.Optional(Type.String({ format: 'date-time' })),
  subjectId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});
export type AuditQuery = Static<typeof AuditQuery>;
/** Everyone who appears as an actor in the workspace's audit log, for the "who" filter; `names` as in `AuditReply`. */
export const AuditActorsReply = Type.Object({
  actors: Type.Array(Type.String()),
  names: Type.Record(Type.String(), Type.String()),
});
export type AuditActorsReply = Static<typeof AuditActorsReply>;

export { Ok };
