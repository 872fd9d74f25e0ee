import { randomBytes } from 'node:crypto';
import nock from 'nock';
import type { PipedriveIdentity } from '../../server/services/pipedrive/pipedrive-api.ts';
import type { Consent } from './connected-company.ts';
import { TEST_SECRETS } from './test-config.ts';

export const OAUTH_URL = 'https://oauth.pipedrive.test';
export const API_DOMAIN = 'https://acme.pipedrive.test';

export const ADA: PipedriveIdentity = {
  companyId: 5001,
  userId: 101,
  name: 'Ada Admin',
  email: 'ada@acme.test',
  companyName: 'Acme Demo',
  companyDomain: 'acme',
  isAdmin: true,
};

const basic = `Basic ${Buffer.from(`${TEST_SECRETS.clientId}:${TEST_SECRETS.clientSecret}`).toString('base64')}`;

export interface IssuedGrant {
  code: string;
  accessToken: string;
  refreshToken: string;
}

/**
 * Pipedrive's OAuth server and `/users/me`, scripted with nock for tests that need a fault at a
 * chosen moment (503s, 429s, a refresh that must happen exactly once). Flow tests use the sandbox.
 * Every interceptor checks the client's Basic auth and the bearer token.
 */
export function expectAuthorization(identity: PipedriveIdentity, options: { expiresIn?: number } = {}): IssuedGrant {
  const grant = {
    code: `code-${randomBytes(6).toString('hex')}`,
    accessToken: `v1u:at-${randomBytes(8).toString('hex')}`,
    refreshToken: `rt-${randomBytes(8).toString('hex')}`,
  };
  nock(OAUTH_URL)
    .post(
      '/oauth/token',
      (body: Record<string, string>) =>
        body['grant_type'] === 'authorization_code' &&
        body['code'] === grant.code &&
        body['redirect_uri'] === 'http://localhost:3000/oauth/callback',
    )
    .matchHeader('authorization', basic)
    .reply(200, {
      access_token: grant.accessToken,
      refresh_token: grant.refreshToken,
      token_type: 'Bearer',
      expires_in: options.expiresIn ?? 3599,
      scope: 'base,deals:full,contacts:full',
      api_domain: API_DOMAIN,
    });
  expectCurrentUser(identity, grant.accessToken);
  return grant;
}

export function expectCurrentUser(identity: PipedriveIdentity, accessToken: string) {
  return nock(API_DOMAIN)
    .get('/api/v1/users/me')
    .matchHeader('authorization', `Bearer ${accessToken}`)
    .reply(200, {
      success: true,
      data: {
        id: identity.userId,
        name: identity.name,
        email: identity.email,
        company_id: identity.companyId,
        company_name: identity.companyName,
        company_domain: identity.companyDomain,
        is_admin: identity.isAdmin ? 1 : 0,
        access: [{ app: 'sales', admin: identity.isAdmin, permission_set_id: 'x' }],
        active_flag: true,
      },
    });
}

/** A refresh answered with rotated tokens; `times` lets a test prove it happened exactly once. */
export function expectRefresh(
  refreshToken: string,
  options: {
    times?: number;
    delayMs?: number;
    /** Called when the request arrives; the answer waits for `answerAfter`. */
    onRequest?: () => void;
    answerAfter?: Promise<void>;
  } = {},
): IssuedGrant {
  const next = {
    code: '',
    accessToken: `v1u:at-${randomBytes(8).toString('hex')}`,
    refreshToken: `rt-${randomBytes(8).toString('hex')}`,
  };
  nock(OAUTH_URL)
    .post(
      '/oauth/token',
      (body: Record<string, string>) =>
        body['grant_type'] === 'refresh_token' && body['refresh_token'] === refreshToken,
    )
    .matchHeader('authorization', basic)
    .times(options.times ?? 1)
    .delay(options.delayMs ?? 0)
    .reply(async () => {
      options.onRequest?.();
      await options.answerAfter;
      return [
        200,
        {
          access_token: next.accessToken,
          refresh_token: next.refreshToken,
          token_type: 'Bearer',
          expires_in: 3599,
          scope: 'base',
          api_domain: API_DOMAIN,
        },
      ];
    });
  return next;
}

/** A consent script for `connectCompany` answered by nock, keeping each user's grant for assertions. */
export function nockConsent(users: PipedriveIdentity[] = []): {
  consent: Consent<PipedriveIdentity>;
  grants: Map<number, IssuedGrant>;
} {
  const grants = new Map<number, IssuedGrant>();
  const authorize = (user: PipedriveIdentity) => {
    const grant = expectAuthorization(user);
    grants.set(user.userId, grant);
    return grant.code;
  };
  return {
    consent: { admin: ADA, users, authorize, emailOf: (user) => user.email, nameOf: (user) => user.name },
    grants,
  };
}
