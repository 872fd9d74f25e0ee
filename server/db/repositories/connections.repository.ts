import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.ts';
import { companies, connections } from '../schema/index.ts';

export type ConnectionRow = typeof connections.$inferSelect;
export type CompanyRow = typeof companies.$inferSelect;

/** Queries on Pipedrive companies and their connections (one row per OAuth grant). */
export function createConnectionsRepository(db: DbOrTx) {
  return {
    async findById(id: string): Promise<ConnectionRow | undefined> {
      const [row] = await db.select().from(connections).where(eq(connections.id, id));
      return row;
    },
    /** Reads the row and locks it until the transaction ends (call inside `db.transaction`). */
    async findByIdForUpdate(id: string): Promise<ConnectionRow | undefined> {
      const [row] = await db.select().from(connections).where(eq(connections.id, id)).for('update');
      return row;
    },
    async findByCompanyUser(companyId: number, pipedriveUserId: number): Promise<ConnectionRow | undefined> {
      const [row] = await db
        .select()
        .from(connections)
        .where(and(eq(connections.companyId, companyId), eq(connections.pipedriveUserId, pipedriveUserId)));
      return row;
    },
    async findOrgConnection(companyId: number): Promise<ConnectionRow | undefined> {
      const [row] = await db
        .select()
        .from(connections)
        .where(and(eq(connections.companyId, companyId), eq(connections.isOrgConnection, true)));
      return row;
    },
    async listByCompany(companyId: number): Promise<ConnectionRow[]> {
      return db.select().from(connections).where(eq(connections.companyId, companyId));
    },
    async listByMember(memberId: string): Promise<ConnectionRow[]> {
      return db.select().from(connections).where(eq(connections.memberId, memberId));
    },
    async update(id: string, values: Partial<typeof connections.$inferInsert>): Promise<void> {
      await db
        .update(connections)
        .set({ ...values, updatedAt: sql`now()` })
        .where(eq(connections.id, id));
    },
    /** Inserts or replaces the grant of (company, user); Pipedrive issues one grant per pair. */
    async upsertGrant(values: typeof connections.$inferInsert): Promise<ConnectionRow> {
      const [row] = await db
        .insert(connections)
        .values(values)
        .onConflictDoUpdate({
          target: [connections.companyId, connections.pipedriveUserId],
          set: {
            ...values,
            updatedAt: sql`now()`,
            revokedAt: null,
            refreshFailureCount: 0,
            lastRefreshFailureAt: null,
          },
        })
        .returning();
      if (row === undefined) throw new Error('upsert returned no row');
      return row;
    },
    async findCompany(companyId: number): Promise<CompanyRow | undefined> {
      const [row] = await db.select().from(companies).where(eq(companies.id, companyId));
      return row;
    },
    /** Companies whose organization connection is live (what background work runs for). */
    async listConnectedCompanyIds(): Promise<number[]> {
      const rows = await db.select({ id: companies.id }).from(companies).where(eq(companies.status, 'connected'));
      return rows.map((row) => row.id);
    },
    async findCompanyByWorkspace(workspaceId: string): Promise<CompanyRow | undefined> {
      const [row] = await db.select().from(companies).where(eq(companies.workspaceId, workspaceId));
      return row;
    },
    async upsertCompany(values: typeof companies.$inferInsert): Promise<CompanyRow> {
      const [row] = await db
        .insert(companies)
        .values(values)
        .onConflictDoUpdate({ target: companies.id, set: { ...values, updatedAt: sql`now()` } })
        .returning();
      if (row === undefined) throw new Error('upsert returned no row');
      return row;
    },
    async updateCompany(companyId: number, values: Partial<typeof companies.$inferInsert>): Promise<void> {
      await db
        .update(companies)
        .set({ ...values, updatedAt: sql`now()` })
        .where(eq(companies.id, companyId));
    },
  };
}

export type ConnectionsRepository = ReturnType<typeof createConnectionsRepository>;
