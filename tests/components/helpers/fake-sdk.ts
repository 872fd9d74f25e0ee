/**
 * The Pipedrive App Extensions SDK, mocked at the package boundary: panels construct it, initialize
 * it and execute commands exactly as in Pipedrive; the fake records every command and answers
 * GET_SIGNED_TOKEN. Enums come from the real package.
 */
import type * as RealSdk from '@pipedrive/app-extensions-sdk';

const actual = jest.requireActual<typeof RealSdk>('@pipedrive/app-extensions-sdk');

export interface ExecutedCommand {
  command: string;
  args: unknown;
}

export const sdkSettings = { theme: 'light' as 'light' | 'dark', failInitialize: false };
export const executed: ExecutedCommand[] = [];
const listeners = new Map<string, ((event: { data: unknown }) => void)[]>();

export class FakeSdk {
  userSettings = { theme: sdkSettings.theme };
  constructor(options: { identifier?: string }) {
    if (options.identifier === undefined) throw new Error('Missing custom UI identifier');
  }
  async initialize(options: unknown) {
    executed.push({ command: 'initialize', args: options });
    if (sdkSettings.failInitialize) throw new Error('Pipedrive did not answer');
    return this;
  }
  async execute(command: string, args?: unknown) {
    executed.push({ command, args });
    if (command === String(actual.Command.GET_SIGNED_TOKEN)) return { token: 'signed-panel-token' };
    return undefined;
  }
  listen(event: string, handler: (event: { data: unknown }) => void) {
    listeners.set(event, [...(listeners.get(event) ?? []), handler]);
    return () =>
      listeners.set(
        event,
        (listeners.get(event) ?? []).filter((h) => h !== handler),
      );
  }
}

/** What Pipedrive sends when the user switches theme. */
export function emitSdkEvent(event: string, data: unknown) {
  for (const handler of listeners.get(event) ?? []) handler({ data });
}

export function resetSdk() {
  executed.length = 0;
  listeners.clear();
  sdkSettings.theme = 'light';
  sdkSettings.failInitialize = false;
}

export const sdkModule = {
  __esModule: true,
  default: FakeSdk,
  Command: actual.Command,
  Event: actual.Event,
  Color: actual.Color,
  View: actual.View,
};
