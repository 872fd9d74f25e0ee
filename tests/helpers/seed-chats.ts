import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../../server/db/client.ts';
import { channels, chats, companies, contacts } from '../../server/db/schema/index.ts';
import type { Person } from '../../sandbox/pipedrive/state.ts';
import type { PipedriveSandbox } from './pipedrive-sandbox.ts';

/**
 * WhatsApp rows written directly (as ingestion would), for tests of what happens after ingestion:
 * a channel of the company's workspace, and chats with contacts on it.
 */
export async function seedChannel(db: Db, companyId: number, options: { ownerMemberId?: string | null } = {}) {
  const [company] = await db.select().from(companies).where(eq(companies.id, companyId));
  if (company?.workspaceId == null) throw new Error(`company ${companyId} has no workspace`);
  const workspaceId = company.workspaceId;
  const [channel] = await db
    .insert(channels)
    .values({
      workspaceId,
      provider: 'whatsapp_cloud',
      displayName: 'Sales line',
      phoneNumber: '+15550001111',
      externalId: `phone-number-${randomUUID()}`,
      credentialsCiphertext: 'not used by these tests',
      ownerMemberId: options.ownerMemberId ?? null,
    })
    .returning();
  if (channel === undefined) throw new Error('no channel');

  return {
    workspaceId,
    channelId: channel.id,
    /** A chat with a new contact; `e164`/`waId`/`businessScopedId` as Meta identified the sender. */
    async chat(contact: {
      e164?: string | null;
      waId?: string | null;
      businessScopedId?: string | null;
      profileName?: string | null;
      isGroup?: boolean;
      personId?: number | null;
      pinnedPersonId?: number | null;
    }): Promise<string> {
      const [row] = await db
        .insert(contacts)
        .values({
          workspaceId,
          e164: contact.e164 ?? null,
          waId: contact.waId ?? null,
          businessScopedId: contact.businessScopedId ?? null,
          profileName: contact.profileName ?? null,
          isGroup: contact.isGroup ?? false,
        })
        .returning();
      if (row === undefined) throw new Error('no contact');
      const [chat] = await db
        .insert(chats)
        .values({
          workspaceId,
          channelId: channel.id,
          contactId: row.id,
          personId: contact.personId ?? null,
          pinnedPersonId: contact.pinnedPersonId ?? null,
        })
        .returning();
      if (chat === undefined) throw new Error('no chat');
      return chat.id;
    },
    async chatRow(chatId: string) {
      const [chat] = await db.select().from(chats).where(eq(chats.id, chatId));
      if (chat === undefined) throw new Error('no chat');
      return chat;
    },
  };
}

/** A person someone typed into Pipedrive's web app (webhooks fire as for any app edit). */
export function addSandboxPerson(pd: PipedriveSandbox, name: string, phone: string): Person {
  return pd.sandbox.pipedrive.simulateChange({
    entity: 'person',
    action: 'create',
    userId: pd.users.ada.userId,
    values: { name, phones: [phone] },
  }) as Person;
}
