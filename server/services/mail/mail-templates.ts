import type { OutgoingMail } from './mail-transport.ts';

/**
 * The account mails Parley sends, as plain text and simple HTML. Each takes the absolute links it
 * carries; links with a token put it in the fragment (`#token=`), which browsers never send to a
 * server, so no access log ever holds it.
 */
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function compose(to: string, subject: string, paragraphs: (string | { label: string; href: string })[]): OutgoingMail {
  const text = paragraphs.map((p) => (typeof p === 'string' ? p : `${p.label}: ${p.href}`)).join('\n\n');
  const html = paragraphs
    .map((p) =>
      typeof p === 'string'
        ? `<p>${escapeHtml(p)}</p>`
        : `<p><a href="${escapeHtml(p.href)}">${escapeHtml(p.label)}</a></p>`,
    )
    .join('');
  return { to, subject, text: `${text}\n\n— Parley\n`, html: `${html}<p>— Parley</p>` };
}

export const mailTemplates = {
  confirmSignUp: (to: string, link: string, hours: number) =>
    compose(to, 'Confirm your email for Parley', [
      'Someone — hopefully you — created a Parley account with this email address.',
      { label: 'Confirm your email', href: link },
      `The link works once, for ${hours} hours. If you did not sign up, ignore this mail: no account is made until the link is used.`,
    ]),

  addressAlreadyHasAccount: (to: string, links: { signIn: string; reset: string }) =>
    compose(to, 'Someone tried to use your email for a new Parley account', [
      'Someone tried to sign up to Parley (or move an account) with this email address, but you already have an account with it. Nothing was changed.',
      { label: 'Sign in', href: links.signIn },
      { label: 'Forgot your password? Reset it', href: links.reset },
      'If this was not you, you can ignore this mail.',
    ]),

  verifyEmail: (to: string, link: string, hours: number) =>
    compose(to, 'Verify your email for Parley', [
      'Confirm that this address is yours, so Parley can match your invitations and Pipedrive connections to it.',
      { label: 'Verify your email', href: link },
      `The link works once, for ${hours} hours.`,
    ]),

  resetPassword: (to: string, link: string, minutes: number) =>
    compose(to, 'Reset your Parley password', [
      'Someone — hopefully you — asked to reset the password of the Parley account with this email.',
      { label: 'Choose a new password', href: link },
      `The link works once, for ${minutes} minutes. Setting a new password signs you out everywhere. If you did not ask, ignore this mail: your password stays as it is.`,
    ]),

  confirmNewEmail: (to: string, link: string, hours: number) =>
    compose(to, 'Confirm your new email for Parley', [
      'You asked to use this address for your Parley account. It takes effect once you confirm it.',
      { label: 'Confirm this address', href: link },
      `The link works once, for ${hours} hours. If you did not ask for this, ignore this mail.`,
    ]),

  emailChangeRequested: (to: string, newEmail: string) =>
    compose(to, 'Your Parley email is about to change', [
      `Someone signed in to your Parley account asked to change its email to ${newEmail}. It changes only once that address is confirmed.`,
      'If this was not you, change your password now: that signs everyone else out and the request cannot be completed without access to the new address.',
    ]),

  emailChanged: (to: string, newEmail: string) =>
    compose(to, 'Your Parley email was changed', [
      `Your Parley account now signs in with ${newEmail} instead of this address.`,
      'If this was not you, contact your workspace owner at once.',
    ]),

  passwordChanged: (to: string) =>
    compose(to, 'Your Parley password was changed', [
      'The password of your Parley account was just changed, and every other session was signed out.',
      'If this was not you, reset your password from the sign-in page at once.',
    ]),
};
