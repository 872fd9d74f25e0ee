import type { ErrorEnvelope } from '../../../contracts/common.schemas.ts';

/** An API failure with the sentence Parley wrote for people (never "Something went wrong"). */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

export async function requestJson<T>(url: string, init: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      headers: {
        accept: 'application/json',
        ...(typeof init.body === 'string' ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
    });
  } catch {
    throw new ApiError(0, 'network', 'Parley cannot be reached. Check your connection and try again.');
  }
  const body = (await response.json().catch(() => undefined)) as T | ErrorEnvelope | undefined;
  if (response.ok) return body as T;
  const envelope = body as ErrorEnvelope | undefined;
  throw new ApiError(
    response.status,
    envelope?.error.code ?? `http_${response.status}`,
    envelope?.error.message ?? `Parley answered ${response.status}. Try again in a moment.`,
  );
}

export const messageOf = (error: unknown) =>
  error instanceof ApiError ? error.message : 'Parley hit an unexpected problem. Reload the page and try again.';
