import { STATUS_CODES } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { WhatsAppContext } from '../context.ts';
import type { WebhookVerification } from '../records.ts';
import { configureWebhook } from '../webhooks/verification.ts';
import { authenticateApp } from './graph-auth.ts';
import { GraphError, graphErrors } from './graph-errors.ts';
import { VERSION } from './graph-version.ts';

/**
 * The Graph API way to set an app's webhook, besides the dashboard page: POST /{app-id}/subscriptions
 * with `object=whatsapp_business_account`, `callback_url`, `verify_token`, `fields` and an app
 * access token. Meta runs the same GET verify handshake and answers 2200 when it fails.
 * (Multipart bodies, as in Meta's curl -F examples, are not parsed: send JSON or a form.)
 */
export async function appSubscriptionsRoutes(
  fastify: FastifyInstance,
  options: { context: WhatsAppContext },
): Promise<void> {
  const { state } = options.context;

  fastify.post<{ Params: { appId: string } }>(`/${VERSION}/:appId/subscriptions`, async (request) => {
    const app = authenticateApp(state, request, request.params.appId);
    const body = {
      ...(request.query as Record<string, unknown>),
      ...((request.body ?? {}) as Record<string, unknown>),
    };
    if (body['object'] === undefined) throw graphErrors.requiredParameter('object');
    if (body['object'] !== 'whatsapp_business_account') {
      throw graphErrors.invalidParameter('The sandbox emulates the whatsapp_business_account object only');
    }
    for (const name of ['callback_url', 'verify_token']) {
      if (typeof body[name] !== 'string' || body[name] === '') throw graphErrors.requiredParameter(name);
    }
    const result = await configureWebhook(state, {
      appId: app.id,
      callbackUrl: body['callback_url'] as string,
      verifyToken: body['verify_token'] as string,
    });
    if (!result.ok) throw verificationFailed(result);
    return { success: true };
  });

  fastify.get<{ Params: { version: string; appId: string } }>(`/${VERSION}/:appId/subscriptions`, async (request) => {
    const app = authenticateApp(state, request, request.params.appId);
    return {
      data: app.webhook
        ? [
            {
              object: 'whatsapp_business_account',
              callback_url: app.webhook.callbackUrl,
              active: true,
              fields: [{ name: 'messages', version: request.params.version }],
            },
          ]
        : [],
    };
  });
}

function verificationFailed(result: WebhookVerification): GraphError {
  const reason =
    result.status === null
      ? (result.error ?? 'the callback URL could not be reached')
      : result.status === 200
        ? `Response does not match challenge, expected value="${result.challenge}", received="${(result.body ?? '').slice(0, 100)}"`
        : `HTTP Status Code = ${result.status}; HTTP Message = ${STATUS_CODES[result.status] ?? 'Unknown'}`;
  return new GraphError(400, {
    message: `(#2200) Callback verification failed with the following errors: ${reason}`,
    type: 'OAuthException',
    code: 2200,
  });
}
