import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
import pino, { type Bindings, type ChildLoggerOptions, type LogFn, type Logger, type LoggerOptions } from 'pino';
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
  // A parked install's id and an invitation token, carried through the sign-in page.
  'resume',
  'invite',
  // A panel's signed media link (live for a minute, but a credential while it lives).
  'signature',
]);

/**
 * Paths whose next segment is a bearer secret: invitation links and parked installs. Whoever reads
 * the log must not be able to redeem them (issue 7, finding 4).
 */
const SECRET_PATH_SEGMENT = /(\/(?:invite|api\/invitations|oauth\/resume)\/)[^/?#]+/gi;

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

/**
 * Keeps the path and the names of query parameters but drops the values of credential-bearing ones
 * and the secret segments of invitation and parked-install paths.
 */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  const pathPart = (queryStart === -1 ? url : url.slice(0, queryStart)).replace(SECRET_PATH_SEGMENT, '$1[redacted]');
  if (queryStart === -1) return pathPart;
  const params = new URLSearchParams(url.slice(queryStart + 1));
  for (const name of [...params.keys()]) {
    if (SECRET_QUERY_PARAMS.has(name.toLowerCase())) params.set(name, '[redacted]');
  }
  return `${pathPart}?${params.toString()}`;
}

/** Values shorter than this are left in messages: they are not secrets, and blanking them garbles text. */
const MIN_SCRUBBED_PARAM_LENGTH = 4;

/**
 * Errors of failed queries carry the query's parameter values (drizzle puts them in the message and
 * in `params`; PostgreSQL repeats key values in `detail`): password hashes, emails, ciphertexts.
 * The serialized error keeps the SQL text and PostgreSQL's code, constraint and table, and loses
 * every parameter value wherever it appears in the error or its causes (issue 7, finding 7).
 */
export function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown;
  const database = databaseFacts(error);
  const withFacts = database === undefined || typeof serialized !== 'object' ? serialized : { ...serialized, database };
  const values = queryParameterValues(error);
  return values.length === 0 ? withFacts : scrub(withFacts, values);
}

/** PostgreSQL's own fields of the first database error in the cause chain (the stack keeps only its message). */
function databaseFacts(error: unknown): Record<string, unknown> | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth += 1) {
    const candidate = current as Record<string, unknown>;
    if (typeof candidate['code'] === 'string' && typeof candidate['severity'] === 'string') {
      const facts: Record<string, unknown> = {};
      for (const name of ['code', 'constraint', 'table', 'column', 'detail', 'routine'])
        if (candidate[name] !== undefined) facts[name] = candidate[name];
      return facts;
    }
    current = candidate['cause'];
  }
  return undefined;
}

function queryParameterValues(error: unknown): string[] {
  const values = new Set<string>();
  let current: unknown = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth += 1) {
    const params = (current as { params?: unknown }).params;
    if (Array.isArray(params)) {
      for (const param of params) {
        if (param === null || param === undefined) continue;
        const text = typeof param === 'object' ? JSON.stringify(param) : String(param as string | number);
        if (text.length >= MIN_SCRUBBED_PARAM_LENGTH) values.add(text);
      }
    }
    current = (current as { cause?: unknown }).cause;
  }
  // Longest first, so a value containing a shorter one is blanked whole.
  return [...values].sort((a, b) => b.length - a.length);
}

function scrub(value: unknown, secrets: string[], key = ''): unknown {
  if (typeof value === 'string') {
    if (key === 'query') return value;
    let text =
      key === 'message' || key === 'stack'
        ? value.replace(/\nparams: [\s\S]*?(?=\n {4}at |$)/, '\nparams: [redacted]')
        : value;
    for (const secret of secrets) text = text.split(secret).join('[redacted]');
    return text;
  }
  if (Array.isArray(value)) return key === 'params' ? '[redacted]' : value.map((item) => scrub(item, secrets));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, scrub(item, secrets, name)]));
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
      err: serializeError,
      error: serializeError,
    },
  };
}

/**
 * Quiet by default: Fastify's own request logging writes two `info` lines per request (a line a
 * second for the sandbox's polling phone). Here each answered request is one readable `debug` line
 * ("GET /api/audit 200 12 ms", URL redacted like every `req`), and 4xx answers and unknown routes
 * are `debug` too; 5xx and failed responses stay errors. `LOG_LEVEL=debug` brings requests back.
 */
export class QuietRequestLogs extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    // Usually off (info): then nothing is built for the line (the URL's redaction is a regex).
    if (!error && (reply.log as Partial<Logger>).isLevelEnabled?.('debug') === false) return;
    const ms = Math.round(reply.elapsedTime);
    const line = `${request.method} ${redactUrl(request.url)} ${reply.statusCode} ${ms} ms`;
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: ms }, line);
    else reply.log.debug({ req: request, res: reply, responseTime: ms }, line);
  }

  override defaultErrorLog(error: Error, request: FastifyRequest, reply: FastifyReply): void {
    if (reply.statusCode >= 500) super.defaultErrorLog(error, request, reply);
    else if (!this.isLogDisabled(request)) reply.log.debug({ res: reply, err: error }, error.message);
  }

  override routeNotFound(request: FastifyRequest): void {
    if (!this.isLogDisabled(request)) request.log.debug(`no route for ${request.method} ${redactUrl(request.url)}`);
  }

  override streamError(error: Error, request: FastifyRequest, reply: FastifyReply): void {
    // A browser leaving a page mid-download is ordinary.
    if ((error as { code?: unknown }).code === 'ERR_STREAM_PREMATURE_CLOSE')
      reply.log.debug({ res: reply }, 'stream closed early');
    else super.streamError(error, request, reply);
  }
}

/**
 * Fastify's `childLoggerFactory`: a request's logger that becomes a real pino child (bound to the
 * request id) only when something is logged at an enabled level. Fastify makes a child per request,
 * and pino builds its bindings (through redaction) at once: a few percent of the webhook route's CPU
 * under load (issue 13's profile), for requests that, at `info`, log nothing (QuietRequestLogs).
 * Lines that are written are identical to an eager child's.
 */
export function lazyRequestLogger(
  this: unknown,
  parent: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  return new LazyChildLogger(parent, bindings, options);
}

class LazyChildLogger {
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Bindings;
  readonly #options: ChildLoggerOptions;
  #child: FastifyBaseLogger | undefined;

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  #real(): FastifyBaseLogger {
    this.#child ??= this.#parent.child(this.#bindings, this.#options);
    return this.#child;
  }

  /** Whether a line at `level` would be written, without making the child (a route's `logLevel` counts). */
  #enabled(level: string): boolean {
    if (this.#child !== undefined) return (this.#child as Logger).isLevelEnabled(level);
    const own = this.#options.level;
    if (own === undefined) return (this.#parent as Logger).isLevelEnabled(level);
    const values = (this.#parent as Logger).levels.values;
    return own !== 'silent' && (values[level] ?? Infinity) >= (values[own] ?? Infinity);
  }

  #write(level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace', args: unknown[]): void {
    if (this.#enabled(level)) this.#real()[level](...(args as Parameters<LogFn>));
  }

  get level(): string {
    return this.#child?.level ?? this.#options.level ?? this.#parent.level;
  }
  set level(level: string) {
    this.#real().level = level;
  }
  isLevelEnabled(level: string): boolean {
    return this.#enabled(level);
  }
  fatal(...args: unknown[]): void {
    this.#write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.#write('error', args);
  }
  warn(...args: unknown[]): void {
    this.#write('warn', args);
  }
  info(...args: unknown[]): void {
    this.#write('info', args);
  }
  debug(...args: unknown[]): void {
    this.#write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.#write('trace', args);
  }
  silent(): void {}
  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#real().child(bindings, options);
  }
  bindings(): Bindings {
    return (this.#real() as Logger).bindings();
  }
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
