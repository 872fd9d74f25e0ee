import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.ts';
import { chats } from '../../db/schema/index.ts';
import type { ChatLinkResolver } from './chat-links.ts';

/**
 * Step (1) of product.md §4.1 alone: the chat's stored links (`chats.person_id`, `deal_id`,
 * `lead_id`, a pinned deal first). A chat with no stored person is skipped. The full resolver
 * (phone search, auto-creation, unmatched queue) implements the same interface and replaces this
 * one in `createDomainServices`.
 */
export function createStoredLinkResolver(db: DbOrTx): ChatLinkResolver {
  return {
    async resolve(chatId) {
      const [chat] = await db
        .select({
          personId: chats.personId,
          dealId: chats.dealId,
          pinnedDealId: chats.pinnedDealId,
          leadId: chats.leadId,
        })
        .from(chats)
        .where(eq(chats.id, chatId));
      if (chat === undefined) return { kind: 'skipped', reason: 'chat_not_found' };
      if (chat.personId === null) return { kind: 'skipped', reason: 'no_person_linked' };
      const dealId = chat.pinnedDealId ?? chat.dealId;
      return { kind: 'linked', personId: chat.personId, dealId, leadId: dealId === null ? chat.leadId : null };
    },
  };
}
