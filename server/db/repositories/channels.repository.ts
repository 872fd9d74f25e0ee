import { and, asc, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.ts';
import { channels, companies, members, templates } from '../schema/index.ts';

export type ChannelRow = typeof channels.$inferSelect;
export type TemplateRow = typeof templates.$inferSelect;

/** WhatsApp channels (business numbers) and their synced templates. */
export function createChannelsRepository(db: DbOrTx) {
  return {
    async findById(id: string): Promise<ChannelRow | undefined> {
      const [row] = await db.select().from(channels).where(eq(channels.id, id));
      return row;
    },
    async findInWorkspace(workspaceId: string, id: string): Promise<ChannelRow | undefined> {
      const [row] = await db
        .select()
        .from(channels)
        .where(and(eq(channels.id, id), eq(channels.workspaceId, workspaceId)));
      return row;
    },
    async findByExternalId(externalId: string): Promise<ChannelRow | undefined> {
      const [row] = await db
        .select()
        .from(channels)
        .where(and(eq(channels.provider, 'whatsapp_cloud'), eq(channels.externalId, externalId)));
      return row;
    },
    listByWorkspace(workspaceId: string): Promise<ChannelRow[]> {
      return db.select().from(channels).where(eq(channels.workspaceId, workspaceId)).orderBy(asc(channels.createdAt));
    },
    listActive(): Promise<ChannelRow[]> {
      return db.select().from(channels).where(eq(channels.status, 'active'));
    },
    /** Active channels of a workspace by phone-number id (one Meta app may deliver for several numbers). */
    async activeSiblings(workspaceId: string): Promise<{ id: string; externalId: string }[]> {
      return db
        .select({ id: channels.id, externalId: channels.externalId })
        .from(channels)
        .where(and(eq(channels.workspaceId, workspaceId), eq(channels.status, 'active')));
    },
    async insert(values: typeof channels.$inferInsert): Promise<ChannelRow> {
      const [row] = await db.insert(channels).values(values).returning();
      if (row === undefined) throw new Error('channel insert returned nothing');
      return row;
    },
    async update(id: string, values: Partial<typeof channels.$inferInsert>): Promise<void> {
      await db
        .update(channels)
        .set({ ...values, updatedAt: new Date() })
        .where(eq(channels.id, id));
    },
    async companyOfWorkspace(workspaceId: string): Promise<number | null> {
      const [row] = await db.select({ id: companies.id }).from(companies).where(eq(companies.workspaceId, workspaceId));
      return row?.id ?? null;
    },
    async isMemberOf(workspaceId: string, memberId: string): Promise<boolean> {
      const [row] = await db
        .select({ id: members.id })
        .from(members)
        .where(and(eq(members.id, memberId), eq(members.workspaceId, workspaceId)));
      return row !== undefined;
    },
    listTemplates(channelId: string): Promise<TemplateRow[]> {
      return db
        .select()
        .from(templates)
        .where(eq(templates.channelId, channelId))
        .orderBy(asc(templates.name), asc(templates.language));
    },
    async findTemplate(channelId: string, name: string, language: string): Promise<TemplateRow | undefined> {
      const [row] = await db
        .select()
        .from(templates)
        .where(and(eq(templates.channelId, channelId), eq(templates.name, name), eq(templates.language, language)));
      return row;
    },
    /** Makes the stored templates exactly `list` (upsert what is there, delete what is gone). */
    async replaceTemplates(
      channelId: string,
      list: { name: string; language: string; status: string; category: string | null; components: unknown[] }[],
      now: Date,
    ): Promise<void> {
      if (list.length > 0) {
        await db
          .insert(templates)
          .values(list.map((template) => ({ ...template, channelId, syncedAt: now })))
          .onConflictDoUpdate({
            target: [templates.channelId, templates.name, templates.language],
            set: {
              status: sql`excluded.status`,
              category: sql`excluded.category`,
              components: sql`excluded.components`,
              syncedAt: now,
              updatedAt: now,
            },
          });
      }
      const keep = list.map((template) => `${template.name}\u0001${template.language}`);
      await db
        .delete(templates)
        .where(
          and(
            eq(templates.channelId, channelId),
            keep.length === 0
              ? undefined
              : notInArray(sql<string>`${templates.name} || chr(1) || ${templates.language}`, keep),
          ),
        );
    },
    async channelsByIds(ids: string[]): Promise<ChannelRow[]> {
      return ids.length === 0 ? [] : db.select().from(channels).where(inArray(channels.id, ids));
    },
  };
}

export type ChannelsRepository = ReturnType<typeof createChannelsRepository>;
