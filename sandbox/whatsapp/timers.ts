import type { SandboxClock } from '../clock.ts';

/** The emulator's own timers on the sandbox clock, so `reset()` can cancel them without touching others'. */
export interface EmulatorTimers {
  schedule(run: () => void, ms: number): () => void;
  cancelAll(): void;
}

export function createEmulatorTimers(clock: SandboxClock): EmulatorTimers {
  const pending = new Set<() => void>();
  return {
    schedule(run, ms) {
      const cancel = clock.schedule(() => {
        pending.delete(cancel);
        run();
      }, ms);
      pending.add(cancel);
      return () => {
        pending.delete(cancel);
        cancel();
      };
    },
    cancelAll() {
      for (const cancel of pending) cancel();
      pending.clear();
    },
  };
}
