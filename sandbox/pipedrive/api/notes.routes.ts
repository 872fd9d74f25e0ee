import type { PipedriveContext } from '../emulator.ts';
import type { Note, PipedriveState, User } from '../state.ts';
import type { DefineEndpoint } from './endpoint.ts';
import { badRequest, forbidden, notFound } from './envelope.ts';
import { sanitizeNoteContent } from './note-content.ts';
import { paginateByOffset } from './pagination.ts';
import { announceCreated, updateRecord } from './record-changes.ts';
import { readV1Time, requireDeal, requireLead, requireOrganization, requirePerson } from './record-input.ts';
import { SCOPES } from './scopes.ts';
import { serializeNoteV1 } from './serializers/v1.ts';
import {
  field,
  parse,
  pathId,
  nullable,
  queryBoolean,
  queryInteger,
  queryString,
  readObjectBody,
  requiredField,
  type Body,
} from './validation.ts';
import { canSeeLinks, canSeeNote, type Links } from './visibility.ts';

/**
 * A note's anchors and the pin flag each one allows. Pipedrive documents every anchor as "required
 * unless one of the others is specified", so a note may hang on a person and a deal (or a lead)
 * together; `project_id` and `task_id` exist in Pipedrive but are not emulated.
 */
const ANCHORS = [
  { key: 'deal_id', property: 'dealId', pin: 'pinned_to_deal_flag', pinProperty: 'pinnedToDeal' },
  { key: 'person_id', property: 'personId', pin: 'pinned_to_person_flag', pinProperty: 'pinnedToPerson' },
  { key: 'org_id', property: 'orgId', pin: 'pinned_to_organization_flag', pinProperty: 'pinnedToOrganization' },
  { key: 'lead_id', property: 'leadId', pin: 'pinned_to_lead_flag', pinProperty: 'pinnedToLead' },
] as const;
const UNEMULATED_ANCHORS = ['project_id', 'task_id', 'pinned_to_project_flag', 'pinned_to_task_flag'] as const;

/** API v1 notes: create, update (PUT), list, get. One or more anchors; HTML content. */
export function registerNoteEndpoints(endpoint: DefineEndpoint, context: PipedriveContext): void {
  const { state } = context;
  const visibleNote = (caller: User, id: number): Note => {
    const note = state.notes.get(id);
    if (!note || !canSeeNote(state, caller, note)) throw notFound('Note not found');
    return note;
  };

  endpoint({
    method: 'POST',
    url: '/v1/notes',
    version: 'v1',
    operation: 'create',
    scopes: SCOPES.notesFull,
    status: 201,
    handler: ({ caller, body: rawBody }) => {
      const body = readObjectBody(rawBody);
      const content = sanitizeNoteContent(requiredField(body, 'content', parse.string, 'loose'));
      const links = readAnchors(state, caller.user, body, NO_LINKS);
      const now = context.clock.now();
      const note: Note = {
        id: state.nextId('note'),
        companyId: caller.company.id,
        userId: readAuthor(state, caller.user, body),
        content,
        ...links,
        pinnedToDeal: false,
        pinnedToPerson: false,
        pinnedToOrganization: false,
        pinnedToLead: false,
        addTime: readV1Time(body, 'add_time') ?? now,
        updateTime: now,
        activeFlag: true,
      };
      applyPins(note, body);
      state.notes.set(note.id, note);
      announceCreated(context, caller, 'note', note);
      return { success: true, data: serializeNoteV1(state, note, caller.user.id) };
    },
  });

  endpoint({
    method: 'PUT',
    url: '/v1/notes/:id',
    version: 'v1',
    operation: 'update',
    scopes: SCOPES.notesFull,
    handler: ({ caller, params, body: rawBody }) => {
      const note = visibleNote(caller.user, pathId(params));
      const body = readObjectBody(rawBody);
      const content = field(body, 'content', parse.string, 'loose');
      if (content !== undefined && content.trim() === '') {
        throw badRequest('Validation failed: content: must not be empty');
      }
      // Only the anchors named change: adding person_id keeps the note on its deal.
      const links = readAnchors(state, caller.user, body, note);
      // Checked before anything changes: a pin needs its anchor; dropping an anchor drops its pin.
      const next = { ...note, ...links };
      applyPins(next, body);
      for (const { property, pinProperty } of ANCHORS) if (next[property] === null) next[pinProperty] = false;
      const sanitized = content === undefined ? undefined : sanitizeNoteContent(content);
      updateRecord(context, caller, 'note', note, (draft) => {
        Object.assign(draft, links);
        for (const { pinProperty } of ANCHORS) draft[pinProperty] = next[pinProperty];
        if (sanitized !== undefined) draft.content = sanitized;
      });
      return { success: true, data: serializeNoteV1(state, note, caller.user.id) };
    },
  });

  endpoint({
    method: 'GET',
    url: '/v1/notes',
    version: 'v1',
    operation: 'list',
    scopes: SCOPES.notesRead,
    handler: ({ caller, query }) => {
      const filters = { user_id: 'userId', deal_id: 'dealId', person_id: 'personId', org_id: 'orgId' } as const;
      const leadId = queryString(query, 'lead_id');
      const pins = ANCHORS.flatMap(({ pin, pinProperty }) => {
        const wanted = queryBoolean(query, pin, 'loose');
        return wanted === undefined ? [] : [(note: Note) => note[pinProperty] === wanted];
      });
      const notes = [...state.notes.values()].filter(
        (note) =>
          canSeeNote(state, caller.user, note) &&
          (leadId === undefined || note.leadId === leadId) &&
          pins.every((matches) => matches(note)) &&
          Object.entries(filters).every(([key, property]) => {
            const wanted = queryInteger(query, key);
            return wanted === undefined || note[property] === wanted;
          }),
      );
      const { page, pagination } = paginateByOffset(sortNotes(notes, queryString(query, 'sort')), query);
      return {
        success: true,
        data: page.map((note) => serializeNoteV1(state, note, caller.user.id)),
        additional_data: { pagination },
      };
    },
  });

  endpoint({
    method: 'GET',
    url: '/v1/notes/:id',
    version: 'v1',
    operation: 'get',
    scopes: SCOPES.notesRead,
    handler: ({ caller, params }) => ({
      success: true,
      data: serializeNoteV1(state, visibleNote(caller.user, pathId(params)), caller.user.id),
    }),
  });
}

const NO_LINKS: Links = { dealId: null, personId: null, orgId: null, leadId: null };

/**
 * The note's anchors after applying the body to `current`: each anchor named is set (or cleared
 * with null), the others stay. At least one must remain, and each must exist and be visible to the
 * caller (an invisible one answers like a missing one).
 */
function readAnchors(state: PipedriveState, caller: User, body: Body, current: Links): Links {
  for (const key of UNEMULATED_ANCHORS) {
    if (body[key] !== undefined) throw badRequest(`Validation failed: ${key}: not supported by the sandbox`);
  }
  const links: Links = {
    dealId: current.dealId,
    personId: current.personId,
    orgId: current.orgId,
    leadId: current.leadId,
  };
  for (const { key } of ANCHORS) {
    if (body[key] === undefined) continue;
    if (key === 'lead_id') {
      links.leadId = field(body, key, nullable(parse.string), 'loose') ?? null;
      requireLead(state, caller, links.leadId);
      continue;
    }
    const id = field(body, key, nullable(parse.integer), 'loose') ?? null;
    if (key === 'deal_id') requireDeal(state, caller, (links.dealId = id));
    if (key === 'person_id') requirePerson(state, caller, (links.personId = id));
    if (key === 'org_id') requireOrganization(state, caller, (links.orgId = id));
  }
  if (ANCHORS.every(({ property }) => links[property] === null)) {
    throw badRequest('Validation failed: one of deal_id, person_id, org_id or lead_id is required');
  }
  if (!canSeeLinks(state, caller, links)) {
    const hidden = ANCHORS.find(
      ({ property }) =>
        links[property] !== null && !canSeeLinks(state, caller, { ...NO_LINKS, [property]: links[property] }),
    );
    throw badRequest(`Validation failed: ${hidden?.key ?? 'deal_id'}: not found`);
  }
  return links;
}

/** `user_id` (the author) may only be set by admins; others write as themselves. */
function readAuthor(state: PipedriveState, caller: User, body: Body): number {
  const userId = field(body, 'user_id', parse.integer, 'loose');
  if (userId === undefined || userId === caller.id) return caller.id;
  if (!caller.isAdmin) throw forbidden('Only admins can add notes on behalf of other users');
  const author = state.users.get(userId);
  if (!author || author.companyId !== caller.companyId) throw badRequest('Validation failed: user_id: user not found');
  return userId;
}

/** Pin flags (0/1 or booleans in v1): a note can only be pinned to an anchor it has. */
function applyPins(note: Note, body: Body): void {
  for (const { key, property, pin, pinProperty } of ANCHORS) {
    const value = field(body, pin, parse.boolean, 'loose');
    if (value === undefined) continue;
    if (value && note[property] === null) throw badRequest(`Validation failed: ${pin}: the note has no ${key}`);
    note[pinProperty] = value;
  }
}

/** v1 `sort`: `field ASC|DESC` over id, add_time, update_time (default add_time ASC). */
function sortNotes(notes: Note[], sort: string | undefined): Note[] {
  const [name = 'add_time', direction = 'ASC'] = (sort ?? 'add_time ASC').trim().split(/\s+/);
  const keys: Record<string, (note: Note) => number> = {
    id: (note) => note.id,
    add_time: (note) => note.addTime.getTime(),
    update_time: (note) => note.updateTime.getTime(),
  };
  const key = keys[name];
  if (!key || !['ASC', 'DESC'].includes(direction.toUpperCase())) {
    throw badRequest('Validation failed: sort: must be "<id|add_time|update_time> <ASC|DESC>"');
  }
  const sorted = [...notes].sort((a, b) => key(a) - key(b) || a.id - b.id);
  return direction.toUpperCase() === 'DESC' ? sorted.reverse() : sorted;
}
