/** Time as a dependency, so tests can move it (token expiry, retention, state TTLs). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
