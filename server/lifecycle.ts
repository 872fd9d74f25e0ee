/** Process-wide state that readiness reports: once shutdown begins, load balancers must drain us. */
export interface Lifecycle {
  readonly isShuttingDown: boolean;
  beginShutdown(): void;
}

export function createLifecycle(): Lifecycle {
  let shuttingDown = false;
  return {
    get isShuttingDown() {
      return shuttingDown;
    },
    beginShutdown() {
      shuttingDown = true;
    },
  };
}
