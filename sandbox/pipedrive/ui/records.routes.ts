import type { FastifyInstance } from 'fastify';
import type { Deal, Lead, PanelLocation, Person } from '../records.ts';
import { canSee, type PipedriveState } from '../state.ts';
import { renderAppPage } from './app-page.ts';
import { renderPanels } from './extension-views.ts';
import { html, type SafeHtml } from '../../../server/html.ts';
import type { Section } from './layout.ts';
import { dealFields, leadFields, personFields, renderHistory } from './record-views.ts';
import { requireViewer, type UiContext, type Viewer } from './session.ts';
import type { FrameContext } from './ui-state.ts';

type Visible = { companyId: number; ownerId: number; visibleTo: Deal['visibleTo'] };
type Linked = { dealId: number | null; personId: number | null; leadId: string | null };

/** One kind of record page: how to find, title, describe and list it, and which panels it embeds. */
interface RecordKind<R extends Visible> {
  noun: string;
  section: Section;
  listPath: string;
  detailPath: (record: R) => string;
  find: (state: PipedriveState, id: string) => R | undefined;
  all: (state: PipedriveState) => R[];
  title: (record: R) => string;
  fields: (state: PipedriveState, viewer: Viewer, record: R) => SafeHtml;
  /** Custom panels exist for deal, person and organization details only (pipedrive-platform.md §3.1). */
  panels: ((record: R) => { location: PanelLocation; context: FrameContext }) | null;
  history: (record: R) => (item: Linked) => boolean;
}

const deals: RecordKind<Deal> = {
  noun: 'deal',
  section: 'deals',
  listPath: '/deals',
  detailPath: (deal) => `/deal/${deal.id}`,
  find: (state, id) => live(state.deals.get(Number(id))),
  all: (state) => [...state.deals.values()].filter((deal) => !deal.isDeleted),
  title: (deal) => deal.title,
  fields: dealFields,
  panels: (deal) => ({ location: 'deal_details', context: { resource: 'deal', selectedIds: String(deal.id) } }),
  history: (deal) => (item) => item.dealId === deal.id,
};

const persons: RecordKind<Person> = {
  noun: 'person',
  section: 'persons',
  listPath: '/persons',
  detailPath: (person) => `/person/${person.id}`,
  find: (state, id) => live(state.persons.get(Number(id))),
  all: (state) => [...state.persons.values()].filter((person) => !person.isDeleted),
  title: (person) => person.name,
  fields: (state, _viewer, person) => personFields(state, person),
  panels: (person) => ({
    location: 'person_details',
    context: { resource: 'person', selectedIds: String(person.id) },
  }),
  history: (person) => (item) => item.personId === person.id,
};

const leads: RecordKind<Lead> = {
  noun: 'lead',
  section: 'leads',
  listPath: '/leads/inbox',
  detailPath: (lead) => `/leads/inbox/${lead.id}`,
  find: (state, id) => state.leads.get(id),
  all: (state) => [...state.leads.values()].filter((lead) => !lead.isArchived),
  title: (lead) => lead.title,
  fields: leadFields,
  panels: null,
  history: (lead) => (item) => item.leadId === lead.id,
};

function live<R extends { isDeleted: boolean }>(record: R | undefined): R | undefined {
  return record?.isDeleted === true ? undefined : record;
}

/** Deal, person and lead pages (Pipedrive's URLs), with lists to reach them. */
export async function recordsRoutes(fastify: FastifyInstance, { ctx }: { ctx: UiContext }): Promise<void> {
  registerKind(fastify, ctx, deals, '/deal/:id');
  registerKind(fastify, ctx, persons, '/person/:id');
  registerKind(fastify, ctx, leads, '/leads/inbox/:id');
}

function registerKind<R extends Visible>(
  fastify: FastifyInstance,
  ctx: UiContext,
  kind: RecordKind<R>,
  route: string,
): void {
  fastify.get(kind.listPath, async (request, reply) => {
    const viewer = requireViewer(ctx, request, reply);
    if (viewer === null) return reply;
    const visible = kind.all(ctx.state).filter((record) => canSee(viewer.user, record));
    const title = `${kind.noun[0]?.toUpperCase()}${kind.noun.slice(1)}s`;
    const body = html`<h1>${title}</h1>
      <table>
        <thead>
          <tr>
            <th>${kind.noun}</th>
            <th>Owner</th>
          </tr>
        </thead>
        <tbody>
          ${
            visible.length === 0
              ? html`<tr>
                  <td colspan="2" class="muted">Nothing to show.</td>
                </tr>`
              : ''
          }
          ${visible.map(
            (record) =>
              html`<tr>
                <td><a href="${kind.detailPath(record)}">${kind.title(record)}</a></td>
                <td>${ctx.state.users.get(record.ownerId)?.name ?? ''}</td>
              </tr>`,
          )}
        </tbody>
      </table>`;
    return reply.type('text/html').send(await renderAppPage(ctx, viewer, { title, section: kind.section, body }));
  });

  fastify.get<{ Params: { id: string } }>(route, async (request, reply) => {
    const viewer = requireViewer(ctx, request, reply);
    if (viewer === null) return reply;
    const record = kind.find(ctx.state, request.params.id);
    if (record === undefined || record.companyId !== viewer.user.companyId) {
      const body = html`<section class="card notice error" role="alert">
        <h1>This ${kind.noun} was not found</h1>
        <p>It may have been deleted. <a href="${kind.listPath}">Back to the list</a></p>
      </section>`;
      return reply
        .code(404)
        .type('text/html')
        .send(await renderAppPage(ctx, viewer, { title: 'Not found', body }));
    }
    if (!canSee(viewer.user, record)) {
      const body = html`<section class="card notice error" role="alert" data-no-permission>
        <h1>You don't have permission to view this ${kind.noun}</h1>
        <p>Its visibility is limited to other users. Ask its owner or an admin for access.</p>
      </section>`;
      return reply
        .code(403)
        .type('text/html')
        .send(await renderAppPage(ctx, viewer, { title: 'No permission', section: kind.section, body }));
    }
    const panel = kind.panels?.(record);
    const body = html`<div class="row" style="justify-content: space-between">
        <h1 data-record-title>${kind.title(record)}</h1>
        <a href="${kind.listPath}">All ${kind.noun}s</a>
      </div>
      <div class="detail">
        <aside class="sidebar" aria-label="Sidebar">
          <section class="card">
            <h2>Summary</h2>
            ${kind.fields(ctx.state, viewer, record)}
          </section>
          ${panel === undefined ? '' : await renderPanels(ctx, viewer, panel.location, panel.context)}
        </aside>
        <div>${renderHistory(ctx.state, kind.history(record))}</div>
      </div>`;
    return reply
      .type('text/html')
      .send(await renderAppPage(ctx, viewer, { title: kind.title(record), section: kind.section, body }));
  });
}
