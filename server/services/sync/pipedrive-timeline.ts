import { loadPipedriveSdk } from '../pipedrive/pipedrive-sdk.ts';
import type { ConnectionApi } from '../pipedrive/pipedrive-api.ts';

/** Where a transcript sits in Pipedrive: always the person, plus the deal or the lead when linked. */
export interface TimelineAnchors {
  personId: number;
  dealId: number | null;
  leadId: string | null;
}

export interface TimelineEntry {
  /** Transcript HTML (the note's content, or the activity's note field). */
  html: string;
  /** The activity's subject and day (activity mode only). */
  subject: string;
  day: string;
}

/** The activity type Parley files chat activities under (pipedrive-platform.md §4.7). */
export const ACTIVITY_TYPE_NAME = 'WhatsApp chat';
const PAGE_SIZE = 500;
/** How many pages of a person's notes or activities a marker search reads before giving up. */
const MAX_SEARCH_PAGES = 10;

/**
 * The writes the transcript sync makes, over one company's org connection: notes (v1, the only
 * version notes have) and done activities (v2). Each method is one remote effect; the caller records
 * it in `sync_effects`. Searching by marker is what makes a retried create safe.
 */
export function createPipedriveTimeline(api: ConnectionApi) {
  const anchorsOf = (anchors: TimelineAnchors) => ({
    person_id: anchors.personId,
    ...(anchors.dealId === null ? {} : { deal_id: anchors.dealId }),
    ...(anchors.leadId === null || anchors.dealId !== null ? {} : { lead_id: anchors.leadId }),
  });
  /** The official request builders (the package loads at the first call, see pipedrive-sdk.ts). */
  const builders = async () => {
    const { v1, v2, v1Config, v2Config } = await loadPipedriveSdk();
    return {
      notes: v1.NotesApiAxiosParamCreator(v1Config),
      activities: v2.ActivitiesApiAxiosParamCreator(v2Config),
      activityTypes: v1.ActivityTypesApiAxiosParamCreator(v1Config),
    };
  };

  return {
    async createNote(entry: TimelineEntry, anchors: TimelineAnchors): Promise<number> {
      const { notes } = await builders();
      const response = await api.call<{ data?: { id?: number } }>(
        await notes.addNote({ content: entry.html, ...anchorsOf(anchors) }),
        { version: 'v1', kind: 'create' },
      );
      return Number(response.body.data?.id);
    },
    async updateNote(noteId: number, entry: TimelineEntry, anchors: TimelineAnchors): Promise<void> {
      const { notes } = await builders();
      await api.call(await notes.updateNote(noteId, { content: entry.html, ...anchorsOf(anchors) }), {
        version: 'v1',
        kind: 'update',
      });
    },
    /** The person's note that carries `reference` (newest first), if Parley already wrote it. */
    async findNote(personId: number, reference: string): Promise<number | undefined> {
      const { notes } = await builders();
      for (let page = 0, start = 0; page < MAX_SEARCH_PAGES; page += 1) {
        const response = await api.call<{
          data?: { id: number; content?: string }[] | null;
          additional_data?: { pagination?: { more_items_in_collection?: boolean; next_start?: number } };
        }>(
          await notes.getNotes(
            undefined,
            undefined,
            undefined,
            personId,
            undefined,
            undefined,
            undefined,
            start,
            PAGE_SIZE,
            'add_time DESC',
          ),
          { version: 'v1', kind: 'list' },
        );
        const found = (response.body.data ?? []).find((note) => note.content?.includes(reference) === true);
        if (found !== undefined) return found.id;
        const pagination = response.body.additional_data?.pagination;
        if (pagination?.more_items_in_collection !== true || pagination.next_start === undefined) return undefined;
        start = pagination.next_start;
      }
      return undefined;
    },

    /** The key of the "WhatsApp chat" activity type, created if the company has none (look before create). */
    async ensureActivityType(): Promise<string> {
      const { activityTypes } = await builders();
      const listed = await api.call<{ data?: { name?: string; key_string?: string; active_flag?: boolean }[] | null }>(
        await activityTypes.getActivityTypes(),
        { version: 'v1', kind: 'list' },
      );
      const existing = (listed.body.data ?? []).find(
        (type) => type.name === ACTIVITY_TYPE_NAME && type.active_flag !== false && type.key_string !== undefined,
      );
      if (existing?.key_string !== undefined) return existing.key_string;
      const created = await api.call<{ data?: { key_string?: string } }>(
        await activityTypes.addActivityType({ name: ACTIVITY_TYPE_NAME, icon_key: 'bubble' }),
        { version: 'v1', kind: 'create' },
      );
      return String(created.body.data?.key_string);
    },
    async createActivity(entry: TimelineEntry, anchors: TimelineAnchors, typeKey: string): Promise<number> {
      const { activities } = await builders();
      const response = await api.call<{ data?: { id?: number } }>(
        await activities.addActivity({ ...activityBody(entry, anchors, typeKey), done: true }),
        { version: 'v2', kind: 'create' },
      );
      return Number(response.body.data?.id);
    },
    async updateActivity(activityId: number, entry: TimelineEntry, anchors: TimelineAnchors, typeKey: string) {
      const { activities } = await builders();
      await api.call(await activities.updateActivity(activityId, activityBody(entry, anchors, typeKey)), {
        version: 'v2',
        kind: 'update',
      });
    },
    async findActivity(personId: number, reference: string): Promise<number | undefined> {
      const { activities } = await builders();
      let cursor: string | undefined;
      for (let page = 0; page < MAX_SEARCH_PAGES; page += 1) {
        const response = await api.call<{
          data?: { id: number; note?: string | null }[] | null;
          additional_data?: { next_cursor?: string | null };
        }>(
          await activities.getActivities(
            undefined,
            undefined,
            undefined,
            undefined,
            undefined,
            personId,
            undefined,
            undefined,
            undefined,
            undefined,
            'add_time',
            'desc',
            undefined,
            PAGE_SIZE,
            cursor,
          ),
          { version: 'v2', kind: 'list' },
        );
        const found = (response.body.data ?? []).find((activity) => activity.note?.includes(reference) === true);
        if (found !== undefined) return found.id;
        cursor = response.body.additional_data?.next_cursor ?? undefined;
        if (cursor === undefined) return undefined;
      }
      return undefined;
    },
  };

  function activityBody(entry: TimelineEntry, anchors: TimelineAnchors, typeKey: string) {
    return {
      subject: entry.subject,
      type: typeKey,
      due_date: entry.day,
      note: entry.html,
      ...anchorsOf(anchors),
      participants: [{ person_id: anchors.personId, primary: true }],
    };
  }
}

export type PipedriveTimeline = ReturnType<typeof createPipedriveTimeline>;
