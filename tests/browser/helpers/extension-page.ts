import type { Frame } from 'playwright-core';

/**
 * Driving the test app's extension page (tests/helpers/sandbox-test-app.ts) from a test: it holds
 * a real app-extensions SDK in `window.sdk` and records every event it hears in `window.events`.
 * Functions passed to `evaluate` run inside the iframe, so they use only their arguments.
 */
interface RecordedEvent {
  event: string;
  message: { data?: unknown; error?: unknown };
}

interface ExtensionWindow {
  sdk: { execute(command: string, args?: unknown): Promise<unknown> };
  events: RecordedEvent[];
  params: Record<string, string>;
  pending?: Record<string, Promise<unknown>>;
}

// Poll on a timer: requestAnimationFrame does not run in a hidden iframe (collapsed panel, docked window).
const POLLING = { polling: 50 } as const;

export async function waitForSdkReady(frame: Frame): Promise<void> {
  await frame.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', undefined, POLLING);
}

/** Runs an SDK command in the frame and returns what the host answered. */
export function execute(frame: Frame, command: string, args?: unknown): Promise<unknown> {
  return frame.evaluate(
    ([name, commandArgs]) => (window as unknown as ExtensionWindow).sdk.execute(name, commandArgs),
    [command, args] as const,
  );
}

/** Starts a command that waits for the user (confirmation, modal) without awaiting it. */
export async function startCommand(frame: Frame, key: string, command: string, args?: unknown): Promise<void> {
  await frame.evaluate(
    ([pendingKey, name, commandArgs]) => {
      const page = window as unknown as ExtensionWindow;
      page.pending ??= {};
      page.pending[pendingKey] = page.sdk.execute(name, commandArgs);
    },
    [key, command, args] as const,
  );
}

/** The result of a command started with `startCommand`. */
export function finishCommand(frame: Frame, key: string): Promise<unknown> {
  return frame.evaluate((pendingKey) => (window as unknown as ExtensionWindow).pending?.[pendingKey], key);
}

/** Waits until the frame has heard `event` at least `count` times, then returns those events' data. */
export async function eventsOf(frame: Frame, event: string, count = 1): Promise<unknown[]> {
  await frame.waitForFunction(
    ([name, atLeast]) =>
      (window as unknown as ExtensionWindow).events.filter((recorded) => recorded.event === name).length >= atLeast,
    [event, count] as const,
    POLLING,
  );
  return frame.evaluate(
    (name) =>
      (window as unknown as ExtensionWindow).events
        .filter((recorded) => recorded.event === name)
        .map((recorded) => recorded.message.data),
    event,
  );
}

export function queryParams(frame: Frame): Promise<Record<string, string>> {
  return frame.evaluate(() => (window as unknown as ExtensionWindow).params);
}
