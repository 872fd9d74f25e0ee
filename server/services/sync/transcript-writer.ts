import type { AuditAction } from '../../../contracts/audit-actions.ts';
import { createHash } from 'node:crypto';
import type { Db } from '../../db/client.ts';
import {
  createTranscriptsRepository,
  type EffectKey,
  type TranscriptRow,
} from '../../db/repositories/transcripts.repository.ts';
import { isAppError } from '../../errors.ts';
import type { PipedriveTimeline, TimelineAnchors } from './pipedrive-timeline.ts';
import { partReference, type TranscriptPart } from './transcript-render.ts';

export type TimelineMode = 'note' | 'activity';
export type AuditSync = (action: AuditAction, detail: Record<string, unknown>) => Promise<void>;

/**
 * Puts one rendered transcript part in Pipedrive, exactly once (reliability.md §2.4): an update
 * when Parley knows the note (or activity), else a create announced in `sync_effects` first; a
 * create whose outcome was never recorded is looked for by its marker before writing again.
 */
export function createTranscriptWriter(deps: { db: Db }) {
  const repository = createTranscriptsRepository(deps.db);

  /** Writes one part if its content or anchors changed; returns the number of writes (0 or 1). */
  async function writePart(input: {
    companyId: number;
    chatId: string;
    day: string;
    part: TranscriptPart;
    subject: string;
    row: TranscriptRow | undefined;
    anchors: TimelineAnchors;
    mode: TimelineMode;
    activityType: string | null;
    timeline: PipedriveTimeline;
    audit: AuditSync;
  }): Promise<number> {
    const { part, row, anchors, mode, timeline } = input;
    const hash = createHash('sha256')
      .update(`${part.hash}|${JSON.stringify(anchors)}|${mode}`)
      .digest('hex');
    const storedId = (mode === 'note' ? row?.noteId : row?.activityId) ?? null;
    if (storedId !== null && row?.contentHash === hash) return 0;

    const entry = { html: part.html, subject: input.subject, day: input.day };
    const write = {
      create: () =>
        mode === 'note'
          ? timeline.createNote(entry, anchors)
          : timeline.createActivity(entry, anchors, input.activityType ?? ''),
      update: (id: number) =>
        mode === 'note'
          ? timeline.updateNote(id, entry, anchors)
          : timeline.updateActivity(id, entry, anchors, input.activityType ?? ''),
      find: (reference: string) =>
        mode === 'note'
          ? timeline.findNote(anchors.personId, reference)
          : timeline.findActivity(anchors.personId, reference),
    };
    const key: EffectKey = {
      companyId: input.companyId,
      subjectType: 'transcript',
      subjectId: `${input.chatId}:${input.day}:${part.part}`,
      kind: `${mode}.create`,
    };
    const detail = { day: input.day, part: part.part, messages: part.messageCount, mode };

    let remoteId: number | undefined;
    let action: AuditAction;
    if (storedId !== null) {
      try {
        await write.update(storedId);
        remoteId = storedId;
        action = `transcript.${mode}_updated`;
      } catch (error) {
        // Someone deleted it in Pipedrive: write the day again rather than lose it.
        if (!isAppError(error) || error.code !== 'pipedrive.not_found') throw error;
        await input.audit(`transcript.${mode}_missing`, { ...detail, remoteId: storedId });
        action = `transcript.${mode}_recreated`;
      }
    } else {
      action = `transcript.${mode}_created`;
      const effect = await repository.findEffect(key);
      // An earlier attempt announced a create and never recorded its outcome: it may have
      // written the note before dying. Look for its marker before writing another.
      if (effect?.state === 'pending') {
        const foundId = await write.find(partReference(`parley:${input.chatId}:${input.day}`, part.part));
        if (foundId !== undefined) {
          await write.update(foundId);
          remoteId = foundId;
          action = `transcript.${mode}_found_after_retry`;
        }
      }
    }
    if (remoteId === undefined) {
      await repository.beginEffect(key);
      remoteId = await write.create();
    }
    const id = remoteId;
    await deps.db.transaction(async (tx) => {
      const inTx = createTranscriptsRepository(tx);
      await inTx.savePart({
        companyId: input.companyId,
        chatId: input.chatId,
        day: input.day,
        part: part.part,
        ...(mode === 'note' ? { noteId: id } : { activityId: id }),
        lastMessageId: part.lastMessageId,
        contentHash: hash,
      });
      await inTx.finishEffect(key, { state: 'done', remoteId: String(id), lastError: null });
    });
    await input.audit(action, { ...detail, remoteId: id, anchors });
    return 1;
  }

  /** The "WhatsApp chat" activity type's key: looked up (or created) once per company, then remembered. */
  async function ensureActivityType(companyId: number, timeline: PipedriveTimeline, audit: AuditSync): Promise<string> {
    const key: EffectKey = {
      companyId,
      subjectType: 'company',
      subjectId: String(companyId),
      kind: 'activity_type.ensure',
    };
    const known = await repository.findEffect(key);
    if (known?.state === 'done' && known.remoteId !== null) return known.remoteId;
    await repository.beginEffect(key);
    const typeKey = await timeline.ensureActivityType();
    await repository.finishEffect(key, { state: 'done', remoteId: typeKey, lastError: null });
    await audit('activity_type.ready', { key: typeKey });
    return typeKey;
  }

  return { writePart, ensureActivityType };
}

export type TranscriptWriter = ReturnType<typeof createTranscriptWriter>;
