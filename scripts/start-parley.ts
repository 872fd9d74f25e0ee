import path from 'node:path';
import { main, type Companion } from '../server/main.ts';
import { appFromManifest } from '../sandbox/app-registration.ts';
import { ensurePanelsBuilt } from './panel-build.ts';

const root = path.resolve(import.meta.dirname, '..');

/**
 * `npm start`: Parley, plus — when no Pipedrive credentials are configured — the sandbox on
 * SANDBOX_PORT with Parley registered as its Marketplace app. Parley itself only learns the
 * sandbox's URLs from its configuration, exactly as it would learn Pipedrive's.
 */
async function start(): Promise<void> {
  // Vite runs only when the panel sources changed since the last build (see panel-build.ts).
  const panels = await ensurePanelsBuilt(root);
  process.stdout.write(panels === 'reused' ? 'panels: build is up to date\n' : 'panels: built\n');
  await main(root, {
    async startCompanion(config, logger, paths): Promise<Companion | undefined> {
      if (!config.sandbox.enabled) return undefined;
      const { startSandbox } = await import('../sandbox/index.ts').catch((error: unknown) => {
        // The sandbox's own packages are dev dependencies; a production install has none of them.
        throw new Error(
          'The sandbox needs the dev dependencies (`npm ci`). In production set PIPEDRIVE_CLIENT_ID (see README).',
          { cause: error },
        );
      });
      const sandbox = await startSandbox({
        port: config.sandbox.port,
        host: config.host,
        // The sandbox keeps its records, sign-ins, chats and WhatsApp credentials beside Parley's data.
        dataDir: config.dataDir,
        logger: logger.child({ component: 'sandbox' }),
        apps: [
          appFromManifest({
            manifestDir: paths.manifest,
            publicUrl: config.publicUrl,
            clientId: config.pipedrive.clientId,
            clientSecret: config.pipedrive.clientSecret,
            jwtSecret: config.pipedrive.jwtSecret,
          }),
        ],
      });
      logger.info(`sandbox (emulated Pipedrive and WhatsApp) running at ${sandbox.url}`);
      return { stop: () => sandbox.close(), startHereUrl: `${sandbox.url}/start` };
    },
  });
}

start().catch((error: unknown) => {
  process.stderr.write(
    `Parley failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
