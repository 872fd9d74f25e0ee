import { and, eq, ne, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.ts';
import { accounts, type invitations, type joinRequests, members, sessions, workspaces } from '../schema/index.ts';

export type AccountRow = typeof accounts.$inferSelect;
export type MemberRow = typeof members.$inferSelect;
export type WorkspaceRow = typeof workspaces.$inferSelect;
export type MemberRole = MemberRow['role'];
export type InvitationRow = typeof invitations.$inferSelect;
export type JoinRequestRow = typeof joinRequests.$inferSelect;

/** Accounts, workspaces, memberships and sessions. Emails are stored lower-cased. */
export function createAccountsRepository(db: DbOrTx) {
  return {
    async findAccountByEmail(email: string): Promise<AccountRow | undefined> {
      const [row] = await db.select().from(accounts).where(eq(accounts.email, email.toLowerCase()));
      return row;
    },
    async findAccount(id: string): Promise<AccountRow | undefined> {
      const [row] = await db.select().from(accounts).where(eq(accounts.id, id));
      return row;
    },
    async createAccount(values: {
      email: string;
      name: string;
      passwordHash: string | null;
      emailVerified: boolean;
    }): Promise<AccountRow> {
      const [row] = await db
        .insert(accounts)
        .values({ ...values, email: values.email.toLowerCase() })
        .returning();
      if (row === undefined) throw new Error('insert returned no row');
      return row;
    },
    async updateAccount(id: string, values: Partial<typeof accounts.$inferInsert>): Promise<void> {
      await db
        .update(accounts)
        .set({ ...values, updatedAt: sql`now()` })
        .where(eq(accounts.id, id));
    },
    async createWorkspace(name: string): Promise<WorkspaceRow> {
      const [row] = await db.insert(workspaces).values({ name }).returning();
      if (row === undefined) throw new Error('insert returned no row');
      return row;
    },
    async findWorkspace(id: string): Promise<WorkspaceRow | undefined> {
      const [row] = await db.select().from(workspaces).where(eq(workspaces.id, id));
      return row;
    },
    async addMember(workspaceId: string, accountId: string, role: MemberRole): Promise<MemberRow> {
      const [row] = await db
        .insert(members)
        .values({ workspaceId, accountId, role })
        .onConflictDoUpdate({ target: [members.workspaceId, members.accountId], set: { updatedAt: sql`now()` } })
        .returning();
      if (row === undefined) throw new Error('insert returned no row');
      return row;
    },
    async findMember(workspaceId: string, accountId: string): Promise<MemberRow | undefined> {
      const [row] = await db
        .select()
        .from(members)
        .where(and(eq(members.workspaceId, workspaceId), eq(members.accountId, accountId)));
      return row;
    },
    async findMemberById(id: string): Promise<MemberRow | undefined> {
      const [row] = await db.select().from(members).where(eq(members.id, id));
      return row;
    },
    /** Only an account that proved it reads the address matches by email. */
    async findMemberByVerifiedEmail(
      workspaceId: string,
      email: string,
    ): Promise<(MemberRow & { email: string; name: string }) | undefined> {
      const [row] = await db
        .select({ member: members, email: accounts.email, name: accounts.name })
        .from(members)
        .innerJoin(accounts, eq(accounts.id, members.accountId))
        .where(
          and(
            eq(members.workspaceId, workspaceId),
            eq(accounts.email, email.toLowerCase()),
            eq(accounts.emailVerified, true),
          ),
        );
      return row === undefined ? undefined : { ...row.member, email: row.email, name: row.name };
    },
    async listMembers(workspaceId: string) {
      return db
        .select({
          id: members.id,
          role: members.role,
          accountId: accounts.id,
          email: accounts.email,
          name: accounts.name,
          createdAt: members.createdAt,
        })
        .from(members)
        .innerJoin(accounts, eq(accounts.id, members.accountId))
        .where(eq(members.workspaceId, workspaceId))
        .orderBy(accounts.name);
    },
    async listMemberships(accountId: string) {
      return db
        .select({
          memberId: members.id,
          role: members.role,
          workspaceId: workspaces.id,
          workspaceName: workspaces.name,
        })
        .from(members)
        .innerJoin(workspaces, eq(workspaces.id, members.workspaceId))
        .where(eq(members.accountId, accountId))
        .orderBy(workspaces.createdAt);
    },
    async updateMemberRole(memberId: string, role: MemberRole): Promise<void> {
      await db
        .update(members)
        .set({ role, updatedAt: sql`now()` })
        .where(eq(members.id, memberId));
    },
    /**
     * Locks the workspace's owner rows (in id order, so two lockers never deadlock) until the
     * transaction ends and returns their ids. Changes that could remove the last owner run after
     * it: a concurrent change waits, then sees the committed roles.
     */
    async lockOwners(workspaceId: string): Promise<string[]> {
      const rows = await db
        .select({ id: members.id })
        .from(members)
        .where(and(eq(members.workspaceId, workspaceId), eq(members.role, 'owner')))
        .orderBy(members.id)
        .for('update');
      return rows.map((row) => row.id);
    },
    async deleteMember(memberId: string): Promise<void> {
      await db.delete(members).where(eq(members.id, memberId));
    },
    async createSession(values: typeof sessions.$inferInsert): Promise<void> {
      await db.insert(sessions).values(values);
    },
    async findSession(tokenHash: string) {
      const [row] = await db.select().from(sessions).where(eq(sessions.tokenHash, tokenHash));
      return row;
    },
    async touchSession(tokenHash: string, values: Partial<typeof sessions.$inferInsert>): Promise<void> {
      await db
        .update(sessions)
        .set({ ...values, updatedAt: sql`now()` })
        .where(eq(sessions.tokenHash, tokenHash));
    },
    async deleteSession(tokenHash: string): Promise<void> {
      await db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
    },
    /** Signs the account out everywhere, or everywhere but the session `keepTokenHash`. */
    async deleteSessionsOfAccount(accountId: string, keepTokenHash?: string): Promise<void> {
      await db
        .delete(sessions)
        .where(
          keepTokenHash === undefined
            ? eq(sessions.accountId, accountId)
            : and(eq(sessions.accountId, accountId), ne(sessions.tokenHash, keepTokenHash)),
        );
    },
    async deleteMembershipsOfAccount(accountId: string): Promise<void> {
      await db.delete(members).where(eq(members.accountId, accountId));
    },
  };
}

export type AccountsRepository = ReturnType<typeof createAccountsRepository>;
