import type { v1, v2 } from 'pipedrive';

/** The official `pipedrive` package's request builders, and the configuration they are built with. */
export interface PipedriveSdk {
  v1: typeof v1;
  v2: typeof v2;
  /** The URL part is replaced per company (`api_domain`); the builders only need a base. */
  v1Config: v1.Configuration;
  v2Config: v2.Configuration;
}

let loading: Promise<PipedriveSdk> | undefined;

/**
 * The official package, loaded at its first use rather than at start: it is ~2,000 modules (and
 * axios), ~0.6 s of a start and ~11 MB of heap (`npm start` idles ~15 MB lower without it) that a
 * process which has not called Pipedrive yet (every start, a worker with no connected company)
 * does not need.
 * Every later call gets the same instance.
 */
export function loadPipedriveSdk(): Promise<PipedriveSdk> {
  loading ??= import('pipedrive').then(
    ({ v1, v2 }) => ({
      v1,
      v2,
      v1Config: new v1.Configuration({ basePath: '' }),
      v2Config: new v2.Configuration({ basePath: '' }),
    }),
    (error: unknown) => {
      // Not cached: a later call tries again (and reports the error again).
      loading = undefined;
      throw error;
    },
  );
  return loading;
}
