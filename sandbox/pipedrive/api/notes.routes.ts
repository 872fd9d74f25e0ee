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
  queryInteger,
  queryString,
  readObjectBody,
  requiredField,
  type Body,
} from './validation.ts';
import { canSeeLinks, canSeeNote, type Links } from './visibility.ts';

const ANCHORS = ['deal_id', 'person_id', 'org_id', 'lead_id', 'project_id', 'task_id'] as const;

/** API v1 notes: create, update (PUT), list, get. At least one anchor; HTML content. */
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
      const links = readAnchor(state, caller.user, body);
      if (!links) throw badRequest('Validation failed: one of deal_id, person_id, org_id or lead_id is required');
      const now = context.clock.now();
      const note: Note = {
        id: state.nextId('note'),
        companyId: caller.company.id,
        userId: readAuthor(state, caller.user, body),
        content,
        ...links,
        pinnedToDeal: false,
        pinnedToPerson: false,
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
      const links = readAnchor(state, caller.user, body);
      updateRecord(context, caller, 'note', note, (draft) => {
        Object.assign(draft, links ?? {});
        if (content !== undefined) draft.content = sanitizeNoteContent(content);
        applyPins(draft, body);
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
      const notes = [...state.notes.values()].filter(
        (note) =>
          canSeeNote(state, caller.user, note) &&
          (leadId === undefined || note.leadId === leadId) &&
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

/**
 * The note's anchors: any of deal_id, person_id, org_id, lead_id, at least one (the official request
 * model: each "is required unless one of the others is specified"; a transcript note sits on the
 * person and the deal together). project_id and task_id exist in Pipedrive but are not emulated.
 * Undefined when the body names none. Every anchor must be visible to the caller; an invisible one
 * answers like a missing one.
 */
function readAnchor(state: PipedriveState, caller: User, body: Body): Links | undefined {
  const given = ANCHORS.filter((key) => body[key] !== undefined && body[key] !== null);
  if (given.length === 0) return undefined;
  const unsupported = given.find((key) => key === 'project_id' || key === 'task_id');
  if (unsupported !== undefined) throw badRequest(`Validation failed: ${unsupported}: not supported by the sandbox`);
  const links: Links = { dealId: null, personId: null, orgId: null, leadId: null };
  if (given.includes('lead_id')) {
    links.leadId = requiredField(body, 'lead_id', parse.string, 'loose');
    requireLead(state, caller, links.leadId);
  }
  if (given.includes('deal_id'))
    requireDeal(state, caller, (links.dealId = requiredField(body, 'deal_id', parse.integer, 'loose')));
  if (given.includes('person_id'))
    requirePerson(state, caller, (links.personId = requiredField(body, 'person_id', parse.integer, 'loose')));
  if (given.includes('org_id'))
    requireOrganization(state, caller, (links.orgId = requiredField(body, 'org_id', parse.integer, 'loose')));
  if (!canSeeLinks(state, caller, links)) throw badRequest(`Validation failed: ${given.join(', ')}: not found`);
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

function applyPins(note: Note, body: Body): void {
  const deal = field(body, 'pinned_to_deal_flag', parse.boolean, 'loose');
  const person = field(body, 'pinned_to_person_flag', parse.boolean, 'loose');
  const lead = field(body, 'pinned_to_lead_flag', parse.boolean, 'loose');
  if (deal !== undefined) note.pinnedToDeal = deal;
  if (person !== undefined) note.pinnedToPerson = person;
  if (lead !== undefined) note.pinnedToLead = lead;
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
