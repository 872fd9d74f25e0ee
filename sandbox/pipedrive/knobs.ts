/**
 * Where Pipedrive's real behaviour is undocumented, the emulator offers each plausible behaviour as
 * a knob, so Parley can be tested under all of them. Defaults are the strictest option (the one
 * that forgives an app the least); README.md (api/) lists every knob and the doubt behind it.
 */
export interface PipedriveKnobs {
  /**
   * How `GET /api/v2/persons/search?fields=phone` and `GET /api/v2/itemSearch` match phones
   * (Pipedrive's phone normalization is undocumented, pipedrive-platform.md §4.2):
   * - `literal` (default): the term is compared with the stored text as typed (case-insensitive),
   *   like any other field: `34600111222` does not find `+34 600 111 222`;
   * - `digits`: both sides reduced to their digits, so spaces, dashes and `+` do not matter (no
   *   country or trunk prefix is inferred either way).
   */
  phoneSearch: 'literal' | 'digits';
  /**
   * What the 429 looks like once the company's daily token budget is spent (the real signal is
   * undocumented, reliability.md §6.1):
   * - `plain` (default): exactly like a burst 429 (`Request over limit`, the burst window's
   *   `x-ratelimit-*` and `Retry-After`), and no response carries a daily-budget header;
   * - `guessed-header`: the sandbox's old guess, `x-daily-ratelimit-token-remaining` on every
   *   response (0 on the 429), message `Daily API token budget exceeded`, `code:
   *   daily_token_budget_exceeded` and a `Retry-After` running to midnight UTC.
   */
  dailyLimit429: 'plain' | 'guessed-header';
  /**
   * Share (0–1, default 0) of authenticated REST calls answered `503 Service Unavailable` before the
   * endpoint runs (nothing is written): the outages every API has now and then. A fault, not a
   * guess; the chaos run turns it on.
   */
  serverErrorRate: number;
  /**
   * Share (0–1, default 0) of authenticated writes (POST/PUT/PATCH/DELETE) that are carried out and
   * then answered `502 Bad Gateway`, as when a gateway loses the response: the caller cannot tell
   * whether its write happened, and a blind retry duplicates it.
   */
  serverErrorAfterWriteRate: number;
}

export const PHONE_SEARCH_MODES = ['literal', 'digits'] as const;
export const DAILY_LIMIT_429_MODES = ['plain', 'guessed-header'] as const;

export function defaultPipedriveKnobs(): PipedriveKnobs {
  return { phoneSearch: 'literal', dailyLimit429: 'plain', serverErrorRate: 0, serverErrorAfterWriteRate: 0 };
}

/** Validates a partial update (from tests or the HTTP knob surface); throws a readable Error. */
export function mergePipedriveKnobs(current: PipedriveKnobs, input: unknown): PipedriveKnobs {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new Error('knobs must be an object');
  }
  const next = { ...current };
  for (const [key, value] of Object.entries(input)) {
    if (key === 'phoneSearch') next.phoneSearch = oneOf(key, value, PHONE_SEARCH_MODES);
    else if (key === 'dailyLimit429') next.dailyLimit429 = oneOf(key, value, DAILY_LIMIT_429_MODES);
    else if (key === 'serverErrorRate' || key === 'serverErrorAfterWriteRate') next[key] = share(key, value);
    else throw new Error(`unknown Pipedrive knob "${key}"`);
  }
  return next;
}

function oneOf<T extends string>(key: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new Error(`${key} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function share(key: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new Error(`${key} must be a number from 0 to 1`);
  }
  return value;
}
