import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createErrorFactory } from '../../errors.ts';

const createDashboardNotBuiltError = createErrorFactory({
  code: 'dashboard.not_built',
  statusCode: 503,
  message: 'The dashboard is not built yet. Run `npm run build` (npm start does it for you).',
  expose: true,
});

/** Client-side routes of the dashboard app; each serves the same built page. */
export const DASHBOARD_PATHS = [
  '/',
  '/login',
  '/signup',
  '/onboarding',
  '/integrations/pipedrive',
  '/whatsapp',
  '/team',
  '/audit',
  '/account',
  '/verify-email',
  '/forgot-password',
  '/reset-password',
  '/unmatched',
  '/invite/:token',
  '/join/:workspaceId',
];

/** Serves the dashboard (a Vite-built Preact app) at its human URLs. */
export async function dashboardPagesRoutes(fastify: FastifyInstance, options: { distDir: string }): Promise<void> {
  const file = path.join(options.distDir, 'pages', 'dashboard', 'index.html');
  for (const url of DASHBOARD_PATHS) {
    fastify.get(url, async (_request, reply) => {
      const html = await readFile(file, 'utf8').catch(() => undefined);
      if (html === undefined) throw createDashboardNotBuiltError();
      return reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
    });
  }
}
