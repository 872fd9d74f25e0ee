import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { DASHBOARD_PAGES, DASHBOARD_PARAM_PAGES } from '../../../contracts/dashboard-pages.ts';
import { createErrorFactory } from '../../errors.ts';

const createDashboardNotBuiltError = createErrorFactory({
  code: 'dashboard.not_built',
  statusCode: 503,
  message: 'The dashboard is not built yet. Run `npm run build` (npm start does it for you).',
  expose: true,
});

/** Client-side routes of the dashboard app (the contract the router reads too); each serves the same built page. */
export const DASHBOARD_PATHS = [...Object.values(DASHBOARD_PAGES), ...Object.values(DASHBOARD_PARAM_PAGES)];

/** The built dashboard page (one HTML file for every dashboard URL); undefined when not built. */
export function readDashboardPage(distDir: string): Promise<string | undefined> {
  return readFile(path.join(distDir, 'dashboard', 'pages', 'dashboard', 'index.html'), 'utf8').catch(() => undefined);
}

/**
 * Serves the dashboard (a Vite-built Preact app, `extensions/dist/dashboard`) at its human URLs
 * and its assets under `/app/assets/`. Nothing of it lives under the frameable `/extensions/`,
 * and like every route outside it, it is never frameable (security-headers.plugin.ts).
 */
export async function dashboardPagesRoutes(fastify: FastifyInstance, options: { distDir: string }): Promise<void> {
  const built = path.join(options.distDir, 'dashboard');
  if (existsSync(path.join(built, 'assets')))
    await fastify.register(fastifyStatic, {
      root: path.join(built, 'assets'),
      prefix: '/app/assets/',
      decorateReply: false,
      cacheControl: false,
      // Vite names these files by content hash.
      setHeaders(res) {
        res.header('cache-control', 'public, max-age=31536000, immutable');
      },
    });
  for (const url of DASHBOARD_PATHS) {
    fastify.get(url, async (_request, reply) => {
      const html = await readDashboardPage(options.distDir);
      if (html === undefined) throw createDashboardNotBuiltError();
      return reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
    });
  }
}
