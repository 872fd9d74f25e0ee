import { Type, type Static } from 'typebox';

/**
 * The HTTP contract shared by the server (route schemas: validation and response serialization)
 * and the browser code (types only, `import type`, so TypeBox stays out of the panel bundles).
 */

/** A date-time: the server hands a `Date`, the wire carries an ISO string; read it with `new Date(value)`. */
export const DateTime = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });
export const Uuid = Type.String({ format: 'uuid' });
/**
 * A Pipedrive id (company, user) as Parley stores it: a positive integer that fits the `bigint`
 * column and JavaScript numbers exactly. 1.5, -1, 2^63 or "abc" are refused with 400 before any
 * query runs, instead of failing inside PostgreSQL.
 */
export const PipedriveId = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const MemberRole = Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member')]);
export type MemberRole = Static<typeof MemberRole>;

export const ConnectionState = Type.Union([
  Type.Literal('active'),
  Type.Literal('reauth_required'),
  Type.Literal('revoked'),
]);

export const Ok = Type.Object({ ok: Type.Literal(true) });
export type Ok = Static<typeof Ok>;

/** Every API error: `{ error: { code, message, details?, requestId } }` (server/errors.ts). */
export const ErrorEnvelope = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    requestId: Type.Optional(Type.String()),
  }),
});
export type ErrorEnvelope = Static<typeof ErrorEnvelope>;
