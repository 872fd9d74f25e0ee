import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Company, PipedriveState } from './state.ts';

/**
 * Each Pipedrive company has its own API origin (`https://<company>.pipedrive.com`), handed out as
 * the token response's `api_domain`. The sandbox serves every company from its one server under
 * `http://<company>.pipedrive.localhost:<port>`: names under `.localhost` mean the loopback
 * interface (RFC 6761 §6.3), Chromium resolves them so without DNS, and the server tells the
 * companies apart by the Host header. The plain sandbox origin (`http://localhost:<port>`) plays
 * `api.pipedrive.com`, which answers for every company.
 */
const COMPANY_HOST_SUFFIX = '.pipedrive.localhost';

/** `http://acme-demo.pipedrive.localhost:3001` for the sandbox at `http://localhost:3001`. */
export function companyApiDomain(baseUrl: string, company: Company): string {
  const url = new URL(baseUrl);
  url.hostname = `${company.domain}${COMPANY_HOST_SUFFIX}`;
  return url.origin;
}

export type RequestHost =
  { kind: 'generic' } | { kind: 'company'; company: Company } | { kind: 'unknown-company'; domain: string };

/** Which company's origin a request came to, from its Host header. */
export function hostOf(state: PipedriveState, hostHeader: string | undefined): RequestHost {
  const hostname = (hostHeader ?? '').replace(/:\d+$/, '').toLowerCase();
  if (!hostname.endsWith(COMPANY_HOST_SUFFIX)) return { kind: 'generic' };
  const domain = hostname.slice(0, -COMPANY_HOST_SUFFIX.length);
  for (const company of state.companies.values()) if (company.domain === domain) return { kind: 'company', company };
  return { kind: 'unknown-company', domain };
}

/** Paths a company origin serves: the REST API (`/api/v1`, `/api/v2`, and v1 without `/api`). */
const API_PATH = /^\/(api\/v[12]|v1)(\/|$)/;

/**
 * An `onRequest` hook for the whole sandbox: on a company origin only the REST API answers (the
 * endpoint registrar checks the token's company); a page opened there (Parley links to
 * `{api_domain}/settings/...`) is sent to the same path on the sandbox's origin, where the
 * sign-in cookie lives. Pipedrive serves its web app on the company origin itself; one origin for
 * the pages keeps the sandbox's single sign-in cookie.
 */
export function companyHostHook(state: PipedriveState, baseUrl: () => string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (hostOf(state, request.headers.host).kind === 'generic' || API_PATH.test(request.url)) return;
    if (request.method === 'GET' || request.method === 'HEAD') {
      await reply.redirect(`${baseUrl()}${request.url}`);
      return;
    }
    await reply.code(404).type('text/plain; charset=utf-8').send('Not found on a company API origin');
  };
}
