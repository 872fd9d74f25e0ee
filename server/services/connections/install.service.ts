import type { Clock } from '../../clock.ts';
import type { Db, Tx } from '../../db/client.ts';
import {
  createAccountsRepository,
  type AccountRow,
  type MemberRow,
} from '../../db/repositories/accounts.repository.ts';
import { createConnectionsRepository } from '../../db/repositories/connections.repository.ts';
import { isAppError } from '../../errors.ts';
import { createEmailUnverifiedError } from '../accounts/accounts.errors.ts';
import { claimAccountForProvenEmail } from '../accounts/email-ownership.ts';
import {
  acceptInvitationByPipedriveIdentity,
  askToJoin,
  joinWorkspace,
  settleRequestsOfMember,
} from '../accounts/membership.ts';
import type { ResolvedSession } from '../accounts/session.service.ts';
import { createAuditLog } from '../audit/audit-log.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { PipedriveOAuthClient, TokenResponse } from '../pipedrive/oauth-client.ts';
import { fetchIdentity, type PipedriveIdentity } from '../pipedrive/pipedrive-api.ts';
import {
  createCompanyLinkedElsewhereError,
  createNotPipedriveAdminError,
  createOrgNotConnectedError,
  createWorkspaceHasOtherCompanyError,
  createWrongPipedriveUserError,
} from './connections.errors.ts';
import { pipedriveUrlOf, type AuthorizationOutcome } from './authorization-outcome.ts';
import { releaseGrantAndRethrow, type GrantStore } from './grant-store.ts';
import type { OAuthStatePayload, OAuthStateService } from './oauth-state.ts';
import { createParkedInstalls } from './parked-installs.ts';
import { actors } from '../audit/actor.ts';

export type { AuthorizationOutcome } from './authorization-outcome.ts';

const ADMIN_ROLES = new Set(['owner', 'admin']);

/**
 * The OAuth callback's decisions (product.md §2.1–2.2). Pipedrive identifies the company and user
 * after the code exchange; the state (when present) says what the flow was for; the session says
 * who is at the keyboard. A Marketplace install without state never trusts the session.
 */
export function createInstallService(deps: {
  db: Db;
  oauth: PipedriveOAuthClient;
  states: OAuthStateService;
  grants: GrantStore;
  secretBox: SecretBox;
  clock: Clock;
}) {
  const parked = createParkedInstalls(deps);

  async function withOutcome(
    identity: PipedriveIdentity,
    grant: TokenResponse,
    popup: boolean,
    run: (tx: Tx) => Promise<AuthorizationOutcome>,
  ): Promise<AuthorizationOutcome> {
    try {
      return await deps.db.transaction(run);
    } catch (error) {
      if (!isAppError(error) || error.statusCode >= 500) return releaseGrantAndRethrow(deps, grant, identity, error);
      // Refused: keep nothing we will not use; record the refusal for the admins.
      await deps.db.transaction(async (tx) => {
        await deps.grants.discardGrant(tx, identity, grant);
        await createAuditLog(tx).record({
          companyId: identity.companyId,
          actor: actorOf(identity),
          action: 'connection.refused',
          detail: { code: error.code },
        });
      });
      return { kind: 'refused', error, popup, pipedriveUrl: pipedriveUrlOf(grant) };
    }
  }

  async function installAsAdmin(
    tx: Tx,
    identity: PipedriveIdentity,
    grant: TokenResponse,
    session: ResolvedSession | undefined,
  ): Promise<AuthorizationOutcome> {
    const connections = createConnectionsRepository(tx);
    const accounts = createAccountsRepository(tx);
    const org = await connections.findOrgConnection(identity.companyId);
    if (org !== undefined && org.state !== 'revoked' && org.pipedriveUserId !== identity.userId) {
      // Another user installing the app for themself: whoever is signed in to Parley in this
      // browser may be someone else, so only an earlier link or the email identifies the member.
      return connectPersonal(tx, identity, grant, { session: undefined, popup: false });
    }
    if (!identity.isAdmin) throw createNotPipedriveAdminError();

    // Who is installing: the member this Pipedrive user was linked to before, the signed-in
    // account, or a new account. An existing verified account found only by email must sign in
    // (in this browser) and confirm first; an unverified one is taken over, as Pipedrive vouches
    // for the address and whoever made that account never proved it.
    const previous = await connections.findByCompanyUser(identity.companyId, identity.userId);
    const linkedMember = previous?.memberId == null ? undefined : await accounts.findMemberById(previous.memberId);
    let account: AccountRow | undefined =
      session?.account ?? (linkedMember === undefined ? undefined : await accounts.findAccount(linkedMember.accountId));
    if (account === undefined) {
      const byEmail = await accounts.findAccountByEmail(identity.email);
      if (byEmail?.emailVerified === true) {
        const { pendingInstallId, browserNonce } = await parked.park(tx, identity, grant);
        return { kind: 'sign_in_required', pendingInstallId, email: identity.email, browserNonce };
      }
      account =
        byEmail === undefined
          ? await accounts.createAccount({
              email: identity.email,
              name: identity.name,
              passwordHash: null,
              emailVerified: true,
            })
          : await claimAccountForProvenEmail(tx, byEmail);
    }

    const company = await connections.findCompany(identity.companyId);
    let workspaceId = company?.workspaceId ?? undefined;
    let createdWorkspace = false;
    if (workspaceId === undefined && session?.member !== undefined && ADMIN_ROLES.has(session.member.role)) {
      const linked = await connections.findCompanyByWorkspace(session.member.workspaceId);
      if (linked === undefined || linked.status !== 'connected') workspaceId = session.member.workspaceId;
    }
    if (workspaceId === undefined) {
      workspaceId = (await accounts.createWorkspace(identity.companyName)).id;
      createdWorkspace = true;
    }
    const member = await joinWorkspace(tx, {
      workspaceId,
      account,
      role: createdWorkspace ? 'owner' : 'admin',
      pipedrive: { companyId: identity.companyId, userId: identity.userId },
      now: deps.clock.now(),
    });
    await releaseOrgRole(tx, identity.companyId, identity.userId);
    await deps.grants.linkCompany(tx, identity, workspaceId, grant.api_domain);
    await deps.grants.saveGrant(tx, identity, grant, {
      memberId: member.id,
      isOrgConnection: true,
      isPersonalConnection: true,
    });
    await createAuditLog(tx).record({
      workspaceId,
      companyId: identity.companyId,
      actor: actorOf(identity),
      action: 'organization.connected',
      detail: { via: 'marketplace', createdWorkspace },
    });
    return { kind: 'installed', accountId: account.id, workspaceId, companyId: identity.companyId, createdWorkspace };
  }

  async function connectOrganization(
    tx: Tx,
    identity: PipedriveIdentity,
    grant: TokenResponse,
    session: ResolvedSession | undefined,
  ): Promise<AuthorizationOutcome> {
    if (!identity.isAdmin) throw createNotPipedriveAdminError();
    if (session?.member === undefined || !ADMIN_ROLES.has(session.member.role))
      throw createNotPipedriveAdminError({
        message: 'Only workspace owners and admins can connect the organization. Sign in as one and try again.',
      });
    const workspaceId = session.member.workspaceId;
    const connections = createConnectionsRepository(tx);
    const company = await connections.findCompany(identity.companyId);
    if (company?.workspaceId != null && company.workspaceId !== workspaceId) throw createCompanyLinkedElsewhereError();
    const current = await connections.findCompanyByWorkspace(workspaceId);
    if (current !== undefined && current.id !== identity.companyId && current.status === 'connected')
      throw createWorkspaceHasOtherCompanyError();
    await releaseOrgRole(tx, identity.companyId, identity.userId);
    await deps.grants.linkCompany(tx, identity, workspaceId, grant.api_domain);
    await deps.grants.saveGrant(tx, identity, grant, {
      memberId: session.member.id,
      isOrgConnection: true,
      isPersonalConnection: true,
    });
    await createAuditLog(tx).record({
      workspaceId,
      companyId: identity.companyId,
      actor: actors.member(session.member.id),
      action: 'organization.connected',
      detail: { via: 'dashboard', pipedriveUserId: identity.userId },
    });
    return { kind: 'org_connected', workspaceId, companyId: identity.companyId };
  }

  async function connectPersonal(
    tx: Tx,
    identity: PipedriveIdentity,
    grant: TokenResponse,
    flow: { session: ResolvedSession | undefined; popup: boolean; panelUser?: OAuthStatePayload['panelUser'] },
  ): Promise<AuthorizationOutcome> {
    if (
      flow.panelUser !== undefined &&
      (flow.panelUser.companyId !== identity.companyId || flow.panelUser.userId !== identity.userId)
    )
      throw createWrongPipedriveUserError();
    const connections = createConnectionsRepository(tx);
    const accounts = createAccountsRepository(tx);
    const company = await connections.findCompany(identity.companyId);
    const org = await connections.findOrgConnection(identity.companyId);
    if (company?.workspaceId == null || org === undefined || org.state === 'revoked')
      throw createOrgNotConnectedError();
    const workspaceId = company.workspaceId;

    const previous = await connections.findByCompanyUser(identity.companyId, identity.userId);
    const linked = previous?.memberId == null ? undefined : await accounts.findMemberById(previous.memberId);
    let member: MemberRow | undefined = linked?.workspaceId === workspaceId ? linked : undefined;
    if (member === undefined && flow.session !== undefined)
      member = await accounts.findMember(workspaceId, flow.session.account.id);
    if (member === undefined && flow.session === undefined)
      member = await accounts.findMemberByVerifiedEmail(workspaceId, identity.email);

    // A pending invitation for the email Pipedrive vouches for: this consent accepts it (one consent
    // is enough). Only when no Parley session speaks for the user: a signed-in member connecting
    // from the dashboard accepts invitations on the invitation page, with their own account.
    const joined =
      member === undefined && flow.session === undefined
        ? await acceptInvitationByPipedriveIdentity(tx, { workspaceId, identity, now: deps.clock.now() })
        : undefined;
    member ??= joined?.member;

    if (member === undefined) {
      // Admins decide a join request by the email it shows: a signed-in account must have proven it.
      if (flow.session !== undefined && !flow.session.account.emailVerified) throw createEmailUnverifiedError();
      // Keep the grant (unlinked) so approval activates it without another round trip to Pipedrive.
      await deps.grants.saveGrant(tx, identity, grant, {
        memberId: null,
        isOrgConnection: previous?.isOrgConnection ?? false,
        isPersonalConnection: false,
      });
      const since = await askToJoin(tx, { workspaceId, identity, asker: flow.session?.account });
      return {
        kind: 'join_requested',
        companyName: company.name,
        email: identity.email,
        since,
        popup: flow.popup,
        pipedriveUrl: pipedriveUrlOf(grant),
      };
    }
    // Already a member by another route: any request they left pending is settled.
    if (joined === undefined) await settleRequestsOfMember(tx, member, identity, deps.clock.now());
    await deps.grants.saveGrant(tx, identity, grant, {
      memberId: member.id,
      isOrgConnection: previous?.isOrgConnection ?? false,
      isPersonalConnection: true,
    });
    await createAuditLog(tx).record({
      workspaceId,
      companyId: identity.companyId,
      actor: actors.member(member.id),
      action: 'personal.connected',
      detail: { pipedriveUserId: identity.userId },
    });
    // Signing in needs proof beyond an email match: an earlier link, the current session, or an
    // account nobody but this Pipedrive user can reach (made or taken over just now).
    let signInAccountId: string | undefined;
    if (flow.session === undefined && linked !== undefined) signInAccountId = linked.accountId;
    else if (flow.session === undefined && joined?.newToParley === true) signInAccountId = joined.account.id;
    return {
      kind: 'personal_connected',
      companyId: identity.companyId,
      popup: flow.popup,
      pipedriveUrl: pipedriveUrlOf(grant),
      ...(joined === undefined ? {} : { joinedWorkspace: company.name }),
      ...(signInAccountId === undefined ? {} : { signInAccountId }),
    };
  }

  /** Another admin takes over the org connection: the previous holder keeps a personal connection. */
  async function releaseOrgRole(tx: Tx, companyId: number, newHolder: number): Promise<void> {
    const connections = createConnectionsRepository(tx);
    const org = await connections.findOrgConnection(companyId);
    if (org !== undefined && org.pipedriveUserId !== newHolder)
      await connections.update(org.id, { isOrgConnection: false });
  }

  return {
    async completeAuthorization(input: {
      code: string;
      state: string | undefined;
      cookies: Record<string, string | undefined>;
      session: ResolvedSession | undefined;
    }): Promise<AuthorizationOutcome> {
      const flow: Pick<OAuthStatePayload, 'purpose' | 'popup' | 'panelUser'> =
        input.state === undefined
          ? { purpose: 'marketplace_install' }
          : await deps.states.consume(input.state, input.cookies);
      const grant = await deps.oauth.exchangeCode(input.code);
      // The code is spent and the app counts as installed for this user: a failure releases the grant.
      const identity = await fetchIdentity(grant.api_domain, grant.access_token).catch((error: unknown) =>
        releaseGrantAndRethrow(deps, grant, undefined, error),
      );
      const popup = flow.popup === true;
      // A Marketplace install without Parley's state may come from anywhere: ignore the session.
      const session = input.state === undefined ? undefined : input.session;
      return withOutcome(identity, grant, popup, (tx) => {
        switch (flow.purpose) {
          case 'org_connect':
            return connectOrganization(tx, identity, grant, session);
          case 'personal_connect':
            // From the dashboard, the signed-in member is connecting themself. From a panel popup,
            // the ticket names the Pipedrive user and the session may belong to someone else.
            return flow.panelUser === undefined
              ? connectPersonal(tx, identity, grant, { session, popup })
              : connectPersonal(tx, identity, grant, { session: undefined, popup, panelUser: flow.panelUser });
          case 'sign_in':
          case 'marketplace_install':
            return installAsAdmin(tx, identity, grant, session);
        }
      });
    },

    /** What the confirmation page shows, after the same checks as `resumeInstall`. */
    describePendingInstall: parked.describe,

    /**
     * Finishes a parked Marketplace install once its admin has signed in and confirmed it (a POST
     * with the CSRF token): same browser, same verified email, once.
     */
    async resumeInstall(
      pendingInstallId: string,
      session: ResolvedSession,
      browserNonce: string | undefined,
    ): Promise<AuthorizationOutcome> {
      await parked.findResumable(pendingInstallId, session, browserNonce);
      const { identity, grant } = await parked.take(pendingInstallId, browserNonce ?? '');
      return withOutcome(identity, grant, false, (tx) => installAsAdmin(tx, identity, grant, session));
    },

    /** "Cancel" on the confirmation page: the grant is revoked at Pipedrive and nothing is linked. */
    async cancelPendingInstall(
      pendingInstallId: string,
      session: ResolvedSession,
      browserNonce: string | undefined,
    ): Promise<void> {
      await parked.findResumable(pendingInstallId, session, browserNonce);
      const { identity, grant } = await parked.take(pendingInstallId, browserNonce ?? '');
      await deps.db.transaction((tx) => deps.grants.discardGrant(tx, identity, grant));
    },
  };
}

const actorOf = (identity: PipedriveIdentity) => actors.pipedriveUser(identity.companyId, identity.userId);

export type InstallService = ReturnType<typeof createInstallService>;
