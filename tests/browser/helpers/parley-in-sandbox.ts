import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { appFromManifest } from '../../../sandbox/app-registration.ts';
import { startSandbox, type Sandbox } from '../../../sandbox/index.ts';
import { createTestApp, type TestApp } from '../../helpers/test-app.ts';
import { TEST_SECRETS } from '../../helpers/test-config.ts';

/** A port nobody uses right now, so Parley's public URL is known before it is configured. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The panels as `npm start` serves them, built once into a folder of this test's own. */
function buildExtensions(): string {
  const outDir = mkdtempSync(path.join(tmpdir(), 'parley-extensions-'));
  execFileSync(process.execPath, [
    path.resolve('node_modules/vite/bin/vite.js'),
    'build',
    '--config',
    'extensions/vite.config.ts',
    '--outDir',
    outDir,
    '--emptyOutDir',
    '--logLevel',
    'error',
  ]);
  return outDir;
}

/**
 * Parley listening on a real port with freshly built panels, registered from the real manifest in
 * a sandbox whose Pipedrive frames them (as `npm start` runs it).
 */
export async function startParleyInSandbox(): Promise<{
  sandbox: Sandbox;
  testApp: TestApp;
  parleyUrl: string;
  close(): Promise<void>;
}> {
  const extensionsDist = buildExtensions();
  const port = await freePort();
  const parleyUrl = `http://localhost:${port}`;
  const sandbox = await startSandbox({ port: 0, timeScale: 0.001 });
  sandbox.pipedrive.registerApp(
    appFromManifest({
      manifestDir: path.resolve('manifest'),
      publicUrl: parleyUrl,
      clientId: TEST_SECRETS.clientId,
      clientSecret: TEST_SECRETS.clientSecret,
      jwtSecret: TEST_SECRETS.jwtSecret,
    }),
  );
  const testApp = await createTestApp({
    config: {
      publicUrl: parleyUrl,
      pipedrive: {
        clientId: TEST_SECRETS.clientId,
        clientSecret: TEST_SECRETS.clientSecret,
        jwtSecret: TEST_SECRETS.jwtSecret,
        oauthUrl: sandbox.url,
      },
      // Parley's panels may be framed by the sandbox's origin, as by Pipedrive's.
      sandbox: { enabled: true, port: 0, url: sandbox.url },
    },
    paths: { extensionsDist },
  });
  await testApp.app.listen({ port, host: '127.0.0.1' });
  return {
    sandbox,
    testApp,
    parleyUrl,
    async close() {
      await testApp.close();
      await sandbox.close();
    },
  };
}
