import { and, desc, eq, gt, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../client.ts';
import { invitations, joinRequests, type memberRole } from '../schema/index.ts';

type Role = (typeof memberRole.enumValues)[number];

/** Invitations (single-use links, stored as hashes) and join requests. */
export function createTeamRepository(db: DbOrTx) {
  return {
    async createInvitation(values: {
      id: string;
      workspaceId: string;
      email: string;
      role: Role;
      tokenHash: string;
      tokenCiphertext: string;
      invitedByMemberId: string;
      expiresAt: Date;
    }) {
      // A new invitation to the same email replaces the pending one.
      await db
        .update(invitations)
        .set({ status: 'revoked', updatedAt: sql`now()` })
        .where(
          and(
            eq(invitations.workspaceId, values.workspaceId),
            eq(invitations.email, values.email),
            eq(invitations.status, 'pending'),
          ),
        );
      const [row] = await db.insert(invitations).values(values).returning();
      if (row === undefined) throw new Error('insert returned no row');
      return row;
    },
    async findUsableInvitation(tokenHash: string, now: Date) {
      const [row] = await db
        .select()
        .from(invitations)
        .where(
          and(eq(invitations.tokenHash, tokenHash), eq(invitations.status, 'pending'), gt(invitations.expiresAt, now)),
        );
      return row;
    },
    /** The pending, unexpired invitation for an email in a workspace (at most one: a new one replaces it). */
    async findUsableInvitationForEmail(workspaceId: string, email: string, now: Date) {
      const [row] = await db
        .select()
        .from(invitations)
        .where(
          and(
            eq(invitations.workspaceId, workspaceId),
            eq(invitations.email, email),
            eq(invitations.status, 'pending'),
            gt(invitations.expiresAt, now),
          ),
        );
      return row;
    },
    /** Marks the invitation used; false when someone else used it first. */
    async acceptInvitation(id: string, now: Date): Promise<boolean> {
      const rows = await db
        .update(invitations)
        .set({ status: 'accepted', acceptedAt: now, updatedAt: sql`now()` })
        .where(and(eq(invitations.id, id), eq(invitations.status, 'pending')))
        .returning({ id: invitations.id });
      return rows.length === 1;
    },
    async listPendingInvitations(workspaceId: string, now: Date) {
      return db
        .select({
          id: invitations.id,
          email: invitations.email,
          role: invitations.role,
          expiresAt: invitations.expiresAt,
          createdAt: invitations.createdAt,
          tokenCiphertext: invitations.tokenCiphertext,
        })
        .from(invitations)
        .where(
          and(
            eq(invitations.workspaceId, workspaceId),
            eq(invitations.status, 'pending'),
            gt(invitations.expiresAt, now),
          ),
        )
        .orderBy(desc(invitations.createdAt));
    },
    async revokeInvitation(workspaceId: string, id: string): Promise<boolean> {
      const rows = await db
        .update(invitations)
        .set({ status: 'revoked', updatedAt: sql`now()` })
        .where(and(eq(invitations.id, id), eq(invitations.workspaceId, workspaceId), eq(invitations.status, 'pending')))
        .returning({ id: invitations.id });
      return rows.length === 1;
    },
    /**
     * One pending request per email and workspace: asking again updates it (`created` false) and
     * keeps its `createdAt`, the "waiting since" the requester is shown.
     */
    async upsertJoinRequest(values: {
      workspaceId: string;
      email: string;
      name: string | null;
      accountId: string | null;
      pipedriveCompanyId: number | null;
      pipedriveUserId: number | null;
    }): Promise<{ row: typeof joinRequests.$inferSelect; created: boolean }> {
      const [existing] = await db
        .select()
        .from(joinRequests)
        .where(
          and(
            eq(joinRequests.workspaceId, values.workspaceId),
            eq(joinRequests.email, values.email),
            eq(joinRequests.status, 'pending'),
          ),
        );
      if (existing !== undefined) {
        const [row] = await db
          .update(joinRequests)
          // The latest request stands as it was made: it never inherits an earlier requester's account.
          .set({ ...values, updatedAt: sql`now()` })
          .where(eq(joinRequests.id, existing.id))
          .returning();
        return { row: row ?? existing, created: false };
      }
      const [row] = await db.insert(joinRequests).values(values).returning();
      if (row === undefined) throw new Error('insert returned no row');
      return { row, created: true };
    },
    /** The pending request a Pipedrive user filed (from a consent) in a workspace, if any. */
    async findPendingJoinRequestOfPipedriveUser(workspaceId: string, companyId: number, userId: number) {
      const [row] = await db
        .select()
        .from(joinRequests)
        .where(
          and(
            eq(joinRequests.workspaceId, workspaceId),
            eq(joinRequests.pipedriveCompanyId, companyId),
            eq(joinRequests.pipedriveUserId, userId),
            eq(joinRequests.status, 'pending'),
          ),
        )
        .orderBy(desc(joinRequests.createdAt))
        .limit(1);
      return row;
    },
    /**
     * Someone joined the workspace (invitation, approval, a consent matching their membership):
     * their pending requests there are settled as approved with no deciding member, so the team
     * page stops offering Approve/Decline for a person who is already in.
     */
    async closeJoinRequestsOfJoiner(
      workspaceId: string,
      joiner: { email: string; accountId: string; pipedrive?: { companyId: number; userId: number } },
      now: Date,
    ) {
      const who: SQL[] = [eq(joinRequests.email, joiner.email), eq(joinRequests.accountId, joiner.accountId)];
      if (joiner.pipedrive !== undefined)
        who.push(
          and(
            eq(joinRequests.pipedriveCompanyId, joiner.pipedrive.companyId),
            eq(joinRequests.pipedriveUserId, joiner.pipedrive.userId),
          ) as SQL,
        );
      const rows = await db
        .update(joinRequests)
        .set({ status: 'approved', decidedAt: now, updatedAt: sql`now()` })
        .where(
          and(
            eq(joinRequests.workspaceId, workspaceId),
            eq(joinRequests.status, 'pending'),
            isNull(joinRequests.decidedByMemberId),
            or(...who),
          ),
        )
        .returning({
          email: joinRequests.email,
          pipedriveCompanyId: joinRequests.pipedriveCompanyId,
          pipedriveUserId: joinRequests.pipedriveUserId,
        });
      return rows;
    },
    async listPendingJoinRequests(workspaceId: string) {
      return db
        .select()
        .from(joinRequests)
        .where(and(eq(joinRequests.workspaceId, workspaceId), eq(joinRequests.status, 'pending')))
        .orderBy(desc(joinRequests.createdAt));
    },
    async decideJoinRequest(
      workspaceId: string,
      id: string,
      decision: 'approved' | 'declined',
      memberId: string,
      now: Date,
    ) {
      const [row] = await db
        .update(joinRequests)
        .set({ status: decision, decidedByMemberId: memberId, decidedAt: now, updatedAt: sql`now()` })
        .where(
          and(eq(joinRequests.id, id), eq(joinRequests.workspaceId, workspaceId), eq(joinRequests.status, 'pending')),
        )
        .returning();
      return row;
    },
  };
}

export type TeamRepository = ReturnType<typeof createTeamRepository>;
