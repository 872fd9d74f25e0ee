import { type AppExtensionsSDK, Command } from '../sdk/app-extensions-sdk.ts';
import type { EarlyRequests } from './early-requests.ts';
import { requestJson } from './http.ts';

/** Refetch the SDK's signed token before its 5 minutes run out. */
const TOKEN_REUSE_MS = 4 * 60 * 1000;

/**
 * Calls Parley's panel API with the SDK's signed token (GET_SIGNED_TOKEN) as the bearer: the
 * server knows who is looking only from that token. Panels live on Parley's origin, so URLs are relative.
 * A GET the panel already sent while starting (`early`) is answered from that request once.
 */
export function createPanelApi(sdk: AppExtensionsSDK, early?: EarlyRequests) {
  let cached: { token: string; at: number } | undefined;
  async function token(): Promise<string> {
    if (cached !== undefined && Date.now() - cached.at < TOKEN_REUSE_MS) return cached.token;
    const { token: fresh } = await sdk.execute(Command.GET_SIGNED_TOKEN);
    cached = { token: fresh, at: Date.now() };
    return fresh;
  }
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> =>
    requestJson<T>(path, {
      method,
      headers: { authorization: `Bearer ${await token()}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  return {
    /** POSTs a file as the raw body with its own type (the server reads name and caption from the query). */
    upload: async <T>(path: string, file: Blob, type: string): Promise<T> =>
      requestJson<T>(path, {
        method: 'POST',
        headers: { authorization: `Bearer ${await token()}`, 'content-type': type },
        body: file,
      }),
    get: async <T>(path: string): Promise<T> => {
      const answer = early?.take<T>(path);
      if (answer !== undefined)
        try {
          return await answer;
        } catch {
          // Asked again below with the SDK's token: the error the panel shows is that request's.
        }
      return call<T>('GET', path);
    },
    post: <T>(path: string, body?: unknown) => call<T>('POST', path, body),
    put: <T>(path: string, body: unknown) => call<T>('PUT', path, body),
  };
}

export type PanelApi = ReturnType<typeof createPanelApi>;

export type { PanelStatus } from '../../../contracts/panel.schemas.ts';
