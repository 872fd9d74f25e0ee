/**
 * Time in the sandbox. Real platforms wait seconds (Pipedrive retries webhooks after 3, 30 and
 * 150 s; authorization codes live 5 minutes); tests shrink every emulated delay with `timeScale`
 * and may move "now" with `advance` (e.g. to expire a code) without sleeping.
 */
export interface SandboxClock {
  now(): Date;
  /** Moves emulated time forward (expiry checks see it; pending timers are not fired early). */
  advance(ms: number): void;
  /** Runs `run` after `ms` of emulated time (scaled); returns a cancel function. */
  schedule(run: () => void, ms: number): () => void;
  /** Multiplier applied to scheduled delays: 1 = real time, 0.001 = a thousand times faster. */
  readonly timeScale: number;
  /** Cancels every pending timer (on close). */
  cancelAll(): void;
  /** Calls `listener` after every scheduled run (the persistence store saves what timers changed). */
  afterEachRun(listener: () => void): void;
}

export function createSandboxClock(options: { timeScale?: number } = {}): SandboxClock {
  const timeScale = options.timeScale ?? 1;
  let offsetMs = 0;
  const timers = new Set<NodeJS.Timeout>();
  const listeners: (() => void)[] = [];
  return {
    now: () => new Date(Date.now() + offsetMs),
    advance(ms) {
      offsetMs += ms;
    },
    schedule(run, ms) {
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          try {
            run();
          } finally {
            for (const listener of listeners) listener();
          }
        },
        Math.max(0, Math.round(ms * timeScale)),
      );
      timer.unref();
      timers.add(timer);
      return () => {
        clearTimeout(timer);
        timers.delete(timer);
      };
    },
    timeScale,
    cancelAll() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
    afterEachRun(listener) {
      listeners.push(listener);
    },
  };
}
