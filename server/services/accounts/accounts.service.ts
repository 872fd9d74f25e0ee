import { randomBytes } from 'node:crypto';
import type { Clock } from '../../clock.ts';
import type { Db, Tx } from '../../db/client.ts';
import {
  createAccountsRepository,
  type AccountRow,
  type WorkspaceRow,
} from '../../db/repositories/accounts.repository.ts';
import { createEmailTokensRepository, type EmailTokenPurpose } from '../../db/repositories/email-tokens.repository.ts';
import { mailTemplates } from '../mail/mail-templates.ts';
import type { MailService } from '../mail/mail.service.ts';
import { createRateLimiter } from '../rate-limit/rate-limiter.ts';
import {
  createEmailLinkInvalidError,
  createEmailTakenError,
  createInvalidCredentialsError,
  createWeakPasswordError,
  createWrongCurrentPasswordError,
} from './accounts.errors.ts';
import { claimAccountForProvenEmail } from './email-ownership.ts';
import { createSignInLockout } from './sign-in-lockout.ts';
import { createDecoyHash, MIN_PASSWORD_LENGTH, type PasswordHasher } from './password.ts';
import { hashToken, type ResolvedSession } from './session.service.ts';

const HOUR_MS = 60 * 60 * 1000;
/** How long each mailed link works. A reset is short: it opens the account to whoever holds it. */
const LINK_TTL_MS: Record<EmailTokenPurpose, number> = {
  sign_up: 48 * HOUR_MS,
  verify_email: 48 * HOUR_MS,
  change_email: 24 * HOUR_MS,
  reset_password: HOUR_MS,
};

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** What a confirmed link did, for the page that shows it. */
export type EmailConfirmation =
  | { kind: 'signed_up'; accountId: string; workspaceId: string | null }
  | { kind: 'verified'; accountId: string }
  | { kind: 'email_changed'; accountId: string };

/**
 * Accounts and what users expect of them: sign-up confirmed by a mailed link, password sign-in,
 * password reset by mail, email change with re-verification, password change. Sessions are made by
 * the caller (routes) from the account returned. Answers never tell a stranger whether an email has
 * an account: sign-up and reset requests answer the same either way, and the mailbox learns the rest.
 */
export function createAccountsService(deps: {
  db: Db;
  hasher: PasswordHasher;
  clock: Clock;
  mail: MailService;
  /** Origin of the dashboard, for links in mails. */
  publicUrl: string;
}) {
  const lockout = createSignInLockout({
    limiter: createRateLimiter({ db: deps.db, clock: deps.clock }),
    clock: deps.clock,
  });
  let decoyHash: Promise<string> | undefined;
  const link = (path: string, token?: string) =>
    `${deps.publicUrl}${path}${token === undefined ? '' : `#token=${token}`}`;
  const hoursOf = (purpose: EmailTokenPurpose) => LINK_TTL_MS[purpose] / HOUR_MS;

  /** Stores a new link token (hash only) and returns the token for the mail, both in `tx`. */
  async function issueToken(
    tx: Tx,
    purpose: EmailTokenPurpose,
    email: string,
    extra: { accountId?: string; signUp?: { name: string; workspaceName: string | null; passwordHash: string } } = {},
  ): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const now = deps.clock.now();
    const tokens = createEmailTokensRepository(tx);
    if (extra.accountId !== undefined) await tokens.retireForAccount(extra.accountId, purpose, now);
    await tokens.create({
      tokenHash: hashToken(token),
      purpose,
      email,
      accountId: extra.accountId ?? null,
      signUp: extra.signUp ?? null,
      expiresAt: new Date(now.getTime() + LINK_TTL_MS[purpose]),
    });
    return token;
  }

  async function hashNewPassword(password: string): Promise<string> {
    if (password.length < MIN_PASSWORD_LENGTH) throw createWeakPasswordError();
    return deps.hasher.hash(password);
  }

  /** A wrong current password is refused; an account without one (Pipedrive sign-in) sets its first. */
  async function checkCurrentPassword(account: AccountRow, currentPassword: string | undefined): Promise<void> {
    if (account.passwordHash === null) return;
    if (currentPassword === undefined || !(await deps.hasher.verify(currentPassword, account.passwordHash)))
      throw createWrongCurrentPasswordError();
  }

  return {
    /**
     * Makes no account yet: mails a confirmation link carrying the sign-up. An address that already
     * has an account gets a "you already have one" mail instead; the answer is the same.
     */
    async signUp(input: { email: string; password: string; name: string; workspaceName?: string }): Promise<void> {
      deps.mail.requireEnabled();
      if (input.password.length < MIN_PASSWORD_LENGTH) throw createWeakPasswordError();
      const email = normalizeEmail(input.email);
      // A taken address costs no scrypt work (issue 7, finding 6): its owner is told instead.
      if ((await createAccountsRepository(deps.db).findAccountByEmail(email)) !== undefined) {
        await deps.db.transaction((tx) =>
          deps.mail.enqueue(
            tx,
            mailTemplates.addressAlreadyHasAccount(email, { signIn: link('/login'), reset: link('/forgot-password') }),
          ),
        );
        return;
      }
      const passwordHash = await hashNewPassword(input.password);
      await deps.db.transaction(async (tx) => {
        // No account is made here, so a race with another sign-up needs no check: the first link used wins.
        const token = await issueToken(tx, 'sign_up', email, {
          signUp: { name: input.name.trim(), workspaceName: input.workspaceName?.trim() || null, passwordHash },
        });
        await deps.mail.enqueue(
          tx,
          mailTemplates.confirmSignUp(email, link('/verify-email', token), hoursOf('sign_up')),
        );
      });
    },

    /** Uses a sign-up, verification or new-address link. Single use; the clicker proved the mailbox. */
    async confirmEmail(token: string): Promise<EmailConfirmation> {
      return deps.db.transaction(async (tx) => {
        const row = await createEmailTokensRepository(tx).consume(
          hashToken(token),
          ['sign_up', 'verify_email', 'change_email'],
          deps.clock.now(),
        );
        if (row === undefined) throw createEmailLinkInvalidError();
        const accounts = createAccountsRepository(tx);
        const existing = await accounts.findAccountByEmail(row.email);
        if (row.purpose === 'sign_up') {
          if (existing !== undefined || row.signUp === null) throw createEmailTakenError();
          const account = await accounts.createAccount({
            email: row.email,
            name: row.signUp.name,
            passwordHash: row.signUp.passwordHash,
            emailVerified: true,
          });
          // Someone joining a workspace (from an invitation) signs up without making one of their own.
          if (row.signUp.workspaceName === null) return { kind: 'signed_up', accountId: account.id, workspaceId: null };
          const workspace: WorkspaceRow = await accounts.createWorkspace(row.signUp.workspaceName);
          await accounts.addMember(workspace.id, account.id, 'owner');
          return { kind: 'signed_up', accountId: account.id, workspaceId: workspace.id };
        }
        const account = row.accountId === null ? undefined : await accounts.findAccount(row.accountId);
        if (account === undefined) throw createEmailLinkInvalidError();
        if (row.purpose === 'verify_email') {
          // A link for an address the account no longer has verifies nothing.
          if (account.email !== row.email) throw createEmailLinkInvalidError();
          await accounts.updateAccount(account.id, { emailVerified: true });
          return { kind: 'verified', accountId: account.id };
        }
        if (existing !== undefined) throw createEmailTakenError();
        await accounts.updateAccount(account.id, { email: row.email, emailVerified: true });
        await deps.mail.enqueue(tx, mailTemplates.emailChanged(account.email, row.email));
        return { kind: 'email_changed', accountId: account.id };
      });
    },

    /** Mails a verification link for the account's current address (accounts from before verification). */
    async sendVerification(account: AccountRow): Promise<void> {
      deps.mail.requireEnabled();
      if (account.emailVerified) return;
      await deps.db.transaction(async (tx) => {
        const token = await issueToken(tx, 'verify_email', account.email, { accountId: account.id });
        await deps.mail.enqueue(
          tx,
          mailTemplates.verifyEmail(account.email, link('/verify-email', token), hoursOf('verify_email')),
        );
      });
    },

    /** Same answer whether or not the email has an account; only a real account's mailbox gets a link. */
    async requestPasswordReset(emailInput: string): Promise<void> {
      deps.mail.requireEnabled();
      const email = normalizeEmail(emailInput);
      await deps.db.transaction(async (tx) => {
        const account = await createAccountsRepository(tx).findAccountByEmail(email);
        if (account === undefined) return;
        const token = await issueToken(tx, 'reset_password', email, { accountId: account.id });
        await deps.mail.enqueue(
          tx,
          mailTemplates.resetPassword(email, link('/reset-password', token), LINK_TTL_MS.reset_password / 60_000),
        );
      });
    },

    /**
     * Sets the new password and signs the account out everywhere; the link proved the mailbox, so
     * the sign-in back-off for that email is lifted from every address (the owner's way out).
     */
    async resetPassword(token: string, password: string): Promise<void> {
      const passwordHash = await hashNewPassword(password);
      const email = await deps.db.transaction(async (tx) => {
        const row = await createEmailTokensRepository(tx).consume(
          hashToken(token),
          ['reset_password'],
          deps.clock.now(),
        );
        const accounts = createAccountsRepository(tx);
        const found = row?.accountId == null ? undefined : await accounts.findAccount(row.accountId);
        if (row === undefined || found === undefined || found.email !== row.email) throw createEmailLinkInvalidError();
        const account = await claimAccountForProvenEmail(tx, found);
        await accounts.updateAccount(account.id, { passwordHash });
        await accounts.deleteSessionsOfAccount(account.id);
        return account.email;
      });
      await lockout.clearEmail(email);
    },

    /** Failures back off per (email, address) pair (see sign-in-lockout.ts); a success clears the pair. */
    async signIn(input: { email: string; password: string; clientAddress: string }): Promise<AccountRow> {
      const email = normalizeEmail(input.email);
      await lockout.assertMayTry(email, input.clientAddress);
      const account = await createAccountsRepository(deps.db).findAccountByEmail(email);
      if (account?.passwordHash == null) {
        // Same work and the same answer as a wrong password: neither time nor words tell whether
        // the email has an account, or one that signs in with Pipedrive only (finding 12).
        await deps.hasher.verify(input.password, await (decoyHash ??= createDecoyHash(deps.hasher)));
        await lockout.recordFailure(email, input.clientAddress);
        throw createInvalidCredentialsError();
      }
      if (!(await deps.hasher.verify(input.password, account.passwordHash))) {
        await lockout.recordFailure(email, input.clientAddress);
        throw createInvalidCredentialsError();
      }
      await lockout.clear(email, input.clientAddress);
      return account;
    },

    /** Needs the current password (if the account has one); every other session ends. */
    async changePassword(
      account: AccountRow,
      input: { currentPassword: string | undefined; password: string; keepSessionHash: string },
    ): Promise<void> {
      await checkCurrentPassword(account, input.currentPassword);
      const passwordHash = await hashNewPassword(input.password);
      await deps.db.transaction(async (tx) => {
        const accounts = createAccountsRepository(tx);
        await accounts.updateAccount(account.id, { passwordHash });
        await accounts.deleteSessionsOfAccount(account.id, input.keepSessionHash);
        if (deps.mail.enabled) await deps.mail.enqueue(tx, mailTemplates.passwordChanged(account.email));
      });
    },

    /**
     * The new address takes effect only once a link mailed to it is used; the old address is told.
     * A new address that already has an account gets a notice instead, and the answer is the same.
     */
    async requestEmailChange(
      account: AccountRow,
      input: { newEmail: string; currentPassword: string | undefined },
    ): Promise<void> {
      deps.mail.requireEnabled();
      await checkCurrentPassword(account, input.currentPassword);
      const newEmail = normalizeEmail(input.newEmail);
      if (newEmail === account.email) return;
      await deps.db.transaction(async (tx) => {
        if ((await createAccountsRepository(tx).findAccountByEmail(newEmail)) !== undefined) {
          await deps.mail.enqueue(
            tx,
            mailTemplates.addressAlreadyHasAccount(newEmail, {
              signIn: link('/login'),
              reset: link('/forgot-password'),
            }),
          );
          return;
        }
        const token = await issueToken(tx, 'change_email', newEmail, { accountId: account.id });
        await deps.mail.enqueue(
          tx,
          mailTemplates.confirmNewEmail(newEmail, link('/verify-email', token), hoursOf('change_email')),
        );
        await deps.mail.enqueue(tx, mailTemplates.emailChangeRequested(account.email, newEmail));
      });
    },
    /** The dashboard's "who am I": the account, its current workspace, and every workspace it belongs to. */
    async describeSession(session: ResolvedSession) {
      return {
        account: {
          id: session.account.id,
          email: session.account.email,
          name: session.account.name,
          hasPassword: session.account.passwordHash !== null,
          emailVerified: session.account.emailVerified,
        },
        workspace:
          session.member === undefined
            ? null
            : { id: session.member.workspaceId, role: session.member.role, memberId: session.member.id },
        memberships: await createAccountsRepository(deps.db).listMemberships(session.account.id),
        csrfToken: session.csrfToken,
      };
    },
    async isMember(workspaceId: string, accountId: string): Promise<boolean> {
      return (await createAccountsRepository(deps.db).findMember(workspaceId, accountId)) !== undefined;
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
