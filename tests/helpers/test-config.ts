import type { AppConfig } from '../../server/config.ts';
import { parseKeyRing } from '../../server/services/crypto/key-ring.ts';

/** Well-known test secrets; the log scan looks for exactly these values. */
export const TEST_SECRETS = {
  clientId: 'test-client-id',
  clientSecret: 'test-client-secret-4f1c2e',
  jwtSecret: 'test-jwt-secret-9a7b3d5e1f',
  sessionSecret: 'test-session-secret-0123456789abcdef0123',
  encryptionKey: 'k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
} as const;

/** An `AppConfig` literal: tests never touch process.env. */
export function testConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    port: 0,
    host: '127.0.0.1',
    publicUrl: 'http://localhost:3000',
    databaseUrl: undefined,
    dataDir: '/nonexistent/parley-test-data',
    pipedrive: {
      clientId: TEST_SECRETS.clientId,
      clientSecret: TEST_SECRETS.clientSecret,
      jwtSecret: TEST_SECRETS.jwtSecret,
      oauthUrl: 'https://oauth.pipedrive.test',
    },
    whatsapp: { graphUrl: 'https://graph.facebook.test', graphVersion: 'v23.0', mediaMaxBytes: 1024 * 1024 },
    encryptionKeys: parseKeyRing(TEST_SECRETS.encryptionKey),
    sessionSecret: TEST_SECRETS.sessionSecret,
    sandbox: { enabled: false, port: 0, url: 'http://localhost:0' },
    runWorkers: false,
    logLevel: 'debug',
    retentionDays: 30,
    // Tests read queued mail from the outbox (tests/helpers/mail-outbox.ts) or pass a transport.
    mail: { transport: 'smtp', smtpUrl: 'smtp://127.0.0.1:1', from: 'Parley <parley@localhost>' },
    ...overrides,
  };
}
