import { canSee, type Activity, type Note, type PipedriveState, type User } from '../state.ts';
import { notFound } from './envelope.ts';

/**
 * What a user may read. Records with an owner and `visible_to` follow `canSee` (state.ts). Notes
 * and activities have no visibility of their own here: they are visible when every deal, person,
 * organization and lead they hang on is.
 *
 * A record the caller may not see answers exactly like a missing one (404 "… not found") and is
 * left out of lists: the sandbox never confirms that a hidden id exists. (Whether Pipedrive answers
 * 403 or 404 here is unconfirmed; 404 is the stricter choice for an app that must not leak.)
 */
interface Owned {
  companyId: number;
  ownerId: number;
  visibleTo: 1 | 3 | 5 | 7;
}

export function isVisibleRecord(viewer: User, record: (Owned & { isDeleted?: boolean }) | undefined): boolean {
  return record !== undefined && record.isDeleted !== true && canSee(viewer, record);
}

export function requireVisible<T extends Owned & { isDeleted?: boolean }>(
  viewer: User,
  record: T | undefined,
  label: string,
): T {
  if (!record || !isVisibleRecord(viewer, record)) throw notFound(`${label} not found`);
  return record;
}

export interface Links {
  dealId: number | null;
  personId: number | null;
  orgId: number | null;
  leadId: string | null;
}

export function canSeeLinks(state: PipedriveState, viewer: User, links: Links): boolean {
  const checks: [boolean, (Owned & { isDeleted?: boolean }) | undefined][] = [
    [links.dealId !== null, links.dealId === null ? undefined : state.deals.get(links.dealId)],
    [links.personId !== null, links.personId === null ? undefined : state.persons.get(links.personId)],
    [links.orgId !== null, links.orgId === null ? undefined : state.organizations.get(links.orgId)],
    [links.leadId !== null, links.leadId === null ? undefined : leadAsOwned(state, links.leadId)],
  ];
  return checks.every(([linked, record]) => !linked || (record !== undefined && canSee(viewer, record)));
}

export function canSeeNote(state: PipedriveState, viewer: User, note: Note): boolean {
  return note.companyId === viewer.companyId && note.activeFlag && canSeeLinks(state, viewer, note);
}

export function canSeeActivity(state: PipedriveState, viewer: User, activity: Activity): boolean {
  return activity.companyId === viewer.companyId && !activity.isDeleted && canSeeLinks(state, viewer, activity);
}

function leadAsOwned(state: PipedriveState, leadId: string): Owned | undefined {
  const lead = state.leads.get(leadId);
  return lead ? { companyId: lead.companyId, ownerId: lead.ownerId, visibleTo: lead.visibleTo } : undefined;
}
