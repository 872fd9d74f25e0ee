import { connections } from '../../../server/db/schema/index.ts';
import { createBrowser, type Browser } from '../../helpers/browser-session.ts';
import { connectCompany } from '../../helpers/connected-company.ts';
import { startSandboxedTestApp, type PipedriveSandbox } from '../../helpers/pipedrive-sandbox.ts';
import type { TestApp } from '../../helpers/test-app.ts';
import type { InvitationInfo, InviteReply, SessionInfo, TeamInfo } from '../../../contracts/dashboard.schemas.ts';
import { signUpConfirmed } from '../../helpers/mail-outbox.ts';

describe('accounts, sessions and the team page', () => {
  let pd: PipedriveSandbox;
  let testApp: TestApp;

  let closeAll: () => Promise<void>;

  beforeEach(async () => {
    ({ pd, testApp, close: closeAll } = await startSandboxedTestApp());
  });

  afterEach(async () => {
    await closeAll();
  });

  const signUp = (email: string): Promise<Browser> => signUpConfirmed(testApp, { email });

  const inviteToken = async (admin: Browser, email: string, role = 'member') => {
    const response = await admin.post('/api/team/invitations', { email, role });
    expect(response.statusCode).toBe(201);
    return new URL(response.json<InviteReply>().link).pathname.split('/').at(-1) ?? '';
  };

  it('sets an HttpOnly, SameSite=Lax session cookie and signs in and out', async () => {
    const browser = await signUpConfirmed(testApp, { email: 'Owner@Example.com', workspaceName: 'Team' });
    const signin = await createBrowser(testApp.app).post('/api/auth/login', {
      email: 'owner@example.com',
      password: 'a long enough password',
    });
    const cookie = signin.cookies.find((c) => c.name === 'parley_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie?.secure).toBeFalsy();
    await browser.refreshCsrf();
    const session = (await browser.get('/api/session')).json<SessionInfo>();
    expect(session).toStrictEqual<SessionInfo>({
      account: {
        id: expect.any(String),
        email: 'owner@example.com',
        name: 'Owner',
        hasPassword: true,
        emailVerified: true,
      },
      workspace: { id: expect.any(String), role: 'owner', memberId: expect.any(String) },
      memberships: [
        {
          memberId: session.workspace?.memberId ?? '',
          role: 'owner',
          workspaceId: session.workspace?.id ?? '',
          workspaceName: 'Team',
        },
      ],
      csrfToken: expect.any(String),
    });
    expect((await browser.post('/api/auth/logout')).statusCode).toBe(200);
    expect((await browser.get('/api/session')).statusCode).toBe(401);
    const login = await createBrowser(testApp.app).post('/api/auth/login', {
      email: 'owner@example.com',
      password: 'a long enough password',
    });
    expect(login.statusCode).toBe(200);
  });

  it('finding 12: a Pipedrive-only account answers sign-in exactly as a wrong password does', async () => {
    await signUp('owner@example.com');
    const wrong = await createBrowser(testApp.app).post('/api/auth/login', {
      email: 'owner@example.com',
      password: 'not the password',
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ error: { code: 'auth.invalid_credentials' } });
    await connectCompany(testApp, pd.consent());
    const pipedriveOnly = await createBrowser(testApp.app).post('/api/auth/login', {
      email: 'ada@acme.test',
      password: 'anything at all',
    });
    const nobody = await createBrowser(testApp.app).post('/api/auth/login', {
      email: 'nobody@acme.test',
      password: 'anything at all',
    });
    for (const response of [pipedriveOnly, nobody]) {
      expect(response.statusCode).toBe(wrong.statusCode);
      expect({ ...response.json<{ error: object }>().error, requestId: undefined }).toEqual({
        ...wrong.json<{ error: object }>().error,
        requestId: undefined,
      });
    }
  });

  it('makes failed sign-ins from one address for one email wait', async () => {
    await signUp('owner@example.com');
    const attempts = [];
    for (let i = 0; i < 5; i += 1)
      attempts.push(
        (
          await createBrowser(testApp.app).post('/api/auth/login', {
            email: 'owner@example.com',
            password: `guess ${i}`,
          })
        ).statusCode,
      );
    expect(attempts.every((status) => status === 401)).toBe(true);
    const blocked = await createBrowser(testApp.app).post('/api/auth/login', {
      email: 'owner@example.com',
      password: 'a long enough password',
    });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('refuses state changes without the CSRF token or from another origin', async () => {
    const owner = await signUp('owner@example.com');
    owner.forgetCsrf();
    expect(
      (await owner.post('/api/team/invitations', { email: 'x@example.com', role: 'member' })).json(),
    ).toMatchObject({ error: { code: 'auth.csrf_invalid' } });
    await owner.refreshCsrf();
    const crossSite = await owner.request({
      method: 'POST',
      url: '/api/team/invitations',
      payload: { email: 'x@example.com', role: 'member' },
      headers: { origin: 'https://evil.example' },
    });
    expect(crossSite.statusCode).toBe(403);
  });

  it('invitations are single-use, bound to the invited email, and expire', async () => {
    const owner = await signUp('owner@example.com');
    const token = await inviteToken(owner, 'member@example.com');
    expect((await createBrowser(testApp.app).get(`/api/invitations/${token}`)).json()).toStrictEqual<InvitationInfo>({
      email: 'member@example.com',
      role: 'member',
      workspaceName: 'owner@example.com team',
      expiresAt: expect.any(String),
    });

    const stranger = await signUp('stranger@example.com');
    expect((await stranger.post(`/api/invitations/${token}/accept`)).json()).toMatchObject({
      error: { code: 'invitations.email_mismatch' },
    });
    const member = await signUp('member@example.com');
    expect((await member.post(`/api/invitations/${token}/accept`)).statusCode).toBe(200);
    expect((await member.post(`/api/invitations/${token}/accept`)).json()).toMatchObject({
      error: { code: 'invitations.invalid' },
    });

    const expired = await inviteToken(owner, 'late@example.com');
    await testApp.database.pool.query(
      "update invitations set expires_at = now() - interval '1 second' where email = 'late@example.com'",
    );
    expect((await createBrowser(testApp.app).get(`/api/invitations/${expired}`)).statusCode).toBe(410);
  });

  it('roles: members cannot manage the team; the last owner stays; removing a member ends their personal connection', async () => {
    const { admin } = await connectCompany(testApp, pd.consent([pd.users.sam]));
    const team = (await admin.get('/api/team')).json<TeamInfo>();
    const sam = team.members.find((m) => m.email === 'sam@acme.test');
    const ada = team.members.find((m) => m.email === 'ada@acme.test');
    expect(sam?.role).toBe('member');

    const samBrowser = createBrowser(testApp.app);
    await samBrowser.post('/api/auth/login', { email: 'sam@acme.test', password: 'a long enough password' });
    await samBrowser.refreshCsrf();
    expect((await samBrowser.post('/api/team/invitations', { email: 'x@acme.test', role: 'member' })).statusCode).toBe(
      403,
    );

    expect(
      (
        await admin.request({ method: 'PATCH', url: `/api/team/members/${ada?.id ?? ''}`, payload: { role: 'member' } })
      ).json(),
    ).toMatchObject({ error: { code: 'workspaces.last_owner' } });
    expect(
      (await admin.request({ method: 'PATCH', url: `/api/team/members/${sam?.id ?? ''}`, payload: { role: 'admin' } }))
        .statusCode,
    ).toBe(200);

    expect((await admin.request({ method: 'DELETE', url: `/api/team/members/${sam?.id ?? ''}` })).statusCode).toBe(200);
    const samConnection = (await testApp.database.db.select().from(connections)).find(
      (row) => row.pipedriveUserId === pd.users.sam.userId,
    );
    expect(samConnection).toMatchObject({
      state: 'revoked',
      isPersonalConnection: false,
      refreshTokenCiphertext: null,
    });
  });

  it('join requests can be declined', async () => {
    const owner = await signUp('owner@example.com');
    const workspaceId = (await owner.get('/api/session')).json<SessionInfo>().workspace?.id ?? '';
    const asker = await signUp('asker@example.com');
    expect((await asker.post(`/api/team/join/${workspaceId}`)).statusCode).toBe(200);
    const requests = (await owner.get('/api/team')).json<TeamInfo>().joinRequests;
    expect(requests.map((r) => r.email)).toEqual(['asker@example.com']);
    expect((await owner.post(`/api/team/join-requests/${requests[0]?.id ?? ''}/decline`)).statusCode).toBe(200);
    expect((await owner.get('/api/team')).json<TeamInfo>().joinRequests).toEqual([]);
  });
});
