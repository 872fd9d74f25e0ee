import path from 'node:path';
import { parseKeyRing, type KeyRing } from './services/crypto/key-ring.ts';

/**
 * The only reader of environment variables. Everything else receives an `AppConfig`.
 * Variable names are a public contract (deploy tooling relies on them); see .env.example.
 */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface AppConfig {
  port: number;
  host: string;
  /** Origin (no trailing slash) under which browsers and Pipedrive reach Parley. */
  publicUrl: string;
  /** Unset means the embedded PGlite database in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  pipedrive: {
    clientId: string;
    clientSecret: string;
    /** Secret of the app extensions' JWTs; Pipedrive falls back to the client secret. */
    jwtSecret: string;
    oauthUrl: string;
  };
  whatsapp: {
    graphUrl: string;
    graphVersion: string;
    /** Inbound media larger than this is kept as metadata only (WHATSAPP_MEDIA_MAX_BYTES). */
    mediaMaxBytes: number;
  };
  encryptionKeys: KeyRing;
  sessionSecret: string;
  sandbox: { enabled: boolean; port: number; url: string };
  runWorkers: boolean;
  logLevel: LogLevel;
  /** Days Parley keeps a disconnected or uninstalled company's Pipedrive data before purging it. */
  retentionDays: number;
  mail: MailConfig;
}

/**
 * Where account mail (sign-up confirmations, password resets, address changes) goes: an SMTP server,
 * the sandbox's mailbox page, or nowhere. Without mail, Parley cannot prove anyone reads an address,
 * so sign-up with a password, password reset and email change are off (Sign in with Pipedrive works).
 */
export type MailConfig =
  | { transport: 'smtp'; smtpUrl: string; from: string }
  | { transport: 'sandbox'; inboxUrl: string; from: string }
  | { transport: 'disabled'; from: string };

/** Secrets Parley may generate for itself when it runs on its own (embedded database or sandbox). */
export interface GeneratedSecrets {
  encryptionKeys: string;
  sessionSecret: string;
  pipedriveClientId: string;
  pipedriveClientSecret: string;
}

export interface LoadConfigOptions {
  /** Called at most once, only when a generatable secret is missing and generation is allowed. */
  generatedSecrets?: (dataDir: string) => GeneratedSecrets;
}

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: Env, options: LoadConfigOptions = {}): AppConfig {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };

  const port = parsePort('PORT', read('PORT'), 3000, problems);
  const sandboxPort = parsePort('SANDBOX_PORT', read('SANDBOX_PORT'), 3001, problems);
  const host = read('HOST') ?? '0.0.0.0';
  const dataDir = path.resolve(read('DATA_DIR') ?? './data');
  const databaseUrl = parseUrl('DATABASE_URL', read('DATABASE_URL'), ['postgres:', 'postgresql:'], problems);
  const logLevel = parseEnum('LOG_LEVEL', read('LOG_LEVEL'), LOG_LEVELS, 'info', problems);
  const runWorkers = parseBoolean('RUN_WORKERS', read('RUN_WORKERS'), true, problems);
  const retentionDays = parsePositiveInteger('DATA_RETENTION_DAYS', read('DATA_RETENTION_DAYS'), 30, problems);

  const sandboxSetting = parseEnum(
    'SANDBOX',
    read('SANDBOX')?.toLowerCase(),
    ['auto', 'true', 'false', 'on', 'off', '1', '0'],
    'auto',
    problems,
  );
  const explicitClientId = read('PIPEDRIVE_CLIENT_ID');
  const sandboxEnabled =
    sandboxSetting === 'auto' ? explicitClientId === undefined : ['true', 'on', '1'].includes(sandboxSetting);
  const sandboxUrl = `http://localhost:${sandboxPort}`;

  // Running on its own (embedded database or sandbox), Parley may mint its secrets once and keep them
  // in DATA_DIR, so `npm start` needs no setup and a restart can still decrypt what it stored.
  const mayGenerateSecrets = databaseUrl === undefined || sandboxEnabled;
  let generated: GeneratedSecrets | undefined;
  const generatedValue = (key: keyof GeneratedSecrets): string | undefined => {
    if (!mayGenerateSecrets || options.generatedSecrets === undefined) return undefined;
    generated ??= options.generatedSecrets(dataDir);
    return generated[key];
  };
  const required = (name: string, fallback: () => string | undefined, why: string): string => {
    const value = read(name) ?? fallback();
    if (value === undefined) problems.push(`${name} is required ${why}`);
    return value ?? '';
  };

  const generationHint = 'when DATABASE_URL is set and the sandbox is off';
  const clientId = explicitClientId ?? (sandboxEnabled ? generatedValue('pipedriveClientId') : undefined);
  if (clientId === undefined) problems.push('PIPEDRIVE_CLIENT_ID is required when SANDBOX is off');
  const clientSecret = required(
    'PIPEDRIVE_CLIENT_SECRET',
    () => (sandboxEnabled ? generatedValue('pipedriveClientSecret') : undefined),
    'when PIPEDRIVE_CLIENT_ID is set (the sandbox generates its own)',
  );
  const encryptionKeysText = required('ENCRYPTION_KEYS', () => generatedValue('encryptionKeys'), generationHint);
  const sessionSecret = required('SESSION_SECRET', () => generatedValue('sessionSecret'), generationHint);
  if (sessionSecret !== '' && sessionSecret.length < 32) {
    problems.push('SESSION_SECRET must be at least 32 characters');
  }

  let encryptionKeys: KeyRing = [];
  if (encryptionKeysText !== '') {
    try {
      encryptionKeys = parseKeyRing(encryptionKeysText);
    } catch (error) {
      problems.push(`ENCRYPTION_KEYS ${(error as Error).message}`);
    }
  }

  const publicUrl =
    parseUrl('PUBLIC_URL', read('PUBLIC_URL'), ['http:', 'https:'], problems) ?? `http://localhost:${port}`;
  if (
    !sandboxEnabled &&
    read('PUBLIC_URL') !== undefined &&
    !publicUrl.startsWith('https:') &&
    !isLocalUrl(publicUrl)
  ) {
    problems.push('PUBLIC_URL must use https outside local development (Pipedrive loads extensions over HTTPS only)');
  }
  const oauthUrl =
    parseUrl('PIPEDRIVE_OAUTH_URL', read('PIPEDRIVE_OAUTH_URL'), ['http:', 'https:'], problems) ??
    (sandboxEnabled ? sandboxUrl : 'https://oauth.pipedrive.com');
  const graphUrl =
    parseUrl('WHATSAPP_GRAPH_URL', read('WHATSAPP_GRAPH_URL'), ['http:', 'https:'], problems) ??
    (sandboxEnabled ? sandboxUrl : 'https://graph.facebook.com');
  const smtpUrl = parseUrl('SMTP_URL', read('SMTP_URL'), ['smtp:', 'smtps:'], problems);
  const mailFrom = read('MAIL_FROM') ?? `Parley <parley@${new URL(publicUrl).hostname}>`;
  if (/[\r\n]/.test(mailFrom)) problems.push('MAIL_FROM must be one line, e.g. "Parley <parley@example.com>"');
  const mail: MailConfig =
    smtpUrl !== undefined
      ? { transport: 'smtp', smtpUrl, from: mailFrom }
      : sandboxEnabled
        ? { transport: 'sandbox', inboxUrl: `${sandboxUrl}/mail/messages`, from: mailFrom }
        : { transport: 'disabled', from: mailFrom };
  const graphVersion = read('WHATSAPP_GRAPH_VERSION') ?? 'v23.0';
  if (!/^v\d+\.\d+$/.test(graphVersion)) problems.push('WHATSAPP_GRAPH_VERSION must look like v23.0');
  // Meta's own limits are 5 MB (images) and 16 MB (audio, video); documents may reach 100 MB.
  const mediaMaxBytes = parsePositiveInteger(
    'WHATSAPP_MEDIA_MAX_BYTES',
    read('WHATSAPP_MEDIA_MAX_BYTES'),
    16 * 1024 * 1024,
    problems,
  );

  if (problems.length > 0) throw new ConfigError(problems);

  return {
    port,
    host,
    publicUrl,
    databaseUrl,
    dataDir,
    pipedrive: {
      clientId: clientId ?? '',
      clientSecret,
      jwtSecret: read('PIPEDRIVE_JWT_SECRET') ?? clientSecret,
      oauthUrl,
    },
    whatsapp: { graphUrl, graphVersion, mediaMaxBytes },
    encryptionKeys,
    sessionSecret,
    sandbox: { enabled: sandboxEnabled, port: sandboxPort, url: sandboxUrl },
    runWorkers,
    logLevel,
    retentionDays,
    mail,
  };
}

function parsePort(name: string, value: string | undefined, fallback: number, problems: string[]): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    problems.push(`${name} must be a port number between 0 and 65535 (got "${value}")`);
    return fallback;
  }
  return port;
}

function parsePositiveInteger(name: string, value: string | undefined, fallback: number, problems: string[]): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    problems.push(`${name} must be a whole number of at least 1 (got "${value}")`);
    return fallback;
  }
  return number;
}

function parseBoolean(name: string, value: string | undefined, fallback: boolean, problems: string[]): boolean {
  if (value === undefined) return fallback;
  const normalized = value.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(normalized)) return true;
  if (['false', '0', 'no', 'off'].includes(normalized)) return false;
  problems.push(`${name} must be true or false (got "${value}")`);
  return fallback;
}

function parseEnum<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
  problems: string[],
): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  problems.push(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
  return fallback;
}

/** Returns the URL without a trailing slash, or undefined when unset or invalid (recording why). */
function parseUrl(
  name: string,
  value: string | undefined,
  protocols: string[],
  problems: string[],
): string | undefined {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    if (!protocols.includes(url.protocol)) {
      problems.push(`${name} must be a ${protocols.join(' or ')} URL`);
      return undefined;
    }
    return value.replace(/\/+$/, '');
  } catch {
    problems.push(`${name} is not a valid URL`);
    return undefined;
  }
}

function isLocalUrl(value: string): boolean {
  const { hostname } = new URL(value);
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
}
