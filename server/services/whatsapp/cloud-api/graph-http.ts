import { ProviderError } from '../provider.ts';

/** Graph error codes that may succeed when tried again later (whatsapp-cloud-api.md §1.7). */
const TRANSIENT_CODES = new Set([1, 2, 4, 80007, 130429, 131000, 131016, 131056, 133004, 135000]);
const TIMEOUT_MS = 15_000;

export interface GraphHttp {
  request<T>(options: {
    method: 'GET' | 'POST' | 'DELETE';
    /** Path after the version (`/123/messages`) or an absolute paging URL. */
    path: string;
    token: string;
    query?: Record<string, string>;
    /** JSON, or `FormData` sent as multipart/form-data (media uploads). */
    body?: unknown;
  }): Promise<T>;
  /** A GET of an absolute URL with the bearer, returning bytes (media downloads). */
  download(url: string, token: string, maxBytes: number): Promise<{ bytes: Buffer; contentType: string | null }>;
}

/**
 * HTTP to Meta's Graph API: base URL and version from configuration, bearer auth, JSON, a timeout,
 * and Graph's error envelope turned into `ProviderError`. Tokens never appear in URLs (or logs).
 */
export function createGraphHttp(config: { graphUrl: string; graphVersion: string }): GraphHttp {
  const base = `${config.graphUrl}/${config.graphVersion}`;

  async function send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'follow' });
    } catch (error) {
      throw new ProviderError({
        code: 'network',
        title: 'WhatsApp could not be reached',
        detail: error instanceof Error ? error.message : String(error),
        httpStatus: null,
        transient: true,
      });
    }
  }

  return {
    async request<T>(options: {
      method: 'GET' | 'POST' | 'DELETE';
      path: string;
      token: string;
      query?: Record<string, string>;
      body?: unknown;
    }): Promise<T> {
      const url = new URL(options.path.startsWith('http') ? options.path : `${base}${options.path}`);
      for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
      // fetch sets multipart/form-data with its boundary for a FormData body.
      const multipart = options.body instanceof FormData;
      const response = await send(url.toString(), {
        method: options.method,
        headers: {
          authorization: `Bearer ${options.token}`,
          accept: 'application/json',
          ...(options.body === undefined || multipart ? {} : { 'content-type': 'application/json' }),
        },
        ...(options.body === undefined
          ? {}
          : { body: options.body instanceof FormData ? options.body : JSON.stringify(options.body) }),
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = text === '' ? {} : JSON.parse(text);
      } catch {
        json = undefined;
      }
      if (!response.ok || json === undefined || isErrorEnvelope(json)) throw toProviderError(response.status, json);
      return json as T;
    },

    async download(url, token, maxBytes) {
      const response = await send(url, { headers: { authorization: `Bearer ${token}` } });
      if (!response.ok) {
        throw new ProviderError({
          code: 131052,
          title: 'Media download error',
          detail: `the media URL answered ${response.status}`,
          httpStatus: response.status,
          transient: response.status >= 500 || response.status === 429,
        });
      }
      const declared = Number(response.headers.get('content-length') ?? Number.NaN);
      if (Number.isFinite(declared) && declared > maxBytes) {
        await response.body?.cancel();
        throw new MediaSizeExceeded(declared);
      }
      // Count while reading: a Content-Length can lie or be absent.
      const chunks: Buffer[] = [];
      let size = 0;
      const reader = response.body?.getReader();
      for (;;) {
        const part = await reader?.read();
        if (part === undefined || part.done) break;
        size += part.value.byteLength;
        if (size > maxBytes) {
          await reader?.cancel();
          throw new MediaSizeExceeded(size);
        }
        chunks.push(Buffer.from(part.value));
      }
      return { bytes: Buffer.concat(chunks), contentType: response.headers.get('content-type') };
    },
  };
}

/** Thrown by `download` past the byte limit; the provider maps it to `MediaTooLargeError`. */
export class MediaSizeExceeded extends Error {
  readonly sizeBytes: number;
  constructor(sizeBytes: number) {
    super('media larger than the limit');
    this.sizeBytes = sizeBytes;
  }
}

function isErrorEnvelope(json: unknown): boolean {
  return typeof json === 'object' && json !== null && 'error' in json;
}

interface GraphErrorBody {
  message?: unknown;
  code?: unknown;
  error_user_msg?: unknown;
  error_data?: { details?: unknown };
  is_transient?: unknown;
}

function toProviderError(httpStatus: number, json: unknown): ProviderError {
  const error = typeof json === 'object' && json !== null ? (json as { error?: GraphErrorBody }).error : undefined;
  const code = typeof error?.code === 'number' ? error.code : httpStatus;
  const message = typeof error?.message === 'string' ? error.message : `WhatsApp answered HTTP ${httpStatus}`;
  const details = typeof error?.error_data?.details === 'string' ? error.error_data.details : undefined;
  return new ProviderError({
    code,
    // Graph puts "(#131047) Re-engagement message" in `message`; keep the words.
    title: message.replace(/^\(#\d+\)\s*/, ''),
    ...(details === undefined ? {} : { detail: details }),
    httpStatus,
    transient: error?.is_transient === true || TRANSIENT_CODES.has(code) || httpStatus >= 500 || httpStatus === 429,
  });
}
