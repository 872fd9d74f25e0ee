import { and, eq } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { createConversationsRepository, type MessageRow } from '../../db/repositories/conversations.repository.ts';
import { media } from '../../db/schema/index.ts';
import type { Logger } from '../../logger.ts';
import type { EventBus } from '../events/event-bus.ts';
import { publishEvents, recordChatEvent } from './chat-events.ts';
import type { ChannelsService } from './channels.service.ts';
import { MediaTooLargeError, ProviderError, type WhatsAppProvider } from './provider.ts';
import { createMediaNotFoundError } from './whatsapp.errors.ts';

/**
 * Inbound media: downloaded by a job (Meta's URL lives 5 minutes, so each attempt resolves a fresh
 * one), kept in the `media` table up to `maxBytes`, served to signed-in users of the workspace.
 * The message's `media.state` says what happened: stored, too_large or failed (with the reason).
 */
export function createMediaService(deps: {
  db: Db;
  provider: WhatsAppProvider;
  channels: ChannelsService;
  maxBytes: number;
  logger: Logger;
  eventBus: EventBus;
}) {
  const { db } = deps;

  /**
   * Records the media's new state on the message and tells open panels (an image appears once its
   * bytes are here), with `before` run in the same transaction.
   */
  async function settle(message: MessageRow, state: Record<string, unknown>, before?: (tx: Tx) => Promise<void>) {
    const event = await db.transaction(async (tx) => {
      await before?.(tx);
      await createConversationsRepository(tx).updateMessage(tx, message.id, {
        media: { ...(message.media ?? {}), ...state },
      });
      return recordChatEvent(tx, {
        workspaceId: message.workspaceId,
        companyId: null,
        type: 'message.media',
        chatId: message.chatId,
        messageId: message.id,
      });
    });
    await publishEvents(deps.eventBus, [event]).catch((error: unknown) =>
      deps.logger.warn({ err: error }, 'could not publish the media event'),
    );
  }

  return {
    async fetch(messageId: string): Promise<'stored' | 'too_large' | 'skipped' | 'failed'> {
      const message = await createConversationsRepository(db).findMessage(messageId);
      const info = message?.media ?? null;
      if (message === undefined || info === null || typeof info['id'] !== 'string') return 'skipped';
      if (info['state'] === 'stored') return 'skipped';
      const channel = await deps.channels.accountFor(message.channelId);
      if (channel === undefined) {
        await settle(message, { state: 'failed', reason: 'the WhatsApp number was removed' });
        return 'failed';
      }
      try {
        const downloaded = await deps.provider.downloadMedia(channel.account, info['id'], deps.maxBytes);
        const filename = typeof info['filename'] === 'string' ? info['filename'] : null;
        await settle(
          message,
          { state: 'stored', sizeBytes: downloaded.bytes.length, url: `/api/media/${message.id}` },
          async (tx) => {
            await createConversationsRepository(tx).insertMedia(tx, {
              messageId: message.id,
              workspaceId: message.workspaceId,
              mimeType: downloaded.mimeType,
              filename,
              sizeBytes: downloaded.bytes.length,
              sha256: downloaded.sha256,
              bytes: downloaded.bytes,
            });
          },
        );
        return 'stored';
      } catch (error) {
        if (error instanceof MediaTooLargeError) {
          await settle(message, {
            state: 'too_large',
            sizeBytes: error.sizeBytes,
            reason: `larger than the ${deps.maxBytes}-byte limit (WHATSAPP_MEDIA_MAX_BYTES)`,
          });
          return 'too_large';
        }
        if (error instanceof ProviderError && !error.transient) {
          await settle(message, { state: 'failed', reason: error.message });
          return 'failed';
        }
        throw error; // transient: the job retries with a fresh URL
      }
    },

    /** The stored bytes, only within the caller's workspace. */
    async read(workspaceId: string, messageId: string) {
      if (!/^[0-9a-f-]{36}$/i.test(messageId)) throw createMediaNotFoundError();
      const [row] = await db
        .select()
        .from(media)
        .where(and(eq(media.messageId, messageId), eq(media.workspaceId, workspaceId)));
      if (row === undefined) throw createMediaNotFoundError();
      return row;
    },
  };
}

export type MediaService = ReturnType<typeof createMediaService>;
