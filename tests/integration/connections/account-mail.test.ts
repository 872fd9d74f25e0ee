import { signInAs } from '../../helpers/accounts.ts';
import { createBrowser, type Browser } from '../../helpers/browser-session.ts';
import { latestMailTo, linkToken, signUpConfirmed, TEST_PASSWORD } from '../../helpers/mail-outbox.ts';
import { createTestApp, type TestApp } from '../../helpers/test-app.ts';

/** Sign-up confirmed by mail, password reset and change, email change (issue 7, findings 10 and 12). */
describe('accounts: sign-up, passwords and email changes by mail', () => {
  let testApp: TestApp;

  beforeEach(async () => {
    testApp = await createTestApp();
  });

  afterEach(async () => {
    await testApp.close();
  });

  const signIn = (browser: Browser, email: string, password?: string) => signInAs(browser, email, password);

  it('sign-up makes the account only when the mailed link is used, once, before it expires', async () => {
    const browser = createBrowser(testApp.app);
    const signup = await browser.post('/api/auth/signup', {
      email: 'New@Example.com',
      password: TEST_PASSWORD,
      name: 'New',
      workspaceName: 'New team',
    });
    expect(signup.statusCode).toBe(202);
    expect(browser.cookie('parley_session')).toBeUndefined();
    expect((await signIn(browser, 'new@example.com')).statusCode).toBe(401);
    const mail = await latestMailTo(testApp, 'new@example.com', 'Confirm your email');
    expect(mail.text).toContain('http://localhost:3000/verify-email#token=');
    const token = linkToken(mail);
    // Only the hash is stored.
    const stored = await testApp.database.pool.query<{ token_hash: string }>('select token_hash from email_tokens');
    expect(JSON.stringify(stored.rows)).not.toContain(token);
    expect((await browser.post('/api/auth/verify-email', { token })).json()).toEqual({ kind: 'signed_up' });
    expect((await browser.post('/api/auth/verify-email', { token })).statusCode).toBe(410);
    expect((await signIn(browser, 'new@example.com')).statusCode).toBe(200);
    expect((await browser.get('/api/session')).json()).toMatchObject({
      account: { email: 'new@example.com', emailVerified: true },
      workspace: { role: 'owner' },
    });

    await createBrowser(testApp.app).post('/api/auth/signup', {
      email: 'late@example.com',
      password: TEST_PASSWORD,
      name: 'Late',
      workspaceName: 'Late',
    });
    const lateToken = linkToken(await latestMailTo(testApp, 'late@example.com', 'Confirm your email'));
    await testApp.database.pool.query("update email_tokens set expires_at = now() - interval '1 second'");
    expect((await createBrowser(testApp.app).post('/api/auth/verify-email', { token: lateToken })).statusCode).toBe(
      410,
    );
  });

  it('finding 12: sign-up answers the same for a taken email, and the owner is told by mail', async () => {
    await signUpConfirmed(testApp, { email: 'owner@example.com' });
    const attempt = (email: string) =>
      createBrowser(testApp.app).post('/api/auth/signup', {
        email,
        password: 'another long password',
        name: 'Someone',
        workspaceName: 'Other',
      });
    const taken = await attempt('owner@example.com');
    const fresh = await attempt('fresh@example.com');
    expect(taken.statusCode).toBe(fresh.statusCode);
    expect(taken.json()).toEqual(fresh.json());
    const notice = await latestMailTo(testApp, 'owner@example.com');
    expect(notice.subject).toContain('Someone tried to use your email');
    expect(notice.text).toContain('http://localhost:3000/forgot-password');
    expect((await signIn(createBrowser(testApp.app), 'owner@example.com', 'another long password')).statusCode).toBe(
      401,
    );
  });

  it('finding 10: changing the password needs the current one and signs out every other session', async () => {
    const here = await signUpConfirmed(testApp, { email: 'owner@example.com' });
    const elsewhere = createBrowser(testApp.app);
    expect((await signIn(elsewhere, 'owner@example.com')).statusCode).toBe(200);

    const withoutCurrent = await here.post('/api/auth/password', { password: 'a brand new password' });
    expect(withoutCurrent.json()).toMatchObject({ error: { code: 'accounts.wrong_password' } });
    const wrongCurrent = await here.post('/api/auth/password', {
      currentPassword: 'not my password',
      password: 'a brand new password',
    });
    expect(wrongCurrent.statusCode).toBe(403);
    expect((await elsewhere.get('/api/session')).statusCode).toBe(200);

    const changed = await here.post('/api/auth/password', {
      currentPassword: TEST_PASSWORD,
      password: 'a brand new password',
    });
    expect(changed.statusCode).toBe(200);
    expect((await here.get('/api/session')).statusCode).toBe(200);
    expect((await elsewhere.get('/api/session')).statusCode).toBe(401);
    expect((await signIn(createBrowser(testApp.app), 'owner@example.com', 'a brand new password')).statusCode).toBe(
      200,
    );
    expect((await latestMailTo(testApp, 'owner@example.com')).subject).toBe('Your Parley password was changed');
  });

  it('password reset by mail: same answer for unknown emails, single use, expires, ends every session', async () => {
    const here = await signUpConfirmed(testApp, { email: 'owner@example.com' });
    const anonymous = createBrowser(testApp.app);
    const known = await anonymous.post('/api/auth/password-reset', { email: 'owner@example.com' });
    const unknown = await anonymous.post('/api/auth/password-reset', { email: 'nobody@example.com' });
    expect(known.statusCode).toBe(202);
    expect(unknown.json()).toEqual(known.json());
    await expect(latestMailTo(testApp, 'nobody@example.com')).rejects.toThrow('no mail');
    const token = linkToken(await latestMailTo(testApp, 'owner@example.com', 'Reset your Parley password'));

    const short = await anonymous.post('/api/auth/password-reset/confirm', { token, password: 'short' });
    expect(short.json()).toMatchObject({ error: { code: 'accounts.weak_password' } });
    const reset = await anonymous.post('/api/auth/password-reset/confirm', { token, password: 'my reset password' });
    expect(reset.statusCode).toBe(200);
    expect((await here.get('/api/session')).statusCode).toBe(401);
    expect(
      (await anonymous.post('/api/auth/password-reset/confirm', { token, password: 'again and again' })).statusCode,
    ).toBe(410);
    expect((await signIn(createBrowser(testApp.app), 'owner@example.com', 'my reset password')).statusCode).toBe(200);

    await anonymous.post('/api/auth/password-reset', { email: 'owner@example.com' });
    const stale = linkToken(await latestMailTo(testApp, 'owner@example.com', 'Reset your Parley password'));
    await testApp.database.pool.query("update email_tokens set expires_at = now() - interval '1 second'");
    expect(
      (await anonymous.post('/api/auth/password-reset/confirm', { token: stale, password: 'too late now' })).statusCode,
    ).toBe(410);
  });

  it('password reset requests are limited per address, and a reset lifts the sign-in back-off for that email', async () => {
    await signUpConfirmed(testApp, { email: 'owner@example.com' });
    const fromAddress = (remoteAddress: string) => (url: string, payload: object) =>
      testApp.app.inject({ method: 'POST', url, payload, remoteAddress });
    const stranger = fromAddress('203.0.113.9');
    const asked = [];
    for (let attempt = 0; attempt < 6; attempt += 1)
      asked.push((await stranger('/api/auth/password-reset', { email: 'owner@example.com' })).statusCode);
    expect(asked).toEqual([202, 202, 202, 202, 202, 429]);

    // The owner mistypes their password until the back-off holds them at their own address.
    const owner = fromAddress('198.51.100.20');
    for (let attempt = 0; attempt < 5; attempt += 1)
      await owner('/api/auth/login', { email: 'owner@example.com', password: 'not my password' });
    expect((await owner('/api/auth/login', { email: 'owner@example.com', password: TEST_PASSWORD })).statusCode).toBe(
      429,
    );
    const token = linkToken(await latestMailTo(testApp, 'owner@example.com', 'Reset your Parley password'));
    expect((await owner('/api/auth/password-reset/confirm', { token, password: 'my reset password' })).statusCode).toBe(
      200,
    );
    expect(
      (await owner('/api/auth/login', { email: 'owner@example.com', password: 'my reset password' })).statusCode,
    ).toBe(200);
  });

  it('email change: takes effect only once the new address is confirmed, and the old one is told', async () => {
    const browser = await signUpConfirmed(testApp, { email: 'old@example.com' });
    expect(
      (await browser.post('/api/account/email', { newEmail: 'new@example.com', currentPassword: 'wrong one!' })).json(),
    ).toMatchObject({ error: { code: 'accounts.wrong_password' } });
    const requested = await browser.post('/api/account/email', {
      newEmail: 'New@Example.com',
      currentPassword: TEST_PASSWORD,
    });
    expect(requested.statusCode).toBe(202);
    expect((await browser.get('/api/session')).json()).toMatchObject({ account: { email: 'old@example.com' } });
    expect((await latestMailTo(testApp, 'old@example.com')).text).toContain('new@example.com');

    const token = linkToken(await latestMailTo(testApp, 'new@example.com', 'Confirm your new email'));
    expect((await browser.post('/api/auth/verify-email', { token })).json()).toEqual({ kind: 'email_changed' });
    expect((await browser.get('/api/session')).json()).toMatchObject({
      account: { email: 'new@example.com', emailVerified: true },
    });
    expect((await latestMailTo(testApp, 'old@example.com')).subject).toBe('Your Parley email was changed');
    expect((await signIn(createBrowser(testApp.app), 'new@example.com')).statusCode).toBe(200);

    // A taken address: the same answer, and its owner is told instead.
    await signUpConfirmed(testApp, { email: 'taken@example.com' });
    const taken = await browser.post('/api/account/email', {
      newEmail: 'taken@example.com',
      currentPassword: TEST_PASSWORD,
    });
    expect(taken.json()).toEqual(requested.json());
    expect((await latestMailTo(testApp, 'taken@example.com')).subject).toContain('Someone tried to use your email');
  });
});
