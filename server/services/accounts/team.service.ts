import { randomBytes, randomUUID } from 'node:crypto';
import type { AuditAction } from '../../../contracts/audit-actions.ts';
import type { Clock } from '../../clock.ts';
import type { Db, Tx } from '../../db/client.ts';
import {
  createAccountsRepository,
  type AccountRow,
  type JoinRequestRow,
  type MemberRole,
  type MemberRow,
} from '../../db/repositories/accounts.repository.ts';
import { createConnectionsRepository } from '../../db/repositories/connections.repository.ts';
import { createTeamRepository } from '../../db/repositories/team.repository.ts';
import { createAuditLog } from '../audit/audit-log.ts';
import type { ConnectionLifecycle } from '../connections/connection-lifecycle.service.ts';
import {
  createEmailUnverifiedError,
  createForbiddenRoleError,
  createInvitationEmailMismatchError,
  createInvitationInvalidError,
  createInvitationNotFoundError,
  createJoinRequestNotFoundError,
  createLastOwnerError,
  createMemberNotFoundError,
} from './accounts.errors.ts';
import { normalizeEmail } from './accounts.service.ts';
import { claimAccountForProvenEmail } from './email-ownership.ts';
import { joinWorkspace } from './membership.ts';
import { SecretBoxError, type SecretBox } from '../crypto/secret-box.ts';
import { hashToken } from './session.service.ts';
import { actors } from '../audit/actor.ts';

const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** The associated data binding an invitation's encrypted token to its row. */
const invitationTokenAad = (invitationId: string) => `invitations.token_ciphertext:${invitationId}`;

/** The member acting, as the session knows them. */
export interface Acting {
  member: MemberRow;
}

function requireAdmin(acting: Acting): void {
  if (acting.member.role !== 'owner' && acting.member.role !== 'admin') throw createForbiddenRoleError();
}

/**
 * Whom an approved join request makes a member. The account that asked while signed in; for a
 * Pipedrive user who asked from Pipedrive, the account their Pipedrive identity is already bound
 * to, else the account with their (Pipedrive-vouched) email if it proved that address, else a new
 * one for them. An unverified account with that email is never handed the grant as it is: it is
 * taken over (its maker's password, sessions and memberships go), so its maker cannot get in.
 */
async function accountForJoinRequest(tx: Tx, request: JoinRequestRow): Promise<AccountRow> {
  const accounts = createAccountsRepository(tx);
  const asker = request.accountId === null ? undefined : await accounts.findAccount(request.accountId);
  if (asker !== undefined) return asker;
  if (request.pipedriveCompanyId === null || request.pipedriveUserId === null) throw createJoinRequestNotFoundError();
  const grant = await createConnectionsRepository(tx).findByCompanyUser(
    request.pipedriveCompanyId,
    request.pipedriveUserId,
  );
  const boundMember = grant?.memberId == null ? undefined : await accounts.findMemberById(grant.memberId);
  const bound = boundMember === undefined ? undefined : await accounts.findAccount(boundMember.accountId);
  if (bound !== undefined) return bound;
  const byEmail = await accounts.findAccountByEmail(request.email);
  if (byEmail !== undefined) return claimAccountForProvenEmail(tx, byEmail);
  return accounts.createAccount({
    email: request.email,
    name: request.name ?? request.email,
    passwordHash: null,
    emailVerified: true,
  });
}

/** The team page: invitations, join requests, roles and removals. */
export function createTeamService(deps: {
  db: Db;
  clock: Clock;
  lifecycle: ConnectionLifecycle;
  secretBox: SecretBox;
  publicUrl: string;
}) {
  const inviteLink = (token: string) => `${deps.publicUrl}/invite/${token}`;
  /** The stored link, or null when its ciphertext does not open for this row (moved or tampered with). */
  const linkOf = (invitationId: string, ciphertext: string): string | null => {
    try {
      return inviteLink(deps.secretBox.decrypt(ciphertext, invitationTokenAad(invitationId)));
    } catch (error) {
      if (error instanceof SecretBoxError) return null;
      throw error;
    }
  };
  const audit = (acting: Acting, action: AuditAction, detail: Record<string, unknown>) =>
    createAuditLog(deps.db).record({
      workspaceId: acting.member.workspaceId,
      actor: actors.member(acting.member.id),
      action,
      detail,
    });

  /**
   * The last-owner rule, held by the database (issue 7, finding 9): inside the caller's
   * transaction, the workspace's owner rows are locked first, then the acting member and the
   * target are read again. Two owners demoting each other at once are serialized: the second sees
   * the first one's change (and that it is no longer an owner) instead of a stale count.
   */
  async function lockForOwnershipChange(tx: Tx, acting: Acting, memberId: string) {
    const accounts = createAccountsRepository(tx);
    const owners = await accounts.lockOwners(acting.member.workspaceId);
    const actor = await accounts.findMemberById(acting.member.id);
    if (actor === undefined || actor.workspaceId !== acting.member.workspaceId) throw createForbiddenRoleError();
    requireAdmin({ member: actor });
    const member = await accounts.findMemberById(memberId);
    if (member === undefined || member.workspaceId !== acting.member.workspaceId) throw createMemberNotFoundError();
    const assertNotLastOwner = () => {
      if (member.role === 'owner' && owners.filter((id) => id !== member.id).length === 0) throw createLastOwnerError();
    };
    return { accounts, actor, member, assertNotLastOwner };
  }

  return {
    /**
     * Returns the invitation link. Lookups go by the token's hash; the token itself is kept only
     * encrypted, so admins can copy the link again until it is used or revoked. A new invitation
     * replaces a pending one.
     */
    async invite(
      acting: Acting,
      input: { email: string; role: MemberRole },
    ): Promise<{ link: string; expiresAt: Date }> {
      requireAdmin(acting);
      if (input.role === 'owner' && acting.member.role !== 'owner')
        throw createForbiddenRoleError({ message: 'Only owners can invite owners.' });
      const token = randomBytes(24).toString('base64url');
      const expiresAt = new Date(deps.clock.now().getTime() + INVITATION_TTL_MS);
      const email = normalizeEmail(input.email);
      const id = randomUUID();
      await createTeamRepository(deps.db).createInvitation({
        id,
        workspaceId: acting.member.workspaceId,
        email,
        role: input.role,
        tokenHash: hashToken(token),
        tokenCiphertext: deps.secretBox.encrypt(token, invitationTokenAad(id)),
        invitedByMemberId: acting.member.id,
        expiresAt,
      });
      await audit(acting, 'invitation.created', { email, role: input.role });
      return { link: inviteLink(token), expiresAt };
    },

    async describeInvitation(token: string) {
      const invitation = await createTeamRepository(deps.db).findUsableInvitation(hashToken(token), deps.clock.now());
      if (invitation === undefined) throw createInvitationInvalidError();
      const workspace = await createAccountsRepository(deps.db).findWorkspace(invitation.workspaceId);
      return {
        email: invitation.email,
        role: invitation.role,
        workspaceName: workspace?.name ?? '',
        expiresAt: invitation.expiresAt,
      };
    },

    /** Single use, bound to the invited email, which the account must have verified. */
    async acceptInvitation(
      token: string,
      account: { id: string; email: string; emailVerified: boolean },
    ): Promise<MemberRow> {
      return deps.db.transaction(async (tx) => {
        const team = createTeamRepository(tx);
        const invitation = await team.findUsableInvitation(hashToken(token), deps.clock.now());
        if (invitation === undefined) throw createInvitationInvalidError();
        if (invitation.email !== normalizeEmail(account.email)) throw createInvitationEmailMismatchError();
        if (!account.emailVerified) throw createEmailUnverifiedError();
        if (!(await team.acceptInvitation(invitation.id, deps.clock.now()))) throw createInvitationInvalidError();
        const member = await joinWorkspace(tx, {
          workspaceId: invitation.workspaceId,
          account,
          role: invitation.role,
          now: deps.clock.now(),
        });
        await createAuditLog(tx).record({
          workspaceId: invitation.workspaceId,
          actor: actors.member(member.id),
          action: 'invitation.accepted',
          detail: { email: invitation.email },
        });
        return member;
      });
    },

    async revokeInvitation(acting: Acting, invitationId: string): Promise<void> {
      requireAdmin(acting);
      if (!(await createTeamRepository(deps.db).revokeInvitation(acting.member.workspaceId, invitationId)))
        throw createInvitationNotFoundError();
    },

    /** A signed-in account asks to join a workspace (from a join link an admin shared). */
    async requestToJoin(
      account: { id: string; email: string; name: string; emailVerified: boolean },
      workspaceId: string,
    ): Promise<void> {
      // Admins decide by the email shown: only a proven one may ask.
      if (!account.emailVerified) throw createEmailUnverifiedError();
      const accounts = createAccountsRepository(deps.db);
      if ((await accounts.findWorkspace(workspaceId)) === undefined)
        throw createJoinRequestNotFoundError({ message: 'That workspace does not exist.' });
      if ((await accounts.findMember(workspaceId, account.id)) !== undefined) return;
      await createTeamRepository(deps.db).upsertJoinRequest({
        workspaceId,
        email: account.email,
        name: account.name,
        accountId: account.id,
        pipedriveCompanyId: null,
        pipedriveUserId: null,
      });
    },

    /**
     * Approving makes the requester a member (creating a Pipedrive-sign-in account if they have none)
     * and activates the personal connection they already granted, if any.
     */
    async decideJoinRequest(acting: Acting, requestId: string, decision: 'approved' | 'declined'): Promise<void> {
      requireAdmin(acting);
      await deps.db.transaction(async (tx) => {
        const request = await createTeamRepository(tx).decideJoinRequest(
          acting.member.workspaceId,
          requestId,
          decision,
          acting.member.id,
          deps.clock.now(),
        );
        if (request === undefined) throw createJoinRequestNotFoundError();
        await createAuditLog(tx).record({
          workspaceId: acting.member.workspaceId,
          actor: actors.member(acting.member.id),
          action: `join_request.${decision}`,
          detail: { email: request.email },
        });
        if (decision === 'declined') return;
        const account = await accountForJoinRequest(tx, request);
        const member = await joinWorkspace(tx, {
          workspaceId: acting.member.workspaceId,
          account,
          role: 'member',
          ...(request.pipedriveCompanyId !== null && request.pipedriveUserId !== null
            ? { pipedrive: { companyId: request.pipedriveCompanyId, userId: request.pipedriveUserId } }
            : {}),
          now: deps.clock.now(),
        });
        if (request.pipedriveCompanyId !== null && request.pipedriveUserId !== null) {
          const connections = createConnectionsRepository(tx);
          const grant = await connections.findByCompanyUser(request.pipedriveCompanyId, request.pipedriveUserId);
          if (grant !== undefined && grant.state === 'active')
            await connections.update(grant.id, { memberId: member.id, isPersonalConnection: true });
        }
      });
    },

    async changeRole(acting: Acting, memberId: string, role: MemberRole): Promise<void> {
      requireAdmin(acting);
      const from = await deps.db.transaction(async (tx) => {
        const { accounts, actor, member, assertNotLastOwner } = await lockForOwnershipChange(tx, acting, memberId);
        if ((role === 'owner' || member.role === 'owner') && actor.role !== 'owner')
          throw createForbiddenRoleError({ message: 'Only owners can grant or take away ownership.' });
        if (role !== 'owner') assertNotLastOwner();
        await accounts.updateMemberRole(memberId, role);
        return member.role;
      });
      await audit(acting, 'member.role_changed', { memberId, from, to: role });
    },

    /** Removing a member also ends their personal connections (their grants are revoked). */
    async removeMember(acting: Acting, memberId: string): Promise<void> {
      requireAdmin(acting);
      const personalConnections = await deps.db.transaction(async (tx) => {
        const { accounts, actor, member, assertNotLastOwner } = await lockForOwnershipChange(tx, acting, memberId);
        if (member.role === 'owner' && actor.role !== 'owner')
          throw createForbiddenRoleError({ message: 'Only owners can remove an owner.' });
        assertNotLastOwner();
        const connections = await createConnectionsRepository(tx).listByMember(member.id);
        await accounts.deleteMember(member.id);
        return connections;
      });
      // Their grants end after the removal committed (each in a transaction of its own; the rows
      // are found by Pipedrive user, so the member's deletion does not hide them).
      for (const connection of personalConnections) {
        await deps.lifecycle.disconnectPersonal(
          connection.companyId,
          connection.pipedriveUserId,
          actors.member(acting.member.id),
        );
      }
      await audit(acting, 'member.removed', { memberId });
    },

    /** The team page. Invitation links only for owners and admins (a link may make an admin). */
    async overview(viewer: MemberRow) {
      const team = createTeamRepository(deps.db);
      const canManage = viewer.role === 'owner' || viewer.role === 'admin';
      const invitations = await team.listPendingInvitations(viewer.workspaceId, deps.clock.now());
      return {
        members: await createAccountsRepository(deps.db).listMembers(viewer.workspaceId),
        invitations: invitations.map(({ tokenCiphertext, ...invitation }) => ({
          ...invitation,
          // Invitations made before links were kept have none to copy: revoke and invite again.
          link: canManage && tokenCiphertext !== null ? linkOf(invitation.id, tokenCiphertext) : null,
        })),
        joinRequests: await team.listPendingJoinRequests(viewer.workspaceId),
      };
    },
  };
}

export type TeamService = ReturnType<typeof createTeamService>;
