import type { FastifyInstance } from 'fastify';
import type { WhatsAppContext } from '../context.ts';
import type { Template } from '../records.ts';
import { authenticate, requireWaba } from './graph-auth.ts';
import { GraphError } from './graph-errors.ts';
import { pickFields } from './graph-fields.ts';
import { VERSION } from './graph-version.ts';

type Query = Record<string, string | undefined>;

const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 1000;

/**
 * GET /{version}/{waba-id}/message_templates with Graph cursor paging (whatsapp-cloud-api.md §1.4):
 * `limit`, `after` / `before`, `paging.cursors` and `next` / `previous` URLs; filters `status`,
 * `name`, `language`, `category`; `fields` picks the returned fields.
 */
export async function templatesRoutes(fastify: FastifyInstance, options: { context: WhatsAppContext }): Promise<void> {
  const { context } = options;
  fastify.get<{ Params: { version: string; wabaId: string }; Querystring: Query }>(
    `/${VERSION}/:wabaId/message_templates`,
    async (request) => {
      const grant = authenticate(context.state, request);
      const waba = requireWaba(context.state, grant, request.params.wabaId, 'GET');
      const query = request.query;
      const limit = parseLimit(query['limit']);
      const all = context.state.templates.filter((template) => template.wabaId === waba.id && matches(template, query));
      const start = pageStart(all, query, limit);
      const page = all.slice(start, start + limit);
      const first = page[0];
      const last = page[page.length - 1];
      const pageUrl = (cursor: Record<string, string>) => {
        const params = new URLSearchParams(
          Object.entries(query).filter(
            (entry): entry is [string, string] => entry[1] !== undefined && !['after', 'before'].includes(entry[0]),
          ),
        );
        for (const [key, value] of Object.entries(cursor)) params.set(key, value);
        return `${context.baseUrl()}/${request.params.version}/${waba.id}/message_templates?${params.toString()}`;
      };
      return {
        data: page.map((template) =>
          // Asked for by name, rejected_reason comes back on every template ("NONE" unless rejected).
          query['fields'] === undefined
            ? serializeTemplate(template)
            : pickFields(
                { ...serializeTemplate(template), rejected_reason: template.rejectedReason },
                query['fields'],
                {
                  type: 'WhatsAppBusinessHSM',
                  knownExtra: ['quality_score', 'previous_category', 'sub_category', 'cta_url_link_tracking_opted_out'],
                },
              ),
        ),
        paging: {
          ...(first && last ? { cursors: { before: encodeCursor(first), after: encodeCursor(last) } } : {}),
          ...(first && start > 0 ? { previous: pageUrl({ before: encodeCursor(first) }) } : {}),
          ...(last && start + limit < all.length ? { next: pageUrl({ after: encodeCursor(last) }) } : {}),
        },
      };
    },
  );
}

function invalid(message: string): GraphError {
  return new GraphError(400, { message: `(#100) ${message}`, type: 'OAuthException', code: 100 });
}

function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_LIMIT;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1) throw invalid('Param limit must be a positive integer');
  return Math.min(limit, MAX_LIMIT);
}

function matches(template: Template, query: Query): boolean {
  const status = query['status']?.split(',').map((s) => s.trim().toUpperCase());
  if (status && !status.includes(template.status)) return false;
  if (query['category'] && query['category'].toUpperCase() !== template.category) return false;
  if (query['language'] && query['language'] !== template.language) return false;
  if (query['name'] && !template.name.includes(query['name'])) return false;
  return true;
}

/** Cursors are opaque strings, like Graph's; here they point at a template id. */
function encodeCursor(template: Template): string {
  return Buffer.from(`tpl:${template.id}`).toString('base64url');
}

function decodeCursor(all: Template[], cursor: string, name: string): number {
  const id = Buffer.from(cursor, 'base64url').toString().replace(/^tpl:/, '');
  const index = all.findIndex((template) => template.id === id);
  if (index < 0) throw invalid(`The ${name} cursor is invalid`);
  return index;
}

function pageStart(all: Template[], query: Query, limit: number): number {
  if (query['after'] !== undefined) return decodeCursor(all, query['after'], 'after') + 1;
  if (query['before'] !== undefined) return Math.max(0, decodeCursor(all, query['before'], 'before') - limit);
  return 0;
}

/** A template as Graph returns it (field names and upper-case enums per §1.4). */
export function serializeTemplate(template: Template): Record<string, unknown> {
  return {
    name: template.name,
    parameter_format: template.parameterFormat,
    components: template.components,
    language: template.language,
    status: template.status,
    category: template.category,
    ...(template.status === 'REJECTED' ? { rejected_reason: template.rejectedReason } : {}),
    id: template.id,
  };
}
