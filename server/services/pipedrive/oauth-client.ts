import type { Logger } from '../../logger.ts';
import { isBasicAuth } from '../crypto/constant-time.ts';
import {
  createOAuthRejectedError,
  createPipedriveUnavailableError,
  createReauthRequiredError,
} from './pipedrive.errors.ts';

/** Pipedrive's token response (pipedrive-platform.md §1.3). `api_domain` is the company's API base. */
export interface TokenResponse {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
  api_domain: string;
}

export interface PipedriveOAuthSettings {
  oauthUrl: string;
  clientId: string;
  clientSecret: string;
  /** The registered Callback URL; Pipedrive requires it to match exactly. */
  redirectUri: string;
  timeoutMs?: number;
}

/** The one place that talks to Pipedrive's OAuth server: authorize URL, code exchange, refresh, revoke. */
export function createPipedriveOAuthClient(settings: PipedriveOAuthSettings, logger: Logger) {
  const basic = `Basic ${Buffer.from(`${settings.clientId}:${settings.clientSecret}`).toString('base64')}`;
  const timeoutMs = settings.timeoutMs ?? 10_000;

  async function post(path: '/oauth/token' | '/oauth/revoke', form: Record<string, string>): Promise<Response> {
    try {
      return await fetch(`${settings.oauthUrl}${path}`, {
        method: 'POST',
        headers: {
          authorization: basic,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams(form).toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw createPipedriveUnavailableError({
        message: 'Pipedrive’s sign-in service did not answer. Try again in a moment.',
        cause: error,
      });
    }
  }

  async function tokenRequest(form: Record<string, string>, kind: 'exchange' | 'refresh'): Promise<TokenResponse> {
    const response = await post('/oauth/token', form);
    const body = (await response.json().catch(() => ({}))) as Partial<TokenResponse> & {
      error?: string;
      error_description?: string;
      message?: string;
    };
    if (
      response.ok &&
      typeof body.access_token === 'string' &&
      typeof body.refresh_token === 'string' &&
      typeof body.api_domain === 'string'
    ) {
      return body as TokenResponse;
    }
    const reason = body.error_description ?? body.message ?? body.error ?? `HTTP ${response.status}`;
    if (response.status >= 500 || response.status === 429) {
      throw createPipedriveUnavailableError({
        message: `Pipedrive’s sign-in service failed (${response.status}). Try again in a moment.`,
      });
    }
    logger.warn({ status: response.status, error: body.error, kind }, 'Pipedrive rejected a token request');
    // A refresh that Pipedrive refuses as a grant problem means the grant is gone (revoked,
    // uninstalled, rotated elsewhere): the connection needs a human to reconnect.
    if (kind === 'refresh' && (body.error === 'invalid_grant' || /invalid grant/i.test(reason))) {
      throw createReauthRequiredError({ details: { reason } });
    }
    throw createOAuthRejectedError({
      message: `Pipedrive rejected the authorization: ${reason}. Start the connection again.`,
      details: { reason },
    });
  }

  return {
    authorizationUrl(state: string | undefined): string {
      const url = new URL('/oauth/authorize', settings.oauthUrl);
      url.searchParams.set('client_id', settings.clientId);
      url.searchParams.set('redirect_uri', settings.redirectUri);
      if (state !== undefined) url.searchParams.set('state', state);
      return url.toString();
    },
    exchangeCode(code: string): Promise<TokenResponse> {
      return tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: settings.redirectUri }, 'exchange');
    },
    refresh(refreshToken: string): Promise<TokenResponse> {
      return tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken }, 'refresh');
    },
    /** Revoking the refresh token removes the whole grant: the app is uninstalled for that user. */
    async revoke(refreshToken: string): Promise<void> {
      const response = await post('/oauth/revoke', { token: refreshToken, token_type_hint: 'refresh_token' });
      if (!response.ok) {
        if (response.status >= 500 || response.status === 429)
          throw createPipedriveUnavailableError({
            message: `Pipedrive did not revoke the grant (${response.status}); Parley will retry.`,
          });
        logger.warn({ status: response.status }, 'Pipedrive refused to revoke a grant');
      }
    },
    /** Whether a Basic header carries this app's credentials (Pipedrive's uninstall callback). */
    isOwnBasicAuth(header: string | undefined): boolean {
      return isBasicAuth(header, settings.clientId, settings.clientSecret);
    },
  };
}

export type PipedriveOAuthClient = ReturnType<typeof createPipedriveOAuthClient>;
