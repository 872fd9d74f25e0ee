import path from 'node:path';
import { main, type Companion } from '../server/main.ts';
import { appFromManifest } from '../sandbox/app-registration.ts';

/**
 * `npm start`: Parley, plus — when no Pipedrive credentials are configured — the sandbox on
 * SANDBOX_PORT with Parley registered as its Marketplace app. Parley itself only learns the
 * sandbox's URLs from its configuration, exactly as it would learn Pipedrive's.
 */
main(path.resolve(import.meta.dirname, '..'), {
  async startCompanion(config, logger, paths): Promise<Companion | undefined> {
    if (!config.sandbox.enabled) return undefined;
    const { startSandbox } = await import('../sandbox/index.ts');
    const sandbox = await startSandbox({
      port: config.sandbox.port,
      host: config.host,
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
}).catch((error: unknown) => {
  process.stderr.write(
    `Parley failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
