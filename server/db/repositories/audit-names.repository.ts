import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import type { DbOrTx } from '../client.ts';
import { accounts, channels, chats, connections, contacts, joinRequests, members } from '../schema/index.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Only well-formed ids reach a `uuid` column (anything else would be a query error, not "unknown"). */
const uuids = (ids: Iterable<string>) => [...new Set(ids)].filter((id) => UUID.test(id));

/**
 * Names for what the audit log refers to by id, each looked up inside one workspace or company only:
 * an id of another tenant's member, chat or number finds nothing.
 */
export function createAuditNamesRepository(db: DbOrTx) {
  return {
    /** Members of the workspace by member id: their account's name. */
    async memberNames(workspaceId: string, memberIds: Iterable<string>): Promise<Map<string, string>> {
      const ids = uuids(memberIds);
      if (ids.length === 0) return new Map();
      const rows = await db
        .select({ id: members.id, name: accounts.name })
        .from(members)
        .innerJoin(accounts, eq(accounts.id, members.accountId))
        .where(and(eq(members.workspaceId, workspaceId), inArray(members.id, ids)));
      return new Map(rows.map((row) => [row.id, row.name]));
    },

    /** Pipedrive users of the company by user id: the name Pipedrive gave at their consent. */
    async pipedriveUserNames(companyId: number, userIds: Iterable<number>): Promise<Map<number, string>> {
      const ids = [...new Set(userIds)].filter((id) => Number.isSafeInteger(id));
      if (ids.length === 0) return new Map();
      const names = new Map<number, string>();
      // Someone who only ever asked to join has no connection, but their request carries the name.
      const requests = await db
        .select({ userId: joinRequests.pipedriveUserId, name: joinRequests.name })
        .from(joinRequests)
        .where(
          and(
            eq(joinRequests.pipedriveCompanyId, companyId),
            inArray(joinRequests.pipedriveUserId, ids),
            isNotNull(joinRequests.name),
          ),
        );
      for (const row of requests) if (row.userId !== null && row.name !== null) names.set(row.userId, row.name);
      const granted = await db
        .select({ userId: connections.pipedriveUserId, name: connections.pipedriveUserName })
        .from(connections)
        .where(and(eq(connections.companyId, companyId), inArray(connections.pipedriveUserId, ids)));
      for (const row of granted) if (row.name !== null) names.set(row.userId, row.name);
      return names;
    },

    /** Chats of the workspace by id: the contact's WhatsApp name and number. */
    async chatNames(workspaceId: string, chatIds: Iterable<string>): Promise<Map<string, string>> {
      const ids = uuids(chatIds);
      if (ids.length === 0) return new Map();
      const rows = await db
        .select({ id: chats.id, name: contacts.profileName, e164: contacts.e164, isGroup: contacts.isGroup })
        .from(chats)
        .innerJoin(contacts, eq(contacts.id, chats.contactId))
        .where(and(eq(chats.workspaceId, workspaceId), inArray(chats.id, ids)));
      return new Map(
        rows.map((row) => {
          const parts = [row.name, row.e164].filter((part): part is string => part !== null && part !== '');
          const label = parts.length === 2 ? `${parts[0]} (${parts[1]})` : (parts[0] ?? null);
          return [row.id, label ?? (row.isGroup ? 'a WhatsApp group' : 'a WhatsApp contact')];
        }),
      );
    },

    /** WhatsApp numbers of the workspace by channel id: their display name and number. */
    async channelNames(workspaceId: string, channelIds: Iterable<string>): Promise<Map<string, string>> {
      const ids = uuids(channelIds);
      if (ids.length === 0) return new Map();
      const rows = await db
        .select({ id: channels.id, name: channels.displayName, phoneNumber: channels.phoneNumber })
        .from(channels)
        .where(and(eq(channels.workspaceId, workspaceId), inArray(channels.id, ids)));
      return new Map(
        rows.map((row) => [
          row.id,
          row.phoneNumber === null || row.name.includes(row.phoneNumber)
            ? row.name
            : `${row.name} (${row.phoneNumber})`,
        ]),
      );
    },
  };
}
