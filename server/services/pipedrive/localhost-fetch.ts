import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { LookupFunction } from 'node:net';
import { Readable } from 'node:stream';

/**
 * `fetch` for Pipedrive's `api_domain`, except that names under `.localhost` reach the loopback
 * interface, as RFC 6761 §6.3 asks of name resolution. Browsers do this; getaddrinfo on most Linux
 * systems does not, and Node's `fetch` takes no custom lookup. The sandbox gives every Pipedrive
 * company its own `http://<company>.pipedrive.localhost:<port>`, as Pipedrive gives each its own
 * `https://<company>.pipedrive.com`; those real origins go to `fetch` unchanged (looked up per
 * call, so whatever wraps the global `fetch` still sees them).
 */
export const localhostAwareFetch: typeof fetch = (input, init) => {
  const url = typeof input === 'string' || input instanceof URL ? new URL(input) : undefined;
  if (url === undefined || url.protocol !== 'http:' || !url.hostname.endsWith('.localhost')) return fetch(input, init);
  return loopbackRequest(url, init ?? {});
};

/** A `lookup` that answers every name with the IPv4 loopback address (for `.localhost` names only). */
export const loopbackLookup: LookupFunction = (_hostname, options, callback) => {
  if (options.all === true) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

/** The subset of `fetch` Parley's Pipedrive calls use: method, headers, a string body, a signal. */
function loopbackRequest(url: URL, init: RequestInit): Promise<Response> {
  if (init.body !== undefined && init.body !== null && typeof init.body !== 'string')
    return Promise.reject(new TypeError('only string bodies are sent to a .localhost origin'));
  const body = init.body ?? undefined;
  const method = init.method ?? 'GET';
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      {
        method,
        headers: Object.fromEntries(new Headers(init.headers)),
        lookup: loopbackLookup,
        ...(init.signal ? { signal: init.signal } : {}),
      },
      (incoming) => resolve(toResponse(incoming, method)),
    );
    // As `fetch` does: a network failure rejects with a TypeError whose cause says why.
    outgoing.on('error', (error) => reject(new TypeError('fetch failed', { cause: error })));
    outgoing.end(body);
  });
}

function toResponse(incoming: IncomingMessage, method: string): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, item);
  }
  const status = incoming.statusCode ?? 502;
  const bodiless = method === 'HEAD' || status === 204 || status === 304;
  if (bodiless) incoming.resume();
  return new Response(bodiless ? null : (Readable.toWeb(incoming) as ReadableStream<Uint8Array>), {
    status,
    statusText: incoming.statusMessage ?? '',
    headers,
  });
}
