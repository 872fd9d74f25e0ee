/**
 * Pipedrive's response envelopes. Success: `{ success: true, data, additional_data? }`. Error:
 * `{ success: false, error, error_info, data: null, additional_data: null }` (the shape of the
 * client's `LeadNotFoundResponse` model and of the changelog's 403 example), plus `errorCode` on
 * the auth/scope/limit errors the API proxy answers (observed: `{"success":false,"error":"Scope and
 * URL mismatch","errorCode":403}`, pipedrive/client-php#14) and `code` where Pipedrive documents one.
 */

/** Pipedrive's wording in `error_info` (changelog post "new error message and code for post deals"). */
export const ERROR_INFO = 'Please check developers.pipedrive.com for more information about Pipedrive API.';

export interface ApiErrorBody {
  success: false;
  error: string;
  error_info: string;
  data: null;
  additional_data: null;
  errorCode?: number;
  code?: string;
  /** v1 webhooks answer validation failures with a per-field map (`WebhooksBadRequestResponse`). */
  errors?: Record<string, string>;
}

/** Thrown by route handlers; the API plugin's error handler renders it. */
export class PipedriveApiError extends Error {
  readonly statusCode: number;
  readonly body: ApiErrorBody;
  readonly headers: Record<string, string>;

  constructor(
    statusCode: number,
    message: string,
    extra: {
      errorCode?: boolean;
      code?: string;
      errors?: Record<string, string>;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message);
    this.statusCode = statusCode;
    this.headers = extra.headers ?? {};
    this.body = {
      success: false,
      error: message,
      error_info: ERROR_INFO,
      data: null,
      additional_data: null,
      ...(extra.errorCode ? { errorCode: statusCode } : {}),
      ...(extra.code ? { code: extra.code } : {}),
      ...(extra.errors ? { errors: extra.errors } : {}),
    };
  }
}

export function badRequest(message: string, errors?: Record<string, string>): PipedriveApiError {
  return new PipedriveApiError(400, message, errors ? { errors } : {});
}

export function notFound(message: string): PipedriveApiError {
  return new PipedriveApiError(404, message);
}

export function forbidden(message: string): PipedriveApiError {
  return new PipedriveApiError(403, message);
}

export function unauthorized(message: string): PipedriveApiError {
  return new PipedriveApiError(401, message, { errorCode: true });
}
