import { eq } from 'drizzle-orm';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/client.ts';
import { channels } from '../../db/schema/index.ts';
import type { JobQueue } from '../../jobs/job-queue.ts';
import type { Logger } from '../../logger.ts';
import { constantTimeEqual } from '../crypto/constant-time.ts';
import type { ChannelDirectory, ChannelEntry } from './channel-directory.ts';
import type { InboxHandoff } from './inbox-handoff.ts';
import { createInboxWriter } from './inbox-writer.ts';
import { withoutNulDeep } from './json-text.ts';
import { MalformedWebhookError, type WhatsAppProvider } from './provider.ts';
import {
  createVerifyTokenMismatchError,
  createWebhookMalformedError,
  createWebhookSignatureInvalidError,
  createWebhookSignatureMissingError,
  createWebhookUnknownChannelError,
} from './whatsapp.errors.ts';

/**
 * The largest notification body Meta sends: "Webhooks payloads can be up to 3MB" (Meta, WhatsApp
 * Cloud API webhooks overview). The route's body limit is exactly this; anything larger is not Meta.
 */
export const META_WEBHOOK_MAX_BYTES = 3 * 1024 * 1024;

/** The inbox's provider value for WhatsApp Cloud API rows. */
export const WHATSAPP_INBOX_PROVIDER = 'whatsapp_cloud';
const LAST_WEBHOOK_STAMP_MS = 60_000;

/**
 * The front door for Meta's webhooks (issue 10 §2): the GET verify handshake, and POSTs that are
 * authenticated over their raw bytes, split into one inbox row per message/status/change and stored
 * with their processing job in one transaction — then acknowledged. No Graph or Pipedrive call here.
 */
export function createWebhookIngest(deps: {
  db: Db;
  jobs: JobQueue;
  provider: WhatsAppProvider;
  directory: ChannelDirectory;
  /** Where committed rows go to be processed in this process (when it runs the inbox workers). */
  handoff: InboxHandoff;
  clock: Clock;
  logger: Logger;
}) {
  const { db, provider, directory } = deps;
  const writer = createInboxWriter({ db, jobs: deps.jobs, handoff: deps.handoff });
  const lastStamped = new Map<string, number>();

  async function requireChannel(channelId: string): Promise<ChannelEntry> {
    const entry = /^[0-9a-f-]{36}$/i.test(channelId) ? await directory.get(channelId) : null;
    // Same answer for unknown, removed and malformed ids: nothing to learn about other tenants.
    if (entry === null) throw createWebhookUnknownChannelError();
    return entry;
  }

  /** Records now and then (not per request) that Meta delivers to this channel, for the dashboard. */
  async function stampDelivery(channelId: string) {
    const now = deps.clock.now();
    if (now.getTime() - (lastStamped.get(channelId) ?? 0) < LAST_WEBHOOK_STAMP_MS) return;
    lastStamped.set(channelId, now.getTime());
    await db.update(channels).set({ lastWebhookAt: now }).where(eq(channels.id, channelId));
  }

  return {
    /** `hub.mode=subscribe` with the channel's verify token → the challenge to echo; else 403. */
    async verifyHandshake(channelId: string, query: Record<string, unknown>): Promise<string> {
      const entry = await requireChannel(channelId);
      const mode = query['hub.mode'];
      const token = query['hub.verify_token'];
      const challenge = query['hub.challenge'];
      const tokenMatches = typeof token === 'string' && constantTimeEqual(token, entry.verifyToken);
      if (mode !== 'subscribe' || !tokenMatches || typeof challenge !== 'string' || challenge === '')
        throw createVerifyTokenMismatchError();
      await db.update(channels).set({ webhookVerifiedAt: deps.clock.now() }).where(eq(channels.id, channelId));
      deps.logger.info({ channelId }, 'WhatsApp webhook verified');
      return challenge;
    },

    async ingest(input: {
      channelId: string;
      rawBody: Buffer;
      signature: string | undefined;
      contentType: string | undefined;
    }): Promise<{ stored: number; duplicates: number; skipped: number }> {
      const entry = await requireChannel(input.channelId);
      const check = provider.verifySignature(input.rawBody, input.signature, entry.signingKey);
      if (check === 'missing') throw createWebhookSignatureMissingError();
      if (check === 'invalid') throw createWebhookSignatureInvalidError();

      if (!/^application\/json\b/i.test(input.contentType ?? ''))
        throw createWebhookMalformedError({ message: 'A WhatsApp notification is sent as application/json.' });
      let items;
      try {
        items = provider.parseWebhook(parseJsonSafely(input.rawBody.toString('utf8')));
      } catch (error) {
        if (error instanceof SyntaxError || error instanceof MalformedWebhookError)
          throw createWebhookMalformedError({ details: { reason: error.message.slice(0, 200) } });
        throw error;
      }

      // One Meta app delivers for every number it is subscribed for: route each item by its
      // phone-number id, but only to channels of the workspace whose secret signed the request.
      let skipped = 0;
      const rows = items.flatMap(({ dedupeKey, item }) => {
        const phoneNumberId = 'phoneNumberId' in item ? item.phoneNumberId : null;
        const channelId = phoneNumberId === null ? entry.id : entry.siblings.get(phoneNumberId);
        if (channelId === undefined) {
          skipped += 1;
          return [];
        }
        return [
          {
            provider: WHATSAPP_INBOX_PROVIDER,
            dedupeKey: `${channelId}:${dedupeKey}`,
            workspaceId: entry.workspaceId,
            companyId: entry.companyId,
            channelId,
            payload: item,
          },
        ];
      });
      if (skipped > 0)
        deps.logger.warn({ channelId: entry.id, skipped }, 'webhook items for numbers not connected in this workspace');
      if (rows.length === 0) return { stored: 0, duplicates: 0, skipped };

      // Committed (with its job) before the 200, grouped with concurrent webhooks (inbox-writer.ts).
      const stored = await writer.write(rows);
      await stampDelivery(entry.id).catch((error: unknown) =>
        deps.logger.warn({ err: error, channelId: entry.id }, 'could not record the webhook delivery time'),
      );
      return { stored, duplicates: rows.length - stored, skipped };
    },
  };
}

export type WebhookIngest = ReturnType<typeof createWebhookIngest>;

/**
 * JSON.parse that refuses `__proto__` and `constructor` keys, as the app's own JSON parser does
 * (`onProtoPoisoning: 'error'`, reliability.md B8), and drops U+0000 (reliability.md B14); the
 * raw-body route bypasses the app's parser. Plain JSON.parse defines such a key as an own property
 * (it never sets a prototype), so the keys are checked after parsing, and only when the text could
 * spell one (literally or through `\u` escapes, which Meta uses for every non-ASCII character):
 * a reviver would run for every value of every body. A NUL can only arrive escaped (`\u0000`; a
 * raw control character is invalid JSON), so bodies without that escape are not walked again.
 */
function parseJsonSafely(text: string): unknown {
  const parsed: unknown = JSON.parse(text);
  // NULs first: `"\u0000__proto__"` is `__proto__` once they are dropped.
  const value = text.includes('\\u0000') ? withoutNulDeep(parsed) : parsed;
  if (/__proto__|constructor|\\u/.test(text)) refusePrototypeKeys(value);
  return value;
}

function refusePrototypeKeys(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) refusePrototypeKeys(item);
    return;
  }
  for (const key of Object.keys(value)) {
    if (key === '__proto__' || key === 'constructor') throw new MalformedWebhookError(`"${key}" is not allowed`);
    refusePrototypeKeys((value as Record<string, unknown>)[key]);
  }
}
