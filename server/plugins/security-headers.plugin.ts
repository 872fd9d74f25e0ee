import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { AppConfig } from '../config.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Route-level helmet options (read by @fastify/helmet from the route config). */
    helmet?: ReturnType<typeof frameableHelmet>;
  }
}

/**
 * Strict defaults everywhere (helmet: CSP, X-Frame-Options, nosniff…), and never frameable:
 * `X-Frame-Options: DENY` and `frame-ancestors 'none'` (the dashboard included). Extension pages
 * under `/extensions/` are the one exception: Pipedrive frames them (`frameableHelmet`).
 */
async function securityHeaders(fastify: FastifyInstance, { config }: { config: AppConfig }): Promise<void> {
  await fastify.register(helmet, {
    global: true,
    // Local http runs (sandbox) must not be upgraded to https by the browser.
    hsts: config.publicUrl.startsWith('https:'),
    frameguard: { action: 'deny' },
    contentSecurityPolicy: {
      directives: {
        'frame-ancestors': ["'none'"],
        'upgrade-insecure-requests': config.publicUrl.startsWith('https:') ? [] : null,
      },
    },
  });
}

/** Origins allowed to frame Parley's extensions: Pipedrive, and the local sandbox when it runs. */
export function frameAncestors(config: AppConfig): string[] {
  return [
    'https://*.pipedrive.com',
    ...(config.sandbox.enabled ? [config.sandbox.url, config.sandbox.url.replace('localhost', '127.0.0.1')] : []),
  ];
}

/** Route-level helmet options for pages Pipedrive embeds: no X-Frame-Options, CSP frame-ancestors instead. */
export function frameableHelmet(config: AppConfig) {
  return {
    frameguard: false,
    contentSecurityPolicy: {
      directives: {
        'frame-ancestors': frameAncestors(config),
        'upgrade-insecure-requests': config.publicUrl.startsWith('https:') ? [] : null,
      },
    },
  } as const;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Route-level helmet options, read by @fastify/helmet on each request (see `frameableHelmet`). */
    helmet?: ReturnType<typeof frameableHelmet>;
  }
}

export default fp(securityHeaders, { name: 'security-headers' });
export { securityHeaders };
