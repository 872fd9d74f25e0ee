import { Type, type Static } from 'typebox';
import { Ok, PipedriveId, Uuid } from './common.schemas.ts';

/** Pipedrive OAuth (`/oauth/*`): the browser during a flow, and Pipedrive's own callbacks. */

export const InstallQuery = Type.Object({
  purpose: Type.Optional(Type.String()),
  ticket: Type.Optional(Type.String({ maxLength: 2000 })),
});
export type InstallQuery = Static<typeof InstallQuery>;
export const CallbackQuery = Type.Object({
  code: Type.Optional(Type.String({ maxLength: 2000 })),
  state: Type.Optional(Type.String({ maxLength: 4000 })),
  error: Type.Optional(Type.String({ maxLength: 200 })),
});
export type CallbackQuery = Static<typeof CallbackQuery>;
export const ResumeParams = Type.Object({ id: Uuid });
export type ResumeParams = Static<typeof ResumeParams>;
/** The parked install's confirmation form (a plain HTML form post carrying the session's CSRF token). */
export const ResumeDecisionBody = Type.Object({
  csrf: Type.String({ maxLength: 200 }),
  decision: Type.Union([Type.Literal('confirm'), Type.Literal('cancel')]),
});
export type ResumeDecisionBody = Static<typeof ResumeDecisionBody>;

/** Pipedrive tells the callback URL when an admin shares the app with users or makes it private. */
export const SharingChangedBody = Type.Object({
  company_id: PipedriveId,
  user_id: PipedriveId,
  isShared: Type.Boolean(),
});
export type SharingChangedBody = Static<typeof SharingChangedBody>;
/** Uninstall (pipedrive-platform.md §2.1). */
export const UninstallBody = Type.Object({
  client_id: Type.String(),
  company_id: PipedriveId,
  user_id: PipedriveId,
  timestamp: Type.Optional(Type.Union([Type.String(), Type.Number()])),
});
export type UninstallBody = Static<typeof UninstallBody>;
export const UninstallReply = Type.Object({
  ok: Type.Literal(true),
  ended: Type.Union([Type.Literal('organization'), Type.Literal('personal'), Type.Literal('nothing')]),
});
export type UninstallReply = Static<typeof UninstallReply>;

export { Ok };
