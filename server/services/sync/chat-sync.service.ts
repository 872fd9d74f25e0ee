import type { AuditAction } from '../../../contracts/audit-actions.ts';
import type { Clock } from '../../clock.ts';
import type { Db } from '../../db/client.ts';
import { createConnectionsRepository } from '../../db/repositories/connections.repository.ts';
import { createTranscriptsRepository } from '../../db/repositories/transcripts.repository.ts';
import type { messages } from '../../db/schema/index.ts';
import { isAppError, type AppError } from '../../errors.ts';
import type { JobQueue } from '../../jobs/job-queue.ts';
import { syncChatQueue, syncDeadLetterQueue } from '../../jobs/queues.ts';
import type { Logger } from '../../logger.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { ConnectionApi, PipedriveApi } from '../pipedrive/pipedrive-api.ts';
import { createBudgetExhaustedError } from '../pipedrive/pipedrive.errors.ts';
import type { SyncSettingsService } from '../settings/sync-settings.ts';
import type { ChatLinkResolver } from './chat-links.ts';
import { createPipedriveTimeline, type PipedriveTimeline, type TimelineAnchors } from './pipedrive-timeline.ts';
import { reactionTarget, renderTranscript, replyTarget, type TranscriptMessage } from './transcript-render.ts';
import { createTranscriptWriter, type TimelineMode } from './transcript-writer.ts';

/** The budget meter's name for what the transcript sync spends. */
export const SYNC_FEATURE = 'sync.transcripts';
/** Errors that retrying cannot fix: Pipedrive refused the request itself (F14 → dead letter). */
const PERMANENT_ERRORS = new Set(['pipedrive.rejected', 'pipedrive.forbidden', 'pipedrive.not_found']);
/** Errors that mean "Pipedrive is not connected for this company right now": skipped, not failed. */
const NOT_CONNECTED_ERRORS = new Set(['pipedrive.reauth_required', 'connections.org_not_connected']);
/**
 * Days one job writes at most (a chat catching up after a long outage may have many): the rest
 * continue in a follow-up job, so no job runs past its expiry.
 */
const MAX_DAYS_PER_JOB = 20;
/** Longest deferral after a 429 without a long Retry-After (jittered exponential in between). */
const MAX_THROTTLE_DELAY_S = 300;

export type ChatSyncOutcome =
  | { kind: 'skipped'; reason: string }
  | { kind: 'up_to_date' }
  | { kind: 'synced'; days: string[]; writes: number }
  /** An active chat's rewrite waits for the company's timeline update interval. */
  | { kind: 'throttled'; until: Date };

interface SenderRow {
  message: typeof messages.$inferSelect;
  memberName: string | null;
  pipedriveUserName?: string | null;
}

/**
 * The message sync (product.md §4.3): brings a chat's day transcripts in Pipedrive up to date with
 * what Parley stored. One note (or done activity) per chat per UTC day, rewritten whole as messages
 * and statuses arrive; every remote write is announced in `sync_effects` first so a retried create
 * looks for its marker instead of writing twice (reliability.md §2.4).
 */
export function createChatSyncService(deps: {
  db: Db;
  jobs: JobQueue;
  pipedrive: PipedriveApi;
  resolver: ChatLinkResolver;
  settings: SyncSettingsService;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  /** Parley's own URL: transcripts link media to it. */
  publicUrl: string;
  /** The Pipedrive writes; tests wrap them to fail at chosen moments. */
  timeline?: (api: ConnectionApi) => PipedriveTimeline;
}) {
  const repository = createTranscriptsRepository(deps.db);
  const { writePart, ensureActivityType } = createTranscriptWriter({ db: deps.db });
  const makeTimeline = deps.timeline ?? createPipedriveTimeline;
  // Stored media, served to signed-in members of the workspace (whatsapp.routes.ts).
  const mediaUrl = (messageId: string) => `${deps.publicUrl}/api/media/${messageId}`;

  async function syncChat(chatId: string): Promise<ChatSyncOutcome> {
    const found = await repository.findChat(chatId);
    if (found === undefined) return { kind: 'skipped', reason: 'chat_not_found' };
    const { chat, contact, channel, company } = found;
    const audit = (action: AuditAction, detail: Record<string, unknown>) =>
      deps.audit.record({
        workspaceId: chat.workspaceId,
        companyId: company?.id ?? null,
        actor: 'system',
        action,
        subjectType: 'chat',
        subjectId: chatId,
        detail,
      });
    const skip = async (reason: string): Promise<ChatSyncOutcome> => {
      await audit('sync.skipped', { reason });
      return { kind: 'skipped', reason };
    };

    if (company === null || company.status !== 'connected') return skip('pipedrive_not_connected');
    const org = await createConnectionsRepository(deps.db).findOrgConnection(company.id);
    if (org === undefined || org.state === 'revoked') return skip('pipedrive_not_connected');
    // WhatsApp keeps flowing into Parley; the reconnect reconciles what was skipped here.
    if (org.state === 'reauth_required') return skip('reauth_required');
    if (company.budgetPausedUntil !== null && company.budgetPausedUntil > deps.clock.now())
      throw createBudgetExhaustedError({ details: { resumesAt: company.budgetPausedUntil.toISOString() } });

    const staleDays = await repository.staleDays(company.id, chatId);
    if (staleDays.length === 0) return { kind: 'up_to_date' };
    const settings = await deps.settings.get(company.id);
    if (contact.isGroup && settings.skipGroups) return skip('group_chat');
    const resolution = await deps.resolver.resolve(chatId);
    if (resolution.kind === 'skipped') return skip(resolution.reason);
    // Coalescing makes a burst one write; the interval makes a conversation a write every N seconds
    // instead of one per message (a rewrite is an update: 10 budget tokens). A day's first write
    // (a new chat, a new day) is never held back, so new chats still reach Pipedrive in seconds, and
    // identity comes first: a returning customer's new deal is created at once (no calls for a linked chat).
    const interval = settings.timelineUpdateIntervalSeconds;
    if (interval > 0 && staleDays.every((day) => day.written)) {
      const until = await repository.nextRewriteAt(company.id, chatId, interval);
      if (until !== null) return { kind: 'throttled', until };
    }

    const anchors: TimelineAnchors = {
      personId: resolution.personId,
      dealId: resolution.dealId,
      leadId: resolution.leadId,
    };
    const mode: TimelineMode = settings.timelineMode;
    const timeline = makeTimeline(await deps.pipedrive.forCompany(company.id, SYNC_FEATURE));
    const activityType = mode === 'activity' ? await ensureActivityType(company.id, timeline, audit) : null;
    const contactLabel = [contact.profileName, contact.e164].filter(Boolean).join(' ') || 'WhatsApp contact';
    const channelLabel = [channel.displayName, channel.phoneNumber].filter(Boolean).join(' ');

    let writes = 0;
    const thisJob = staleDays.slice(0, MAX_DAYS_PER_JOB);
    if (staleDays.length > thisJob.length) await deps.jobs.send(syncChatQueue, { chatId });
    for (const { day, fingerprint } of thisJob) {
      const rows = await repository.dayMessages(company.id, chatId, day);
      if (rows.length === 0) continue;
      // Inbound: the contact. Outbound: the Parley member or Pipedrive user who sent it, else the
      // business phone itself (sent from the WhatsApp app).
      const view = (row: SenderRow): TranscriptMessage => ({
        ...row.message,
        senderName:
          row.message.direction === 'inbound'
            ? contactLabel
            : (row.memberName ?? row.pipedriveUserName ?? `${channel.displayName} (business phone)`),
      });
      const messages: TranscriptMessage[] = rows.map(view);
      const dayIds = new Set(messages.map((message) => message.providerMessageId));
      const pointedAt = messages
        .flatMap((message) => [replyTarget(message), reactionTarget(message)])
        .filter((id): id is string => id !== undefined && !dayIds.has(id));
      const earlier = new Map(
        (await repository.byProviderIds(chatId, [...new Set(pointedAt)])).map((row) => [
          row.message.providerMessageId ?? '',
          view(row),
        ]),
      );
      const parts = renderTranscript({
        reference: `parley:${chatId}:${day}`,
        day,
        contactLabel,
        channelLabel,
        messages,
        earlier,
        mediaUrl,
      });
      const existing = await repository.findParts(company.id, chatId, day);
      for (const part of parts) {
        const subject = `WhatsApp chat with ${contactLabel} · ${day}${part.part > 1 ? ` (part ${part.part})` : ''}`;
        writes += await writePart({
          companyId: company.id,
          chatId,
          day,
          part,
          subject,
          row: existing.find((candidate) => candidate.part === part.part),
          anchors,
          mode,
          activityType,
          timeline,
          audit,
        });
      }
      // The fingerprint was taken before the rows were read, so the parts show at least what it
      // describes; anything newer changes the fingerprint and gets its own pass.
      await repository.markDaySynced(company.id, chatId, day, fingerprint);
    }
    return { kind: 'synced', days: thisJob.map((entry) => entry.day), writes };
  }

  /** Defers the chat's sync to `startAfter` without failing the job (no retry attempt spent). */
  async function defer(data: { chatId: string; throttled?: number }, startAfter: Date) {
    await deps.jobs.send(syncChatQueue, data, { startAfter });
  }

  return {
    syncChat,

    /**
     * The `sync.chat` job: runs `syncChat` and decides what a failure means. Budget pause and 429
     * → deferred; not connected → skipped; a permanent refusal → dead letter; anything else →
     * thrown, so pg-boss retries it with backoff (and dead-letters it when retries run out).
     */
    async runJob(
      data: { chatId: string; throttled?: number },
      job: { jobId: string; retryCount: number },
    ): Promise<
      ChatSyncOutcome | { kind: 'deferred'; until: Date } | { kind: 'dead_lettered' } | { kind: 'left_to_retry' }
    > {
      const auditJob = async (action: AuditAction, detail: Record<string, unknown>) => {
        const found = await repository.findChat(data.chatId);
        await deps.audit.record({
          workspaceId: found?.chat.workspaceId ?? null,
          companyId: found?.company?.id ?? null,
          actor: 'system',
          action,
          subjectType: 'chat',
          subjectId: data.chatId,
          detail: { jobId: job.jobId, ...detail },
        });
        return found?.company?.id;
      };
      /**
       * A transient failure is retried by pg-boss, unless the chat already has a job waiting to be
       * retried (an earlier one whose worker died): that one will sync the chat, and a second retry
       * cannot be queued on the stately queue, so throwing would dead-letter this job for nothing.
       */
      const retry = async (error: unknown): Promise<{ kind: 'left_to_retry' }> => {
        const singletonKey = syncChatQueue.sendDefaults?.(data).singletonKey;
        if (singletonKey !== undefined && (await deps.jobs.hasRetryWaiting(syncChatQueue, singletonKey, job.jobId))) {
          await auditJob('sync.left_to_retry', {
            error: isAppError(error) ? describe(error) : { code: 'internal', message: 'unexpected error' },
          });
          return { kind: 'left_to_retry' };
        }
        await auditRetry(error, auditJob, job.retryCount);
        throw error;
      };
      try {
        const outcome = await syncChat(data.chatId);
        // Not audited: it decides when, not what; the write that follows is.
        if (outcome.kind === 'throttled') await defer({ chatId: data.chatId }, outcome.until);
        return outcome;
      } catch (error) {
        if (!isAppError(error)) return await retry(error);
        if (error.code === 'pipedrive.budget_exhausted') {
          const until = await budgetResumesAt(data.chatId, error);
          await defer({ chatId: data.chatId }, until);
          await auditJob('sync.deferred', { reason: 'budget_paused', until: until.toISOString() });
          return { kind: 'deferred', until };
        }
        if (error.code === 'pipedrive.rate_limited') {
          const throttled = (data.throttled ?? 0) + 1;
          const retryAfter = Number(error.headers?.['retry-after'] ?? NaN);
          const backoff = Math.min(MAX_THROTTLE_DELAY_S, 2 ** throttled);
          const seconds = Math.max(Number.isFinite(retryAfter) ? retryAfter : 0, backoff) * (1 + Math.random() * 0.2);
          const until = new Date(deps.clock.now().getTime() + Math.ceil(seconds * 1000));
          await defer({ chatId: data.chatId, throttled }, until);
          await auditJob('sync.deferred', { reason: 'rate_limited', until: until.toISOString(), throttled });
          return { kind: 'deferred', until };
        }
        if (NOT_CONNECTED_ERRORS.has(error.code)) {
          await auditJob('sync.skipped', { reason: error.code });
          return { kind: 'skipped', reason: error.code };
        }
        if (PERMANENT_ERRORS.has(error.code)) {
          const companyId = await auditJob('sync.dead_lettered', { error: describe(error) });
          await deps.jobs.send(syncDeadLetterQueue, {
            chatId: data.chatId,
            ...(companyId === undefined ? {} : { companyId }),
            reason: 'pipedrive_refused',
            error: describe(error),
            sourceJobId: job.jobId,
            sourceRetryCount: job.retryCount,
          });
          deps.logger.warn({ chatId: data.chatId, code: error.code }, 'sync job dead-lettered: Pipedrive refused it');
          return { kind: 'dead_lettered' };
        }
        return await retry(error);
      }
    },

    /**
     * After a reconnect: queues every chat whose transcripts miss changes, the longest-waiting
     * first. Each job writes its days in order, and the chat's transcript state makes a second
     * run a no-op, so what was missed is synced once.
     */
    async reconcileCompany(companyId: number): Promise<number> {
      const chatIds = await repository.chatsBehind(companyId);
      for (const chatId of chatIds) await deps.jobs.send(syncChatQueue, { chatId });
      await deps.audit.record({
        companyId,
        actor: 'system',
        action: 'sync.reconciled',
        detail: { chatsQueued: chatIds.length },
      });
      return chatIds.length;
    },
  };

  async function budgetResumesAt(chatId: string, error: AppError): Promise<Date> {
    const company = (await repository.findChat(chatId))?.company;
    if (company?.budgetPausedUntil != null) return company.budgetPausedUntil;
    const seconds = Number(error.headers?.['retry-after'] ?? 3600);
    return new Date(deps.clock.now().getTime() + seconds * 1000);
  }

  async function auditRetry(
    error: unknown,
    auditJob: (action: AuditAction, detail: Record<string, unknown>) => Promise<unknown>,
    retryCount: number,
  ) {
    const retryLimit = syncChatQueue.options.retryLimit ?? 0;
    const final = retryCount >= retryLimit;
    await auditJob(final ? 'sync.failed' : 'sync.retrying', {
      error: isAppError(error) ? describe(error) : { code: 'internal', message: 'unexpected error' },
      attempt: retryCount + 1,
      ...(final ? { deadLetterQueue: syncDeadLetterQueue.name } : {}),
    });
  }
}

function describe(error: AppError) {
  return {
    code: error.code,
    message: error.message,
    ...(error.details === undefined ? {} : { details: error.details }),
  };
}

export type ChatSyncService = ReturnType<typeof createChatSyncService>;
