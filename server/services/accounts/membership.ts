import type { Tx } from '../../db/client.ts';
import {
  createAccountsRepository,
  type AccountRow,
  type MemberRole,
  type MemberRow,
} from '../../db/repositories/accounts.repository.ts';
import { createConnectionsRepository } from '../../db/repositories/connections.repository.ts';
import { createTeamRepository } from '../../db/repositories/team.repository.ts';
import { actors } from '../audit/actor.ts';
import { createAuditLog } from '../audit/audit-log.ts';
import { normalizeEmail } from './accounts.service.ts';
import { claimAccountForProvenEmail } from './email-ownership.ts';

/**
 * Makes `account` a member of the workspace (keeping an existing membership as it is) and closes
 * the join requests they had pending there: whichever route let them in (invitation, approval,
 * a Marketplace install), nobody should be left with Approve/Decline for a person already in.
 * A closed request filed from a Pipedrive consent with this account's verified email kept that
 * consent's grant unbound: it is bound to the member now, so the earlier consent counts (Pipedrive
 * vouched for the email, the account proved it: the same person).
 */
export async function joinWorkspace(
  tx: Tx,
  input: {
    workspaceId: string;
    account: Pick<AccountRow, 'id' | 'email' | 'emailVerified'>;
    role: MemberRole;
    pipedrive?: { companyId: number; userId: number };
    now: Date;
  },
): Promise<MemberRow> {
  const accounts = createAccountsRepository(tx);
  const member =
    (await accounts.findMember(input.workspaceId, input.account.id)) ??
    (await accounts.addMember(input.workspaceId, input.account.id, input.role));
  const closed = await createTeamRepository(tx).closeJoinRequestsOfJoiner(
    input.workspaceId,
    {
      email: normalizeEmail(input.account.email),
      accountId: input.account.id,
      ...(input.pipedrive === undefined ? {} : { pipedrive: input.pipedrive }),
    },
    input.now,
  );
  const connections = createConnectionsRepository(tx);
  for (const request of closed) {
    if (request.pipedriveCompanyId === null || request.pipedriveUserId === null) continue;
    if (!input.account.emailVerified || request.email !== normalizeEmail(input.account.email)) continue;
    const grant = await connections.findByCompanyUser(request.pipedriveCompanyId, request.pipedriveUserId);
    if (grant !== undefined && grant.memberId === null && grant.state === 'active')
      await connections.update(grant.id, { memberId: member.id, isPersonalConnection: true });
  }
  return member;
}

/** A Pipedrive user, as `/users/me` described them right after they consented. */
export interface ConsentingPipedriveUser {
  companyId: number;
  userId: number;
  name: string;
  email: string;
}

/**
 * One consent is enough (product.md §2.2): a Pipedrive user with a pending invitation for their
 * email joins there and then. Pipedrive vouches for that email, so the account is the verified one
 * with it, an unverified one taken over (its maker loses every way in), or a new account that signs
 * in with Pipedrive only. The invitation is matched by the consenting identity's email alone, so
 * nobody can use an invitation meant for another address. Undefined when there is no invitation.
 */
export async function acceptInvitationByPipedriveIdentity(
  tx: Tx,
  input: { workspaceId: string; identity: ConsentingPipedriveUser; now: Date },
): Promise<{ member: MemberRow; account: AccountRow; newToParley: boolean } | undefined> {
  const email = normalizeEmail(input.identity.email);
  const team = createTeamRepository(tx);
  const invitation = await team.findUsableInvitationForEmail(input.workspaceId, email, input.now);
  if (invitation === undefined || !(await team.acceptInvitation(invitation.id, input.now))) return undefined;
  const accounts = createAccountsRepository(tx);
  const existing = await accounts.findAccountByEmail(email);
  // Nobody but this Pipedrive user can reach a new or taken-over account, so they may be signed in to it.
  const newToParley = existing === undefined || !existing.emailVerified;
  const account =
    existing === undefined
      ? await accounts.createAccount({
          email,
          name: input.identity.name,
          passwordHash: null,
          emailVerified: true,
        })
      : await claimAccountForProvenEmail(tx, existing);
  const member = await joinWorkspace(tx, {
    workspaceId: input.workspaceId,
    account,
    role: invitation.role,
    pipedrive: { companyId: input.identity.companyId, userId: input.identity.userId },
    now: input.now,
  });
  await createAuditLog(tx).record({
    workspaceId: input.workspaceId,
    companyId: input.identity.companyId,
    actor: actors.member(member.id),
    action: 'invitation.accepted',
    detail: { email, via: 'pipedrive' },
  });
  return { member, account, newToParley };
}

/**
 * A consenting Pipedrive user who is no member asks to join: one pending request per email, so a
 * retry updates it (audited once) and keeps its `createdAt`, returned as "waiting since". A
 * signed-in `asker` (the dashboard flow) asks with their own account and email.
 */
export async function askToJoin(
  tx: Tx,
  input: {
    workspaceId: string;
    identity: ConsentingPipedriveUser;
    asker?: Pick<AccountRow, 'id' | 'email' | 'name'> | undefined;
  },
): Promise<Date> {
  const { identity, asker } = input;
  const { row, created } = await createTeamRepository(tx).upsertJoinRequest({
    workspaceId: input.workspaceId,
    email: asker?.email ?? identity.email,
    name: asker?.name ?? identity.name,
    accountId: asker?.id ?? null,
    pipedriveCompanyId: identity.companyId,
    pipedriveUserId: identity.userId,
  });
  if (created)
    await createAuditLog(tx).record({
      workspaceId: input.workspaceId,
      companyId: identity.companyId,
      actor: actors.pipedriveUser(identity.companyId, identity.userId),
      action: 'join_request.created',
      detail: { email: identity.email },
    });
  return row.createdAt;
}

/** A member connecting again: requests they (or their Pipedrive identity) left pending are closed. */
export async function settleRequestsOfMember(
  tx: Tx,
  member: MemberRow,
  identity: Pick<ConsentingPipedriveUser, 'companyId' | 'userId'>,
  now: Date,
): Promise<void> {
  const account = await createAccountsRepository(tx).findAccount(member.accountId);
  if (account === undefined) return;
  await joinWorkspace(tx, {
    workspaceId: member.workspaceId,
    account,
    role: member.role,
    pipedrive: { companyId: identity.companyId, userId: identity.userId },
    now,
  });
}
