import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PipedriveContext } from '../emulator.ts';
import { authenticateClient } from '../oauth/client-auth.ts';
import { exchangeAuthorizationCode, refreshGrant, revokeToken } from '../oauth/grants.ts';
import { OAuthError, oauthErrors } from '../oauth/oauth-errors.ts';

type FormBody = Record<string, string | undefined>;

/** `POST /oauth/token` and `POST /oauth/revoke` of oauth.pipedrive.com (§1.3, §2.2 of the platform doc). */
export async function oauthRoutes(fastify: FastifyInstance, options: { context: PipedriveContext }): Promise<void> {
  const { context } = options;
  // Any body is accepted here so that a wrong content type gets OAuth's own error, not Fastify's 415.
  fastify.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  fastify.setErrorHandler((error, _request, reply) => {
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) throw error;
    const contentError = oauthErrors.contentType();
    return reply.code(contentError.statusCode).send(contentError.body);
  });

  fastify.post('/oauth/token', async (request, reply) =>
    answer(reply, () => {
      const body = readForm(request);
      const app = authenticateClient(context.state, request.headers.authorization, body);
      const grantType = body['grant_type'];
      if (!grantType) throw oauthErrors.missingGrantType();
      const baseUrl = context.baseUrl;
      if (grantType === 'authorization_code') {
        return exchangeAuthorizationCode(context.state, app, {
          code: body['code'],
          redirectUri: body['redirect_uri'],
          baseUrl,
        });
      }
      if (grantType === 'refresh_token') {
        return refreshGrant(context.state, app, { refreshToken: body['refresh_token'], baseUrl });
      }
      throw oauthErrors.unsupportedGrantType();
    }),
  );

  fastify.post('/oauth/revoke', async (request, reply) =>
    answer(reply, () => {
      const body = readForm(request);
      const app = authenticateClient(context.state, request.headers.authorization, body);
      const token = body['token'];
      if (!token) throw oauthErrors.missingParameter('token');
      revokeToken(context.state, app, token, body['token_type_hint']);
      return {};
    }),
  );
}

function answer(reply: FastifyReply, run: () => object): FastifyReply {
  // RFC 6749 §5.1: token responses must not be cached.
  void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  try {
    return reply.code(200).send(run());
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    return reply.code(error.statusCode).headers(error.headers).send(error.body);
  }
}

function readForm(request: FastifyRequest): FormBody {
  const contentType = request.headers['content-type'] ?? '';
  if (!/^application\/x-www-form-urlencoded\b/i.test(contentType)) throw oauthErrors.contentType();
  const body = request.body;
  if (typeof body !== 'object' || body === null) return {};
  const form: FormBody = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === 'string') form[key] = value;
  }
  return form;
}
