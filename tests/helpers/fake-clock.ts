import type { Clock } from '../../server/clock.ts';

/** A clock tests move by hand; `sleep` moves it instead of waiting, and remembers each wait. */
export function createFakeClock(start: Date = new Date()) {
  let now = start.getTime();
  const slept: number[] = [];
  return {
    now: () => new Date(now),
    advance(ms: number): void {
      now += ms;
    },
    async sleep(ms: number): Promise<void> {
      slept.push(ms);
      now += ms;
    },
    slept,
  } satisfies Clock & Record<string, unknown>;
}
