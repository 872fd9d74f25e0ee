import { eq } from 'drizzle-orm';
import { accounts, companies, connections } from '../../../server/db/schema/index.ts';
import { signInAs } from '../../helpers/accounts.ts';
import { createBrowser, type Browser } from '../../helpers/browser-session.ts';
import { signUpConfirmed } from '../../helpers/mail-outbox.ts';
import { confirmPendingInstall } from '../../helpers/pending-install.ts';
import { startSandboxedTestApp, type PipedriveSandbox, type PipedriveUser } from '../../helpers/pipedrive-sandbox.ts';
import type { TestApp } from '../../helpers/test-app.ts';

/** Issue 7, finding 1: a parked Marketplace install resumes only for its admin, in their browser, by a confirmed POST. */
describe('finding 1: parked installs', () => {
  let pd: PipedriveSandbox;
  let testApp: TestApp;
  let closeAll: () => Promise<void>;

  beforeEach(async () => {
    ({ pd, testApp, close: closeAll } = await startSandboxedTestApp());
  });

  afterEach(async () => {
    await closeAll();
  });

  const db = () => testApp.database.db;
  const signIn = (browser: Browser, email: string, password?: string) => signInAs(browser, email, password);

  /** An install of `user`'s company from the Marketplace, parked because a verified account has their email. */
  async function parkInstall(browser: Browser, user: PipedriveUser): Promise<string> {
    const callback = await browser.get(`/oauth/callback?code=${pd.authorize(user)}`);
    const location = new URL(String(callback.headers.location), 'http://localhost:3000');
    expect(location.pathname).toBe('/login');
    return location.searchParams.get('resume') ?? '';
  }

  const connectedCompanies = () => db().select().from(companies);

  it('finding 1: an attacker parks an install of their company and sends the link; the signed-in victim opening it connects nothing', async () => {
    const { gina } = pd.users;
    // The attacker: a Parley account with their own (verified) email, then an install of their company.
    const attacker = await signUpConfirmed(testApp, { email: gina.email, workspaceName: 'Attacker' });
    await attacker.post('/api/auth/logout');
    const pendingId = await parkInstall(attacker, gina);

    const victim = await signUpConfirmed(testApp, { email: 'victim@victim.test', workspaceName: 'Victim Inc' });
    // The link, opened (a GET, as from another site's link, carrying the SameSite=Lax cookie).
    const opened = await victim.get(`/oauth/resume/${pendingId}`);
    expect(opened.statusCode).toBe(403);
    expect(opened.body).not.toContain('name="csrf"');
    // Even a POST with the victim's own CSRF token (which a cross-site page cannot read) is refused.
    const csrf = (await victim.get('/api/session')).json<{ csrfToken: string }>().csrfToken;
    expect((await confirmPendingInstall(victim, pendingId, { csrf })).statusCode).toBe(403);
    expect(await connectedCompanies()).toEqual([]);
    expect(await db().select().from(connections)).toEqual([]);
    // The attacker's own browser can still finish their own install, into their own workspace.
    await signIn(attacker, gina.email);
    expect((await confirmPendingInstall(attacker, pendingId)).headers.location).toBe('/onboarding');
    const [company] = await connectedCompanies();
    const victimWorkspace = (await victim.get('/api/session')).json<{ workspace: { id: string } }>().workspace.id;
    expect(company?.workspaceId).not.toBe(victimWorkspace);
  });

  it('finding 1: a GET never completes it, and the POST needs the CSRF token and Parley’s origin', async () => {
    const { ada } = pd.users;
    const browser = await signUpConfirmed(testApp, { email: ada.email });
    await browser.post('/api/auth/logout');
    const pendingId = await parkInstall(browser, ada);
    await signIn(browser, ada.email);
    for (let i = 0; i < 3; i += 1) expect((await browser.get(`/oauth/resume/${pendingId}`)).statusCode).toBe(200);
    expect(await connectedCompanies()).toEqual([]);

    expect((await confirmPendingInstall(browser, pendingId, { csrf: 'forged' })).statusCode).toBe(403);
    const crossSite = await browser.request({
      method: 'POST',
      url: `/oauth/resume/${pendingId}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      payload: 'csrf=x&decision=confirm',
    });
    expect(crossSite.statusCode).toBe(403);
    expect(await connectedCompanies()).toEqual([]);
    expect((await confirmPendingInstall(browser, pendingId)).headers.location).toBe('/onboarding');
  });

  it('finding 1: the right account in another browser cannot finish it', async () => {
    const { ada } = pd.users;
    const first = await signUpConfirmed(testApp, { email: ada.email });
    await first.post('/api/auth/logout');
    const pendingId = await parkInstall(first, ada);
    const other = createBrowser(testApp.app);
    expect((await signIn(other, ada.email)).statusCode).toBe(200);
    const page = await other.get(`/oauth/resume/${pendingId}`);
    expect(page.statusCode).toBe(403);
    expect(page.body).toContain('started in another browser');
    const csrf = (await other.get('/api/session')).json<{ csrfToken: string }>().csrfToken;
    expect((await confirmPendingInstall(other, pendingId, { csrf })).statusCode).toBe(403);
    expect(await connectedCompanies()).toEqual([]);
  });

  it('finding 1: another account signed in in the same browser cannot finish it', async () => {
    const { ada } = pd.users;
    const browser = await signUpConfirmed(testApp, { email: ada.email });
    await signUpConfirmed(testApp, { email: 'colleague@acme.test' });
    await browser.post('/api/auth/logout');
    const pendingId = await parkInstall(browser, ada);
    await signIn(browser, 'colleague@acme.test');
    const page = await browser.get(`/oauth/resume/${pendingId}`);
    expect(page.statusCode).toBe(403);
    expect(page.body).toContain(`This installation is for ${ada.email}`);
    const csrf = (await browser.get('/api/session')).json<{ csrfToken: string }>().csrfToken;
    expect((await confirmPendingInstall(browser, pendingId, { csrf })).statusCode).toBe(403);
    expect(await connectedCompanies()).toEqual([]);
  });

  it('finding 1: an account whose email is not verified cannot finish it', async () => {
    const { ada } = pd.users;
    const browser = await signUpConfirmed(testApp, { email: ada.email });
    await browser.post('/api/auth/logout');
    const pendingId = await parkInstall(browser, ada);
    await signIn(browser, ada.email);
    await db().update(accounts).set({ emailVerified: false }).where(eq(accounts.email, ada.email));
    const page = await browser.get(`/oauth/resume/${pendingId}`);
    expect(page.statusCode).toBe(403);
    expect(page.body).toContain('Verify your email first');
    expect(await connectedCompanies()).toEqual([]);
  });

  it('cancel on the confirmation page connects nothing and gives the grant back to Pipedrive', async () => {
    const { ada } = pd.users;
    const browser = await signUpConfirmed(testApp, { email: ada.email });
    await browser.post('/api/auth/logout');
    const pendingId = await parkInstall(browser, ada);
    await signIn(browser, ada.email);
    const cancelled = await confirmPendingInstall(browser, pendingId, { decision: 'cancel' });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.body).toContain('Installation cancelled');
    expect(await connectedCompanies()).toEqual([]);
    const revokes = await testApp.database.pool.query("select 1 from pgboss.job where name = 'pipedrive.revoke-grant'");
    expect(revokes.rows).toHaveLength(1);
  });
});
