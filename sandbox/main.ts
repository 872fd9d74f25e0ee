import path from 'node:path';
import pino from 'pino';
import { appFromManifest } from './app-registration.ts';
import { startSandbox } from './index.ts';

/**
 * `npm run sandbox`: the emulators alone, with Parley's manifest registered for a Parley at
 * PARLEY_URL (default http://localhost:3000), keeping its state in DATA_DIR (default ./data).
 */
async function run(): Promise<void> {
  const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'info' });
  const parleyUrl = process.env['PARLEY_URL'] ?? 'http://localhost:3000';
  const clientSecret = process.env['PIPEDRIVE_CLIENT_SECRET'] ?? 'sandbox-client-secret';
  const sandbox = await startSandbox({
    port: Number(process.env['SANDBOX_PORT'] ?? 3001),
    host: process.env['HOST'] ?? '127.0.0.1',
    dataDir: path.resolve(process.env['DATA_DIR'] ?? './data'),
    logger,
    apps: [
      appFromManifest({
        manifestDir: path.resolve(import.meta.dirname, '../manifest'),
        publicUrl: parleyUrl,
        clientId: process.env['PIPEDRIVE_CLIENT_ID'] ?? 'parley-sandbox',
        clientSecret,
        ...(process.env['PIPEDRIVE_JWT_SECRET'] ? { jwtSecret: process.env['PIPEDRIVE_JWT_SECRET'] } : {}),
      }),
    ],
  });
  logger.info(`sandbox running at ${sandbox.url}`);
  const stop = () => void sandbox.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

run().catch((error: unknown) => {
  process.stderr.write(`sandbox failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
