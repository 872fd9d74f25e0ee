import type { IdentityRepository } from '../../db/repositories/identity.repository.ts';
import type { SyncSettings } from '../settings/sync-settings.ts';

/**
 * Who owns what Parley creates (product.md §4.4): the Pipedrive user linked to the channel's owner
 * member, else the org connector. Settings may instead name a fixed user, or rotate among the
 * users with a personal connection (a stable pick per chat, so retries choose the same owner).
 */
export async function ownerFor(
  repository: IdentityRepository,
  input: { companyId: number; chatId: string; channelOwnerMemberId: string | null; settings: SyncSettings },
): Promise<number | null> {
  const { settings } = input;
  if (settings.ownerRule === 'fixed_user' && settings.fixedOwnerUserId !== null) return settings.fixedOwnerUserId;
  if (settings.ownerRule === 'round_robin') {
    const users = await repository.personallyConnectedUsers(input.companyId);
    if (users.length > 0) return users[stableIndex(input.chatId, users.length)] ?? null;
  }
  if (settings.ownerRule === 'channel_owner' && input.channelOwnerMemberId !== null) {
    const user = await repository.pipedriveUserOfMember(input.companyId, input.channelOwnerMemberId);
    if (user !== undefined) return user;
  }
  return (await repository.orgConnectorUser(input.companyId)) ?? null;
}

function stableIndex(key: string, size: number): number {
  let hash = 0;
  for (const char of key) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % size;
}
