import type { PanelStatus } from '../api/panel-client.ts';

/** A moment in the viewer's own locale and timezone, with the month in words (never 12/30 vs 30/12). */
export function formatMoment(iso: string): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** Why the organization has no connection any more, in words; undefined when it never had one. */
export function endedOrganizationText(status: PanelStatus): string | undefined {
  const ended = status.organization.ended;
  if (ended === null) return undefined;
  const company = status.company.name ?? 'your company';
  return ended.reason === 'disconnected'
    ? `Your organization was disconnected from Parley by an admin on ${formatMoment(ended.at)}: live chat, sending and message sync stopped for everyone at ${company}.`
    : `Parley was uninstalled from ${company}'s Pipedrive on ${formatMoment(ended.at)}: live chat, sending and message sync stopped for everyone.`;
}

/** The waiting state after a consent filed a join request; undefined when nothing is pending. */
export function awaitingApprovalText(status: PanelStatus): string | undefined {
  const since = status.personal.awaitingApprovalSince;
  if (since === null) return undefined;
  return `Waiting for approval since ${formatMoment(since)}. You are not a member of ${status.company.name ?? 'your company'}'s Parley workspace yet, so its admins were asked to let you in. Once one approves, this panel connects by itself: no need to connect again.`;
}
