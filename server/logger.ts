import pino, { type Logger, type LoggerOptions } from 'pino';
import type { LogLevel } from './config.ts';

export type { Logger };

/** Query parameters that carry credentials (the extensions' `token` JWT, OAuth `code`, tickets). */
const SECRET_QUERY_PARAMS = new Set([
  'token',
  'code',
  'state',
  'ticket',
  'access_token',
  'refresh_token',
  'client_secret',
  'hub.verify_token',
]);

/**
 * Paths pino blanks out wherever they appear in a log line. Tokens and secrets must never reach
 * logs: the suite captures its logs and fails if any secret shows up in them.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hub-signature-256"]',
  'res.headers["set-cookie"]',
  '*.authorization',
  '*.password',
  '*.passwordHash',
  '*.accessToken',
  '*.refreshToken',
  '*.access_token',
  '*.refresh_token',
  '*.clientSecret',
  '*.client_secret',
  '*.appSecret',
  '*.app_secret',
  '*.secret',
  '*.token',
  '*.verifyToken',
  '*.sessionSecret',
  '*.encryptionKeys',
];

/** Keeps the path and the names of query parameters but drops the values of credential-bearing ones. */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return url;
  const params = new URLSearchParams(url.slice(queryStart + 1));
  for (const name of [...params.keys()]) {
    if (SECRET_QUERY_PARAMS.has(name.toLowerCase())) params.set(name, '[redacted]');
  }
  return `${url.slice(0, queryStart)}?${params.toString()}`;
}

export interface LoggerSettings {
  level: LogLevel;
  /** Human-readable lines for a person at a terminal; JSON otherwise. */
  pretty?: boolean;
  destination?: pino.DestinationStream;
}

export function createLoggerOptions(settings: Pick<LoggerSettings, 'level'>): LoggerOptions {
  return {
    level: settings.level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      req(request: { method: string; url: string; hostname?: string; ip?: string; id?: string }) {
        return {
          method: request.method,
          url: redactUrl(request.url),
          hostname: request.hostname,
          remoteAddress: request.ip,
        };
      },
      res(reply: { statusCode: number }) {
        return { statusCode: reply.statusCode };
      },
      err: pino.stdSerializers.err,
    },
  };
}

export function createLogger(settings: LoggerSettings): Logger {
  const options = createLoggerOptions(settings);
  if (settings.destination !== undefined) return pino(options, settings.destination);
  if (settings.pretty === true) {
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss', ignore: 'pid,hostname' } },
    });
  }
  return pino(options);
}
