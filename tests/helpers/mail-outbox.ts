import type { OutgoingMail } from '../../server/services/mail/mail-transport.ts';
import { createBrowser, type Browser } from './browser-session.ts';
import type { TestApp } from './test-app.ts';

/**
 * The mail Parley queued (the `mail.send` jobs, decrypted as the worker would), oldest first. Flow
 * tests read links from here instead of waiting for a worker to deliver them.
 */
export async function readOutbox(testApp: TestApp): Promise<OutgoingMail[]> {
  const { rows } = await testApp.database.pool.query<{ data: { mailId: string; ciphertext: string } }>(
    "select data from pgboss.job where name = 'mail.send' order by created_on, id",
  );
  return rows.map((row) => testApp.domain.mail.open(row.data));
}

/** The newest mail to `to` (optionally with a subject containing `subject`); fails when there is none. */
export async function latestMailTo(testApp: TestApp, to: string, subject?: string): Promise<OutgoingMail> {
  const mail = (await readOutbox(testApp))
    .filter((m) => m.to === to.toLowerCase() && (subject === undefined || m.subject.includes(subject)))
    .at(-1);
  if (mail === undefined) throw new Error(`no mail to ${to}${subject === undefined ? '' : ` about "${subject}"`}`);
  return mail;
}

/** The token of the first link in a mail (links carry it in the fragment: `#token=`). */
export function linkToken(mail: OutgoingMail): string {
  const token = /#token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
  if (token === undefined) throw new Error(`no link token in "${mail.subject}"`);
  return token;
}

export const TEST_PASSWORD = 'a long enough password';

/** Sign-up as a person does it: form, mailed link, sign-in. Returns the signed-in browser. */
export async function signUpConfirmed(
  testApp: TestApp,
  input: { email: string; name?: string; workspaceName?: string; password?: string },
  browser: Browser = createBrowser(testApp.app),
): Promise<Browser> {
  const password = input.password ?? TEST_PASSWORD;
  const signup = await browser.post('/api/auth/signup', {
    email: input.email,
    password,
    name: input.name ?? input.email.split('@')[0],
    workspaceName: input.workspaceName ?? `${input.email} team`,
  });
  if (signup.statusCode !== 202) throw new Error(`sign-up failed: ${signup.statusCode} ${signup.body}`);
  const token = linkToken(await latestMailTo(testApp, input.email, 'Confirm your email'));
  const confirmed = await browser.post('/api/auth/verify-email', { token });
  if (confirmed.statusCode !== 200) throw new Error(`confirmation failed: ${confirmed.statusCode} ${confirmed.body}`);
  const login = await browser.post('/api/auth/login', { email: input.email, password });
  if (login.statusCode !== 200) throw new Error(`sign-in failed: ${login.statusCode} ${login.body}`);
  await browser.refreshCsrf();
  return browser;
}
