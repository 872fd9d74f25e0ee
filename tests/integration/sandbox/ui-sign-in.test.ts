import { startSandbox, type Sandbox } from '../../../sandbox/index.ts';
import { fetchPage, textOf } from '../../helpers/sandbox-pages.ts';

describe('sandbox sign-in', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, timeScale: 0.001 });
  });

  afterAll(async () => {
    await sandbox.close();
  });

  it('lists the seeded users of both companies to sign in as', async () => {
    const page = await fetchPage(`${sandbox.url}/auth/login`);
    expect(page.status).toBe(200);
    const text = textOf(page.body);
    const { demo, other } = sandbox.pipedrive.seed;
    for (const user of [...demo.users, ...other.users]) {
      expect(text).toContain(user.name);
      expect(page.body).toContain(`data-sign-in-as="${user.id}"`);
    }
    expect(text).toContain(demo.company.name);
    expect(text).toContain(other.company.name);
  });

  it('signs in with a session cookie, returns to the page asked for, and shows who and which company', async () => {
    const { admin, company } = sandbox.pipedrive.seed.demo;
    const signIn = await fetchPage(`${sandbox.url}/auth/login`, {
      form: { user_id: String(admin.id), return_to: '/marketplace' },
    });
    expect(signIn.status).toBe(303);
    expect(signIn.location).toBe('/marketplace');
    expect(signIn.setCookie).toMatch(/^pd_sandbox_session=[\w-]+; Path=\/; HttpOnly; SameSite=Lax$/);
    const cookie = signIn.setCookie?.split(';')[0] ?? '';

    const page = await fetchPage(`${sandbox.url}/marketplace`, { cookie });
    expect(page.status).toBe(200);
    expect(page.body).toContain(`data-signed-in-user="${admin.id}"`);
    const text = textOf(page.body);
    expect(text).toContain(admin.name);
    expect(text).toContain(company.name);
    for (const tab of ['Deals', 'Persons', 'Leads', 'Marketplace', 'Settings']) expect(text).toContain(tab);
  });

  it('never redirects off the sandbox after sign-in', async () => {
    const { admin } = sandbox.pipedrive.seed.demo;
    for (const returnTo of ['https://evil.example/', '//evil.example/x', '/\\evil.example']) {
      const signIn = await fetchPage(`${sandbox.url}/auth/login`, {
        form: { user_id: String(admin.id), return_to: returnTo },
      });
      expect(signIn.location).toBe('/deals');
    }
  });

  it('rejects an unknown user', async () => {
    const signIn = await fetchPage(`${sandbox.url}/auth/login`, { form: { user_id: '42' } });
    expect(signIn.status).toBe(400);
    expect(signIn.setCookie).toBeNull();
  });

  it('sends signed-out visitors to the user picker and brings them back', async () => {
    const deal = sandbox.pipedrive.seed.demo.deals[0];
    const page = await fetchPage(`${sandbox.url}/deal/${deal?.id}`);
    expect(page.status).toBe(302);
    expect(page.location).toBe(`/auth/login?return_to=${encodeURIComponent(`/deal/${deal?.id}`)}`);
    const picker = await fetchPage(`${sandbox.url}${page.location}`);
    expect(picker.body).toContain(`name="return_to" value="/deal/${deal?.id}"`);
  });

  it('signs out: the session stops working', async () => {
    const { cookie, csrfToken } = sandbox.pipedrive.ui.signIn(sandbox.pipedrive.seed.demo.users[1]?.id ?? 0);
    expect((await fetchPage(`${sandbox.url}/deals`, { cookie })).status).toBe(200);
    const signOut = await fetchPage(`${sandbox.url}/auth/logout`, { cookie, form: { _csrf: csrfToken } });
    expect(signOut.status).toBe(303);
    expect(signOut.setCookie).toContain('Max-Age=0');
    expect((await fetchPage(`${sandbox.url}/deals`, { cookie })).status).toBe(302);
  });

  it('keeps the theme per user', async () => {
    const user = sandbox.pipedrive.seed.other.admin;
    const { cookie, csrfToken } = sandbox.pipedrive.ui.signIn(user.id);
    const post = (token: string) =>
      fetch(`${sandbox.url}/sandbox/session/theme`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': token },
        body: JSON.stringify({ theme: 'dark' }),
      });
    expect((await post('wrong')).status).toBe(403);
    expect((await post(csrfToken)).status).toBe(204);
    const page = await fetchPage(`${sandbox.url}/deals`, { cookie });
    expect(page.body).toContain('<html lang="en" data-theme="dark">');
  });
});
