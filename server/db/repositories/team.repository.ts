import { and, desc, eq, gt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.ts';
import { invitations, joinRequests, type memberRole } from '../schema/index.ts';

type Role = (typeof memberRole.enumValues)[number];

/** Invitations (single-use links, stored as hashes) and join requests. */
export function createTeamRepository(db: DbOrTx) {
  return {
    async createInvitation(values: {
      workspaceId: string;
      email: string;
      role: Role;
      tokenHash: string;
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
    /** One pending request per email and workspace: asking again updates it. */
    async upsertJoinRequest(values: {
      workspaceId: string;
      email: string;
      name: string | null;
      accountId: string | null;
      pipedriveCompanyId: number | null;
      pipedriveUserId: number | null;
    }) {
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
        return row ?? existing;
      }
      const [row] = await db.insert(joinRequests).values(values).returning();
      if (row === undefined) throw new Error('insert returned no row');
      return row;
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
