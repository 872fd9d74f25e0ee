import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { AppConfig } from '../../config.ts';
import { createErrorFactory } from '../../errors.ts';
import { frameableHelmet } from '../../plugins/security-headers.plugin.ts';

const createExtensionsNotBuiltError = createErrorFactory({
  code: 'extensions.not_built',
  statusCode: 503,
  message: 'The extension pages are not built yet. Run `npm run build` (npm start does it for you).',
  expose: true,
});

/**
 * Serves the Vite build of the panels (`extensions/dist/extensions`) under `/extensions/`: only what
 * Pipedrive frames; the dashboard is built and served apart. Hashed assets are cached for a year;
 * HTML is revalidated so a deploy takes effect on the next panel load.
 */
export async function extensionsRoutes(
  fastify: FastifyInstance,
  options: { config: AppConfig; distDir: string },
): Promise<void> {
  // Every route of this context may be framed by Pipedrive (helmet reads the route config).
  const helmet = frameableHelmet(options.config);
  fastify.addHook('onRoute', (route) => {
    route.config = { ...route.config, helmet };
  });
  const root = path.join(options.distDir, 'extensions');
  if (!existsSync(root)) {
    fastify.get('/extensions/*', async () => {
      throw createExtensionsNotBuiltError();
    });
    return;
  }
  await fastify.register(fastifyStatic, {
    root,
    prefix: '/extensions/',
    index: ['index.html'],
    redirect: true,
    cacheControl: false,
    setHeaders(res, filePath) {
      res.header('cache-control', filePath.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
}
