import { createSecretKey, type KeyObject } from 'node:crypto';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/client.ts';
import { createChannelsRepository } from '../../db/repositories/channels.repository.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { EventBus } from '../events/event-bus.ts';
import { openCredentials } from './channel-credentials.ts';

/** What the webhook path needs of a channel, decrypted once and kept for a short while. */
export interface ChannelEntry {
  id: string;
  workspaceId: string;
  companyId: number | null;
  /** The phone-number id. */
  externalId: string;
  appSecret: string;
  /**
   * The app secret as a key for the webhook signature's HMAC, made once: keying an HMAC from a
   * string converts it on every request, about half the cost of the check (issue 13's profile).
   */
  signingKey: KeyObject;
  verifyToken: string;
  /** Active channels of the same workspace by phone-number id: one Meta app delivers for all its numbers. */
  siblings: ReadonlyMap<string, string>;
}

/** Topic that tells every instance to forget a channel (edited, token or secret rotated, removed). */
export const CHANNELS_CHANGED_TOPIC = 'whatsapp.channels.changed';
const TTL_MS = 30_000;

/**
 * A cache of channels' webhook secrets, so a burst of webhooks costs no decryption or lookup per
 * request (issue 13's throughput). Changes are published on the event bus and drop the entry on every
 * instance; the TTL bounds staleness should an invalidation be missed (the bus is best-effort).
 */
export function createChannelDirectory(deps: { db: Db; secretBox: SecretBox; clock: Clock; eventBus: EventBus }) {
  const entries = new Map<string, { entry: ChannelEntry; loadedAt: number }>();
  deps.eventBus.subscribe(CHANNELS_CHANGED_TOPIC, () => entries.clear());
  deps.eventBus.onReconnect(() => entries.clear());

  async function load(channelId: string): Promise<ChannelEntry | null> {
    const repository = createChannelsRepository(deps.db);
    const row = await repository.findById(channelId);
    if (row === undefined || row.status !== 'active') return null;
    const credentials = openCredentials(deps.secretBox, row.id, row.credentialsCiphertext);
    const siblings = await repository.activeSiblings(row.workspaceId);
    return {
      id: row.id,
      workspaceId: row.workspaceId,
      companyId: await repository.companyOfWorkspace(row.workspaceId),
      externalId: row.externalId,
      appSecret: credentials.appSecret,
      signingKey: createSecretKey(Buffer.from(credentials.appSecret, 'utf8')),
      verifyToken: credentials.verifyToken,
      siblings: new Map(siblings.map((sibling) => [sibling.externalId, sibling.id])),
    };
  }

  return {
    /** The active channel, or null (unknown or removed). */
    async get(channelId: string): Promise<ChannelEntry | null> {
      const cached = entries.get(channelId);
      const now = deps.clock.now().getTime();
      if (cached !== undefined && now - cached.loadedAt < TTL_MS) return cached.entry;
      const entry = await load(channelId);
      // Unknown ids are not remembered: random ids from strangers must not grow the map.
      if (entry === null) entries.delete(channelId);
      else entries.set(channelId, { entry, loadedAt: now });
      return entry;
    },
    /** Forgets every channel here and on the other instances. */
    async changed(): Promise<void> {
      entries.clear();
      await deps.eventBus.publish(CHANNELS_CHANGED_TOPIC, {});
    },
  };
}

export type ChannelDirectory = ReturnType<typeof createChannelDirectory>;
