import type { Activity, Deal, Lead, Note, Person, VisibleTo } from '../records.ts';
import { canSee, type PipedriveState } from '../state.ts';
import { html, raw, type SafeHtml } from '../../../server/html.ts';
import type { Viewer } from './session.ts';

/** Field lists and history of the record pages (what Pipedrive's detail views show first). */

const VISIBILITY: Record<VisibleTo, string> = {
  1: 'Owner only',
  3: "Owner's visibility group",
  5: "Owner's visibility group and sub-groups",
  7: 'Entire company',
};

function userName(state: PipedriveState, id: number): string {
  return state.users.get(id)?.name ?? `User ${id}`;
}

function money(amount: number, currency: string): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amount);
}

function personLink(state: PipedriveState, viewer: Viewer, personId: number | null): SafeHtml | string {
  const person = personId === null ? undefined : state.persons.get(personId);
  if (person === undefined || person.isDeleted) return '—';
  return canSee(viewer.user, person) ? html`<a href="/person/${person.id}">${person.name}</a>` : person.name;
}

function fields(rows: [string, SafeHtml | string][]): SafeHtml {
  return html`<dl class="fields">
    ${rows.map(
      ([label, value]) =>
        html`<dt>${label}</dt>
          <dd>${value}</dd>`,
    )}
  </dl>`;
}

export function dealFields(state: PipedriveState, viewer: Viewer, deal: Deal): SafeHtml {
  const stage = state.stages.get(deal.stageId);
  const pipeline = state.pipelines.get(deal.pipelineId);
  return fields([
    ['Value', money(deal.value, deal.currency)],
    ['Person', personLink(state, viewer, deal.personId)],
    ['Stage', html`${pipeline?.name ?? 'Pipeline'} › <strong data-deal-stage>${stage?.name ?? '—'}</strong>`],
    ['Owner', html`<span data-deal-owner>${userName(state, deal.ownerId)}</span>`],
    ['Status', deal.status],
    ['Visible to', VISIBILITY[deal.visibleTo]],
  ]);
}

export function personFields(state: PipedriveState, person: Person): SafeHtml {
  const organization = person.orgId === null ? undefined : state.organizations.get(person.orgId);
  return fields([
    [
      'Phone',
      html`${person.phones.map((phone) => html`<div>${phone.value} <span class="muted">${phone.label}</span></div>`)}`,
    ],
    ['Email', person.emails.map((email) => email.value).join(', ') || '—'],
    ['Organization', organization?.name ?? '—'],
    ['Owner', userName(state, person.ownerId)],
    ['Visible to', VISIBILITY[person.visibleTo]],
  ]);
}

export function leadFields(state: PipedriveState, viewer: Viewer, lead: Lead): SafeHtml {
  const labels = lead.labelIds.map((id) => state.leadLabels.get(id)?.name ?? id);
  return fields([
    ['Person', personLink(state, viewer, lead.personId)],
    ['Value', lead.value === null ? '—' : money(lead.value.amount, lead.value.currency)],
    ['Labels', labels.join(', ') || '—'],
    ['Owner', userName(state, lead.ownerId)],
    ['Source', lead.sourceName],
    ['Visible to', VISIBILITY[lead.visibleTo]],
  ]);
}

type HistoryItem = { at: Date; html: SafeHtml };

/** Notes and activities linked to the record, newest first: where Parley's synced messages land. */
export function renderHistory(
  state: PipedriveState,
  matches: (item: Pick<Note, 'dealId' | 'personId' | 'leadId'>) => boolean,
): SafeHtml {
  const items: HistoryItem[] = [];
  for (const note of state.notes.values()) {
    if (!note.activeFlag || !matches(note)) continue;
    items.push({
      at: note.addTime,
      // Pipedrive notes are HTML; the sandbox shows them as text to stay safe.
      html: html`<li data-note="${note.id}">
        <strong>Note</strong> by ${userName(state, note.userId)}
        <span class="muted">${note.addTime.toISOString()}</span>
        <div>${note.content}</div>
      </li>`,
    });
  }
  for (const activity of state.activities.values()) {
    if (activity.isDeleted || !matches(activity)) continue;
    items.push({ at: activity.addTime, html: renderActivity(state, activity) });
  }
  items.sort((a, b) => b.at.getTime() - a.at.getTime());
  return html`<section class="card">
    <h2>History</h2>
    ${
      items.length === 0
        ? html`<p class="muted">No notes or activities yet.</p>`
        : html`<ul class="history">
            ${items.map((item) => item.html)}
          </ul>`
    }
  </section>`;
}

function renderActivity(state: PipedriveState, activity: Activity): SafeHtml {
  return html`<li data-activity="${activity.id}">
    <strong>${activity.done ? raw('&#10003; ') : ''}${activity.subject}</strong>
    <span class="muted">${activity.type} · ${userName(state, activity.ownerId)} · ${activity.dueDate ?? ''}</span>
    ${activity.note === null ? '' : html`<div>${activity.note}</div>`}
  </li>`;
}
