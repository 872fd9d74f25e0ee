import { Type, type Static } from 'typebox';
import { DateTime, Nullable, PipedriveId, Uuid } from './common.schemas.ts';

/** The sync engine's admin views (`/api/budget`, `/api/sync/dead-letters*`) and the unmatched queue. */

export const BudgetQuery = Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 90 })) });
export type BudgetQuery = Static<typeof BudgetQuery>;

const Usage = { tokens: Type.Integer(), requests: Type.Integer() };
/** Pipedrive API tokens Parley spent per UTC day (`YYYY-MM-DD`) and feature: its own estimates. */
export const BudgetInfo = Type.Object({
  companyId: PipedriveId,
  resetsAt: Type.Literal('midnight UTC'),
  pausedUntil: Nullable(DateTime),
  days: Type.Array(
    Type.Object({
      day: Type.String(),
      ...Usage,
      features: Type.Array(Type.Object({ feature: Type.String(), ...Usage })),
    }),
  ),
});
export type BudgetInfo = Static<typeof BudgetInfo>;

export const DeadLetter = Type.Object({
  id: Type.String(),
  chatId: Uuid,
  reason: Type.String(),
  error: Type.Unknown(),
  sourceQueue: Type.String(),
  sourceJobId: Type.Optional(Nullable(Type.String())),
  sourceRetryCount: Type.Optional(Nullable(Type.Integer())),
  deadLetteredAt: DateTime,
});
export const DeadLetterList = Type.Object({ deadLetters: Type.Array(DeadLetter) });
export type DeadLetterList = Static<typeof DeadLetterList>;
export const ReplayReply = Type.Object({ ok: Type.Literal(true), chatId: Uuid });
export type ReplayReply = Static<typeof ReplayReply>;

export const UnmatchedEntry = Type.Object({
  id: Uuid,
  chatId: Uuid,
  /** `several_matches`, `no_phone` or `group`. */
  reason: Type.String(),
  candidates: Type.Array(Type.Object({ id: PipedriveId, name: Type.String(), phones: Type.Array(Type.String()) })),
  phone: Nullable(Type.String()),
  profileName: Nullable(Type.String()),
  queuedAt: DateTime,
});
export type UnmatchedEntry = Static<typeof UnmatchedEntry>;
export const UnmatchedList = Type.Object({ entries: Type.Array(UnmatchedEntry) });
export type UnmatchedList = Static<typeof UnmatchedList>;

/** A member picks one of the candidates, or asks Parley to create a new person. */
export const UnmatchedChoiceBody = Type.Union([
  Type.Object({ personId: PipedriveId }, { additionalProperties: false }),
  Type.Object({ createNew: Type.Literal(true) }, { additionalProperties: false }),
]);
export type UnmatchedChoiceBody = Static<typeof UnmatchedChoiceBody>;
export const UnmatchedChoiceReply = Type.Object({ chatId: Uuid, personId: PipedriveId });
export type UnmatchedChoiceReply = Static<typeof UnmatchedChoiceReply>;
