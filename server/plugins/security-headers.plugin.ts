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
 * Strict defaults everywhere (helmet: CSP, X-Frame-Options, nosniff…). Extension pages are the
 * exception: Pipedrive frames them, so they get `frameAncestorsHelmet` instead.
 */
async function securityHeaders(fastify: FastifyInstance, { config }: { config: AppConfig }): Promise<void> {
  await fastify.register(helmet, {
    global: true,
    // Local http runs (sandbox) must not be upgraded to https by the browser.
    hsts: config.publicUrl.startsWith('https:'),
    contentSecurityPolicy: {
      directives: { 'upgrade-insecure-requests': config.publicUrl.startsWith('https:') ? [] : null },
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

export default fp(securityHeaders, { name: 'security-headers' });
export { securityHeaders };
