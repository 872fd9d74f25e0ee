import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { WhatsAppFaultsInput } from '../../sandbox/whatsapp/emulator.ts';
import type { SandboxBusinessNumber } from '../../sandbox/whatsapp/emulator.ts';
import type { WebhookSettingsInput } from '../../sandbox/whatsapp/webhooks/verification.ts';

/** A second Marketplace app in the sandbox: the naive integration the cost scenario compares Parley with. */
export const NAIVE_CLIENT_ID = 'naive-baseline';

export interface PipedriveUserRef {
  companyId: number;
  userId: number;
}

/** A Pipedrive API call as the sandbox recorded it. */
export interface RecordedCall {
  method: string;
  endpoint: string;
  cost: number;
  status: number;
}

/** What the sandbox child answers over IPC (sandbox-child.ts implements it). */
export interface SandboxRpc {
  info: () => {
    url: string;
    numbers: SandboxBusinessNumber[];
    users: { ada: PipedriveUserRef; gina: PipedriveUserRef };
  };
  /** What "Allow" on the consent page hands to Parley's OAuth callback. */
  authorizationCode: (input: { userId: number }) => string;
  /** A token for the naive baseline app (consent plus code exchange). */
  naiveAccessToken: (input: { userId: number }) => string;
  configureWebhook: (input: WebhookSettingsInput) => Promise<{ ok: boolean }>;
  /** How many Pipedrive API calls the sandbox has recorded so far (a cursor for `apiCalls`). */
  apiCallCount: () => number;
  apiCalls: (input: { from: number; clientId: string }) => RecordedCall[];
  /** Starts recording, for each match of `pattern` in a note, when a note write first contained it. */
  watchNotes: (input: { pattern: string }) => boolean;
  notesSeen: () => Record<string, number>;
  /** For every active note, the matches of `pattern` in it. */
  notesContaining: (input: { pattern: string }) => string[][];
  setWhatsAppFaults: (input: WhatsAppFaultsInput) => boolean;
  /** The sandbox session cookie (`name=value`) of a signed-in Pipedrive user, for a browser. */
  signInCookie: (input: { userId: number }) => string;
  /** Ids of the demo company's seeded deals (deal 0 belongs to María, a seeded WhatsApp customer). */
  demoDealIds: () => number[];
}

export interface SandboxProcess {
  url: string;
  port: number;
  child: ChildProcess;
  call<M extends keyof SandboxRpc>(
    method: M,
    ...input: Parameters<SandboxRpc[M]>
  ): Promise<Awaited<ReturnType<SandboxRpc[M]>>>;
  stop(): Promise<void>;
}

/**
 * Starts the sandbox (emulated Pipedrive and WhatsApp Cloud API) as a child process on `port`, with
 * Parley registered as its Marketplace app for a Parley at `parleyUrl`.
 */
export function startSandboxProcess(options: {
  port: number;
  parleyUrl: string;
  pipedrive: { clientId: string; clientSecret: string; jwtSecret: string };
}): Promise<SandboxProcess> {
  const child = fork(path.join(import.meta.dirname, 'sandbox-child.ts'), [], {
    env: {
      PATH: process.env['PATH'] ?? '',
      SANDBOX_PORT: String(options.port),
      PARLEY_URL: options.parleyUrl,
      PIPEDRIVE_CLIENT_ID: options.pipedrive.clientId,
      PIPEDRIVE_CLIENT_SECRET: options.pipedrive.clientSecret,
      PIPEDRIVE_JWT_SECRET: options.pipedrive.jwtSecret,
    },
    execArgv: [],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pending = new Map<number, { resolve: (value: never) => void; reject: (error: Error) => void }>();
  let nextId = 0;

  return new Promise((resolve, reject) => {
    void exited.then(() => {
      reject(new Error(`the sandbox exited\n${stderr}`));
      for (const waiter of pending.values()) waiter.reject(new Error(`the sandbox exited\n${stderr}`));
    });
    child.on('message', (message: { ready?: string; id?: number; result?: never; error?: string }) => {
      if (message.ready !== undefined) {
        resolve({
          url: message.ready,
          port: options.port,
          child,
          call(method, ...input) {
            const id = (nextId += 1);
            return new Promise((resolveCall, rejectCall) => {
              pending.set(id, { resolve: resolveCall, reject: rejectCall });
              child.send({ id, method, input: input[0] });
            });
          },
          async stop() {
            if (child.exitCode === null) child.disconnect();
            await exited;
          },
        });
        return;
      }
      const waiter = message.id === undefined ? undefined : pending.get(message.id);
      if (waiter === undefined || message.id === undefined) return;
      pending.delete(message.id);
      if (message.error !== undefined) waiter.reject(new Error(`sandbox: ${message.error}`));
      else waiter.resolve(message.result as never);
    });
  });
}
