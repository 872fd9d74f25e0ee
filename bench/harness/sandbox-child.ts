import path from 'node:path';
import { appFromManifest } from '../../sandbox/app-registration.ts';
import { startSandbox } from '../../sandbox/index.ts';
import type { RegisteredApp } from '../../sandbox/pipedrive/state.ts';
import { NAIVE_CLIENT_ID, type SandboxRpc } from './sandbox-process.ts';

/**
 * The sandbox in a process of its own (started by sandbox-process.ts with an IPC channel), so the
 * emulated Pipedrive and Meta do not share an event loop with the load generator. The parent drives
 * it through the small RPC below: the in-process test API, over IPC.
 */
const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
};

async function run(): Promise<void> {
  const clientId = env('PIPEDRIVE_CLIENT_ID');
  const parley = appFromManifest({
    manifestDir: path.resolve(import.meta.dirname, '../../manifest'),
    publicUrl: env('PARLEY_URL'),
    clientId,
    clientSecret: env('PIPEDRIVE_CLIENT_SECRET'),
    jwtSecret: env('PIPEDRIVE_JWT_SECRET'),
  });
  const naive: RegisteredApp = {
    ...parley,
    clientId: NAIVE_CLIENT_ID,
    clientSecret: 'naive-baseline-secret',
    name: 'Naive baseline',
    extensions: [],
  };
  const sandbox = await startSandbox({
    port: Number(env('SANDBOX_PORT')),
    host: '127.0.0.1',
    apps: [parley, naive],
    // Realistic Pipedrive (Lite plan for the demo company, strict knobs); WhatsApp's per-pair send
    // limit does not apply to inbound messages, which is all the benchmarks send.
  });
  const { pipedrive, whatsapp } = sandbox;
  const seed = pipedrive.seed;

  /** Note marker → the emulated time of the first note write that contained it. */
  const firstSeen = new Map<string, number>();
  let watch: { pattern: RegExp; timer: NodeJS.Timeout; checkedUpTo: number } | undefined;
  const scanNotes = () => {
    if (watch === undefined) return;
    const since = watch.checkedUpTo;
    let newest = since;
    for (const note of pipedrive.state.notes.values()) {
      const at = note.updateTime.getTime();
      if (at <= since) continue;
      newest = Math.max(newest, at);
      for (const match of note.content.matchAll(watch.pattern))
        if (!firstSeen.has(match[0])) firstSeen.set(match[0], at);
    }
    watch.checkedUpTo = newest;
  };

  const api: SandboxRpc = {
    info: () => ({
      url: sandbox.url,
      numbers: whatsapp.numbers,
      users: {
        ada: { companyId: seed.demo.admin.companyId, userId: seed.demo.admin.id },
        gina: { companyId: seed.other.admin.companyId, userId: seed.other.admin.id },
      },
    }),
    authorizationCode: ({ userId }) => pipedrive.createAuthorizationCode({ clientId, userId }).code,
    naiveAccessToken: ({ userId }) => pipedrive.authorizeApp({ clientId: NAIVE_CLIENT_ID, userId }).access_token,
    configureWebhook: (input) => whatsapp.configureWebhook(input),
    apiCallCount: () => pipedrive.state.apiCalls.length,
    apiCalls: ({ from, clientId: client }) =>
      pipedrive.state.apiCalls
        .slice(from)
        .filter((call) => call.clientId === client)
        .map((call) => ({ method: call.method, endpoint: call.endpoint, cost: call.cost, status: call.status })),
    watchNotes: ({ pattern }) => {
      if (watch !== undefined) clearInterval(watch.timer);
      firstSeen.clear();
      // A probe, not synchronisation: note writes are stamped with their own update time, the scan
      // only collects them (every 25 ms, only notes written since the previous scan).
      watch = { pattern: new RegExp(pattern, 'g'), timer: setInterval(scanNotes, 25), checkedUpTo: 0 };
      return true;
    },
    notesSeen: () => {
      scanNotes();
      return Object.fromEntries(firstSeen);
    },
    notesContaining: ({ pattern }) => {
      const regex = new RegExp(pattern, 'g');
      return [...pipedrive.state.notes.values()]
        .filter((note) => note.activeFlag)
        .map((note) => [...note.content.matchAll(regex)].map((match) => match[0]));
    },
    signInCookie: ({ userId }) => pipedrive.ui.signIn(userId).cookie,
    demoDealIds: () => seed.demo.deals.map((deal) => deal.id),
    setWhatsAppFaults: (input) => {
      whatsapp.setFaults(input);
      return true;
    },
  };

  process.on('message', (message: { id: number; method: keyof SandboxRpc; input: unknown }) => {
    void (async () => {
      try {
        const handler = api[message.method] as (input: unknown) => unknown;
        process.send?.({ id: message.id, result: await handler(message.input) });
      } catch (error) {
        process.send?.({ id: message.id, error: error instanceof Error ? error.message : String(error) });
      }
    })();
  });
  process.once('disconnect', () => void sandbox.close().then(() => process.exit(0)));
  process.send?.({ ready: sandbox.url });
}

run().catch((error: unknown) => {
  process.stderr.write(`sandbox failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
