/** Polls `condition` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function until<T>(
  condition: () => Promise<T | undefined | false> | T | undefined | false,
  options: { timeoutMs: number; everyMs?: number; what: string },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}`);
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 100));
  }
}

/** Resolves once `count()` has not changed for `quietMs` (e.g. Pipedrive calls after the last sync job). */
export async function settled(
  count: () => Promise<number>,
  options: { quietMs: number; timeoutMs: number; what: string },
): Promise<number> {
  let last = await count();
  let since = Date.now();
  return until(
    async () => {
      const now = await count();
      if (now !== last) {
        last = now;
        since = Date.now();
        return undefined;
      }
      return Date.now() - since >= options.quietMs ? now : undefined;
    },
    { timeoutMs: options.timeoutMs, everyMs: 250, what: options.what },
  );
}
