/**
 * The one error model. Services throw `AppError`s made by factories in `<area>.errors.ts`; the
 * error-handler plugin renders every error as `{ error: { code, message } }`.
 * Codes are dotted snake_case per area: `oauth.state_invalid`, `request.invalid`.
 */
export interface AppErrorOptions {
  code: string;
  statusCode: number;
  message: string;
  cause?: unknown;
  /** Extra machine-readable facts safe to show to the caller. */
  details?: Record<string, unknown>;
  /** Response headers that belong to the error (e.g. Retry-After). */
  headers?: Record<string, string>;
  /** Whether the message may reach the client; defaults to true for 4xx only. */
  expose?: boolean;
}

export class AppError extends Error {
  readonly code: string;
  readonly statusCode: number;
  /** Only 4xx messages reach the client; 5xx messages are replaced by a generic sentence. */
  readonly expose: boolean;
  readonly details: Record<string, unknown> | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(options: AppErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = options.code;
    this.statusCode = options.statusCode;
    this.expose = options.expose ?? options.statusCode < 500;
    this.details = options.details;
    this.headers = options.headers;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

type Overrides = Partial<Pick<AppErrorOptions, 'message' | 'cause' | 'details' | 'headers'>>;

/** `const createThingNotFoundError = createErrorFactory({ code: 'things.not_found', statusCode: 404, message: '…' })` */
export function createErrorFactory(defaults: Pick<AppErrorOptions, 'code' | 'statusCode' | 'message' | 'expose'>) {
  return (overrides: Overrides = {}): AppError => new AppError({ ...defaults, ...stripUndefined(overrides) });
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export interface ErrorEnvelope {
  error: { code: string; message: string; details?: Record<string, unknown>; requestId?: string };
}

/**
 * Socket errors and PostgreSQL's connection-exception (08…) and operator-intervention (57P0…)
 * classes: the database restarted or cannot be reached, as opposed to a query Parley got wrong.
 */
const DATABASE_UNAVAILABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);

/** Whether an error means the database is down or restarting (then 503 and a retry, not a 500). */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (DATABASE_UNAVAILABLE_CODES.has(code) || /^(08|57P0)/.test(code))) return true;
    if (/^Connection terminated/.test(current.message)) return true;
    current = current.cause;
  }
  return false;
}
