/**
 * Errors of `oauth.pipedrive.com`. The messages are the ones listed in RD:marketplace-oauth-and-
 * api-proxy-status-codes; they match node-oauth2-server's, whose body shape
 * (`{ error, error_description }`, RFC 6749 §5.2) and status rules we therefore follow: 400, except
 * `invalid_client` after Basic authentication, which is 401 with `WWW-Authenticate` (Pipedream saw
 * "invalid_client (401)" from Pipedrive, PipedreamHQ/pipedream#20648).
 *
 * Doubt: the docs render parameter names in code font (`grant_type`, `authorization_code`), so the
 * wire text may carry backticks as node-oauth2-server's does. We send the plain words; clients
 * should branch on `error`, never on `error_description`.
 */

export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type';

export interface OAuthErrorBody {
  error: OAuthErrorCode;
  error_description: string;
}

export class OAuthError extends Error {
  readonly statusCode: number;
  readonly body: OAuthErrorBody;
  readonly headers: Record<string, string>;

  constructor(code: OAuthErrorCode, description: string, statusCode = 400, headers: Record<string, string> = {}) {
    super(description);
    this.statusCode = statusCode;
    this.body = { error: code, error_description: description };
    this.headers = headers;
  }
}

export const oauthErrors = {
  contentType: () =>
    new OAuthError('invalid_request', 'Invalid request: content must be application/x-www-form-urlencoded'),
  missingGrantType: () => new OAuthError('invalid_request', 'Missing parameter: grant_type'),
  unsupportedGrantType: () => new OAuthError('unsupported_grant_type', 'Unsupported grant type: grant_type is invalid'),
  missingParameter: (name: string) => new OAuthError('invalid_request', `Missing parameter: ${name}`),
  twoClientAuthMethods: () =>
    new OAuthError(
      'invalid_request',
      'Invalid request: use one client authentication method (Basic header or form body)',
    ),
  noClientCredentials: () => new OAuthError('invalid_client', 'Invalid client: cannot retrieve client credentials'),
  invalidClient: () =>
    new OAuthError('invalid_client', 'Invalid client: client is invalid', 401, {
      'www-authenticate': 'Basic realm="Service"',
    }),
  codeInvalid: () => new OAuthError('invalid_grant', 'Invalid grant: authorization_code is invalid'),
  codeExpired: () => new OAuthError('invalid_grant', 'Invalid grant: authorization_code has expired'),
  refreshTokenInvalid: () => new OAuthError('invalid_grant', 'Invalid grant: refresh_token is invalid'),
  // Not in Pipedrive's table (unconfirmed): worded like the authorization_code expiry.
  refreshTokenExpired: () => new OAuthError('invalid_grant', 'Invalid grant: refresh_token has expired'),
  redirectUriMissing: () => new OAuthError('invalid_request', 'Invalid request: redirect_uri is not a valid URI'),
  redirectUriMismatch: () => new OAuthError('invalid_request', 'Invalid request: redirect_uri is invalid'),
};
