import { Type, type Static } from 'typebox';

/** Mailed links (confirm an address, reset a password) and the account settings that send them. */

const Email = Type.String({ format: 'email', maxLength: 254 });
const Password = Type.String({ minLength: 1, maxLength: 200 });
/** Tokens of mailed links travel in request bodies only (links carry them in the URL fragment). */
const LinkToken = Type.String({ minLength: 20, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' });

/** A mail went out (or, for a stranger's address, answers exactly as if it had). */
export const CheckEmailReply = Type.Object({ status: Type.Literal('check_email') });
export type CheckEmailReply = Static<typeof CheckEmailReply>;

export const VerifyEmailBody = Type.Object({ token: LinkToken });
export type VerifyEmailBody = Static<typeof VerifyEmailBody>;
/** What the confirmed link did: finished a sign-up, verified an address, or moved the account to a new one. */
export const VerifyEmailReply = Type.Object({
  kind: Type.Union([Type.Literal('signed_up'), Type.Literal('verified'), Type.Literal('email_changed')]),
});
export type VerifyEmailReply = Static<typeof VerifyEmailReply>;

export const PasswordResetBody = Type.Object({ email: Email });
export type PasswordResetBody = Static<typeof PasswordResetBody>;
export const PasswordResetConfirmBody = Type.Object({ token: LinkToken, password: Password });
export type PasswordResetConfirmBody = Static<typeof PasswordResetConfirmBody>;

/** `currentPassword` is required when the account has a password. */
export const ChangeEmailBody = Type.Object({ newEmail: Email, currentPassword: Type.Optional(Password) });
export type ChangeEmailBody = Static<typeof ChangeEmailBody>;
