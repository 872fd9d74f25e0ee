import { requestJson } from './http.ts';

/**
 * How long an early answer may stand in for the panel's own request. The panel asks within a few
 * hundred milliseconds (the SDK's handshake); an answer older than this is no longer "now".
 */
const EARLY_ANSWER_MAX_AGE_MS = 10_000;

/**
 * GETs a panel sends while its script starts, before the SDK's handshake (initialize, then
 * GET_SIGNED_TOKEN) has run, so the first answers travel while the handshake does. They carry the
 * token Pipedrive put in the iframe URL: the same signed JWT GET_SIGNED_TOKEN returns, verified by
 * the server like any other panel token (pipedrive-platform.md §3.3).
 *
 * An early answer serves the panel's first identical GET once, if it comes within the maximum age;
 * the panel API asks again itself when the early request failed (an expired URL token, say), so
 * failures look exactly as they did before.
 */
export function startEarlyRequests(token: string) {
  const started = new Map<string, { at: number; answer: Promise<unknown> }>();
  return {
    /** Sends a GET now; its answer stands in for the panel's own GET of `panelPath`. */
    get<T>(path: string, panelPath: string = path): Promise<T> {
      const answer = requestJson<T>(path, { method: 'GET', headers: { authorization: `Bearer ${token}` } });
      started.set(panelPath, { at: Date.now(), answer });
      // Nobody may ever take this answer; its failure is the taker's business (it asks again).
      answer.catch(() => undefined);
      return answer;
    },
    /** An answer that came inside another one (the first chat's page inside the context). */
    answered<T>(panelPath: string, answer: T): void {
      started.set(panelPath, { at: Date.now(), answer: Promise.resolve(answer) });
    },
    /** Forgets an answer that must not stand in for a later request (it describes a passing state). */
    drop(path: string): void {
      started.delete(path);
    },
    /** The early answer for this GET, at most once, if it is recent enough; else undefined. */
    take<T>(path: string): Promise<T> | undefined {
      const entry = started.get(path);
      started.delete(path);
      if (entry === undefined || Date.now() - entry.at > EARLY_ANSWER_MAX_AGE_MS) return undefined;
      return entry.answer as Promise<T>;
    },
  };
}

export type EarlyRequests = ReturnType<typeof startEarlyRequests>;
