import { ConfigError, loadConfig, type GeneratedSecrets } from '../../server/config.ts';

const generated: GeneratedSecrets = {
  encryptionKeys: 'g1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
  sessionSecret: 'generated-session-secret-0123456789abcdef',
  pipedriveClientId: 'parley-sandbox-abc',
  pipedriveClientSecret: 'generated-client-secret',
};

const production = {
  DATABASE_URL: 'postgres://parley@db.internal:5432/parley',
  PUBLIC_URL: 'https://parley.example.com',
  PIPEDRIVE_CLIENT_ID: 'client-id',
  PIPEDRIVE_CLIENT_SECRET: 'client-secret',
  ENCRYPTION_KEYS: 'k2:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=,k1:' + 'ab'.repeat(32),
  SESSION_SECRET: 's'.repeat(40),
};

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('runs with no variables at all: embedded database, sandbox on, generated secrets', () => {
    const generate = jest.fn(() => generated);
    const config = loadConfig({}, { generatedSecrets: generate });

    expect(config).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      publicUrl: 'http://localhost:3000',
      databaseUrl: undefined,
      sandbox: { enabled: true, port: 3001, url: 'http://localhost:3001' },
      runWorkers: true,
      logLevel: 'info',
      pipedrive: {
        clientId: 'parley-sandbox-abc',
        clientSecret: 'generated-client-secret',
        oauthUrl: 'http://localhost:3001',
      },
      whatsapp: { graphUrl: 'http://localhost:3001', graphVersion: 'v23.0' },
      sessionSecret: generated.sessionSecret,
    });
    expect(config.pipedrive.jwtSecret).toBe('generated-client-secret');
    expect(config.encryptionKeys.map((key) => key.id)).toEqual(['g1']);
    expect(config.dataDir).toMatch(/\/data$/);
    expect(generate).toHaveBeenCalledTimes(1);
  });

  it('reads a production configuration without generating anything', () => {
    const generate = jest.fn(() => generated);
    const config = loadConfig(
      { ...production, PORT: '8080', RUN_WORKERS: 'false', LOG_LEVEL: 'warn', PIPEDRIVE_JWT_SECRET: 'jwt' },
      { generatedSecrets: generate },
    );

    expect(generate).not.toHaveBeenCalled();
    expect(config.sandbox.enabled).toBe(false);
    expect(config.pipedrive).toEqual({
      clientId: 'client-id',
      clientSecret: 'client-secret',
      jwtSecret: 'jwt',
      oauthUrl: 'https://oauth.pipedrive.com',
    });
    expect(config.whatsapp.graphUrl).toBe('https://graph.facebook.com');
    expect(config.encryptionKeys.map((key) => key.id)).toEqual(['k2', 'k1']);
    expect(config.encryptionKeys[1]?.key).toEqual(Buffer.from('ab'.repeat(32), 'hex'));
    expect(config).toMatchObject({
      port: 8080,
      runWorkers: false,
      logLevel: 'warn',
      databaseUrl: production.DATABASE_URL,
    });
  });

  it('lists every bad variable in one error', () => {
    const problems = problemsOf(() =>
      loadConfig({
        DATABASE_URL: 'mysql://nope',
        PORT: 'eighty',
        SANDBOX_PORT: '70000',
        RUN_WORKERS: 'maybe',
        LOG_LEVEL: 'loud',
        SANDBOX: 'sometimes',
        PUBLIC_URL: 'not a url',
        WHATSAPP_GRAPH_VERSION: '23',
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('DATABASE_URL'),
        expect.stringContaining('PORT must be a port number'),
        expect.stringContaining('SANDBOX_PORT'),
        expect.stringContaining('RUN_WORKERS'),
        expect.stringContaining('LOG_LEVEL'),
        expect.stringContaining('SANDBOX must be one of'),
        expect.stringContaining('PUBLIC_URL'),
        expect.stringContaining('WHATSAPP_GRAPH_VERSION'),
      ]),
    );
  });

  it('requires real secrets when running against PostgreSQL with Pipedrive credentials', () => {
    const problems = problemsOf(() =>
      loadConfig(
        { DATABASE_URL: production.DATABASE_URL, PIPEDRIVE_CLIENT_ID: 'id' },
        { generatedSecrets: () => generated },
      ),
    );
    expect(problems).toEqual([
      expect.stringContaining('PIPEDRIVE_CLIENT_SECRET is required'),
      expect.stringContaining('ENCRYPTION_KEYS is required'),
      expect.stringContaining('SESSION_SECRET is required'),
    ]);
  });

  it('refuses a plain-http public URL outside local development', () => {
    const problems = problemsOf(() => loadConfig({ ...production, PUBLIC_URL: 'http://parley.example.com' }));
    expect(problems).toEqual([expect.stringContaining('PUBLIC_URL must use https')]);
  });

  it('rejects malformed key rings without echoing key material', () => {
    const secretLooking = 'k1:c2VjcmV0LWJ1dC10b28tc2hvcnQ=';
    const problems = problemsOf(() => loadConfig({ ...production, ENCRYPTION_KEYS: secretLooking }));
    expect(problems).toEqual([expect.stringContaining('must be 32 bytes')]);
    expect(problems.join(' ')).not.toContain('c2VjcmV0');

    expect(
      problemsOf(() => loadConfig({ ...production, ENCRYPTION_KEYS: `a:${'ab'.repeat(32)},a:${'cd'.repeat(32)}` })),
    ).toEqual([expect.stringContaining('appears twice')]);
    expect(problemsOf(() => loadConfig({ ...production, SESSION_SECRET: 'short' }))).toEqual([
      expect.stringContaining('at least 32'),
    ]);
  });

  it('turns the sandbox on or off explicitly, whatever the credentials say', () => {
    expect(loadConfig({ ...production, SANDBOX: 'on' }).sandbox.enabled).toBe(true);
    expect(loadConfig({ ...production, SANDBOX: 'on' }).pipedrive.oauthUrl).toBe('http://localhost:3001');
    expect(() => loadConfig({ SANDBOX: 'false' }, { generatedSecrets: () => generated })).toThrow(
      /PIPEDRIVE_CLIENT_ID is required/,
    );
  });

  it('sends mail over SMTP_URL, to the sandbox mailbox in sandbox mode, and nowhere otherwise', () => {
    expect(
      loadConfig({
        ...production,
        SMTP_URL: 'smtps://user:pass@smtp.example.com:465',
        MAIL_FROM: 'Parley <p@example.com>',
      }).mail,
    ).toEqual({ transport: 'smtp', smtpUrl: 'smtps://user:pass@smtp.example.com:465', from: 'Parley <p@example.com>' });
    expect(loadConfig(production).mail).toEqual({ transport: 'disabled', from: 'Parley <parley@parley.example.com>' });
    expect(loadConfig({}, { generatedSecrets: () => generated }).mail).toMatchObject({
      transport: 'sandbox',
      inboxUrl: 'http://localhost:3001/mail/messages',
    });
    expect(problemsOf(() => loadConfig({ ...production, SMTP_URL: 'https://smtp.example.com' }))).toEqual([
      'SMTP_URL must be a smtp: or smtps: URL',
    ]);
    expect(problemsOf(() => loadConfig({ ...production, MAIL_FROM: 'a@b.c\r\nBcc: x@y.z' }))).toEqual([
      'MAIL_FROM must be one line, e.g. "Parley <parley@example.com>"',
    ]);
  });
});
