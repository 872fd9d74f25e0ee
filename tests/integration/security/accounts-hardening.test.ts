import { and, eq } from 'drizzle-orm';
import { createAccountsRepository } from '../../../server/db/repositories/accounts.repository.ts';
import { members } from '../../../server/db/schema/index.ts';
import { createAccountsService } from '../../../server/services/accounts/accounts.service.ts';
import { createPasswordHasher } from '../../../server/services/accounts/password.ts';
import { createSignInLockout } from '../../../server/services/accounts/sign-in-lockout.ts';
import { type Browser } from '../../helpers/browser-session.ts';
import { latestMailTo, signUpConfirmed } from '../../helpers/mail-outbox.ts';
import { createTestApp, type TestApp } from '../../helpers/test-app.ts';
import { createCapturingLogger } from '../../helpers/test-logger.ts';

const PASSWORD = 'a long enough password';

describe('accounts under attack (issue 7: findings 4, 6, 7, 9, 11)', () => {
  let testApp: TestApp;
  let logs: ReturnType<typeof createCapturingLogger>;
  let now: number;

  beforeEach(async () => {
    logs = createCapturingLogger();
    now = Date.now();
    testApp = await createTestApp({ logger: logs.logger, clock: { now: () => new Date(now) } });
  });

  afterEach(async () => {
    await testApp.close();
  });

  /** Sign-up through the mailed link (tests/helpers/mail-outbox.ts), signed in afterwards. */
  const signUp = (email: string): Promise<Browser> => signUpConfirmed(testApp, { email, password: PASSWORD });

  const signIn = (email: string, password: string, remoteAddress: string) =>
    testApp.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password }, remoteAddress });

  it('finding 4: invitation tokens and parked-install ids never reach the logs', async () => {
    const owner = await signUp('owner@example.com');
    const invited = await owner.post('/api/team/invitations', { email: 'member@example.com', role: 'member' });
    const token = new URL(invited.json<{ link: string }>().link).pathname.split('/').at(-1) ?? '';
    expect(token.length).toBeGreaterThan(20);
    const parkedId = '0b0c8a4e-5f21-4c3e-9a57-2f0e3f6d9b11';
    const member = await signUp('member@example.com');
    await member.get(`/invite/${token}`);
    expect((await member.get(`/api/invitations/${token}`)).statusCode).toBe(200);
    await member.get(`/login?invite=${token}&resume=${parkedId}`);
    await member.get(`/oauth/resume/${parkedId}`);
    expect((await member.post(`/api/invitations/${token}/accept`)).statusCode).toBe(200);

    const text = logs.text();
    expect(text).toContain('/api/invitations/[redacted]/accept');
    expect(text).toContain('/oauth/resume/[redacted]');
    expect(text).not.toContain(token);
    expect(text).not.toContain(parkedId);
  });

  it('finding 7: a failed query logs its SQL and PostgreSQL facts, never its parameter values', async () => {
    const repository = createAccountsRepository(testApp.database.db);
    const passwordHash = await createPasswordHasher({ logN: 10 }).hash(PASSWORD);
    await repository.createAccount({ email: 'taken@example.com', name: 'First', passwordHash, emailVerified: true });
    const failure = await repository
      .createAccount({ email: 'taken@example.com', name: 'Second', passwordHash, emailVerified: true })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(Error);
    // As the error handler and any other code log errors: under `err`, or under `error`.
    logs.logger.error({ err: failure }, 'request failed');
    logs.logger.error({ error: failure }, 'request failed');

    const text = logs.text();
    expect(text).toContain('Failed query');
    expect(text).toContain('insert into \\"accounts\\"');
    expect(text).toContain('"code":"23505"');
    expect(text).toContain('accounts_email_key');
    for (const secret of [passwordHash, passwordHash.split('$').at(-1) ?? '', 'taken@example.com'])
      expect(text).not.toContain(secret);
  });

  it('finding 6: sign-up checks the email before hashing, and 200 parallel sign-ups from one address are refused at the edge without touching a normal sign-in', async () => {
    // Cheap checks first: a taken email costs no scrypt work.
    let hashes = 0;
    const real = createPasswordHasher({ logN: 10 });
    const service = createAccountsService({
      db: testApp.database.db,
      clock: { now: () => new Date() },
      hasher: { hash: async (password) => ((hashes += 1), real.hash(password)), verify: real.verify },
      mail: testApp.domain.mail,
      publicUrl: testApp.config.publicUrl,
    });
    await signUp('first@example.com');
    await service.signUp({ email: 'fresh@example.com', password: PASSWORD, name: 'F', workspaceName: 'W' });
    expect(hashes).toBe(1);
    // A taken address: no hash, the same answer, and its owner is told by mail (finding 12).
    await service.signUp({ email: 'FIRST@example.com', password: PASSWORD, name: 'F', workspaceName: 'W' });
    expect(hashes).toBe(1);
    expect((await latestMailTo(testApp, 'first@example.com')).subject).toContain('Someone tried to use your email');

    await signUp('regular@example.com');
    const flood = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        testApp.app.inject({
          method: 'POST',
          url: '/api/auth/signup',
          payload: { email: `flood${i}@example.com`, password: PASSWORD, name: 'F', workspaceName: 'W' },
          remoteAddress: '198.51.100.7',
        }),
      ),
    );
    const statuses = flood.map((response) => response.statusCode);
    expect(statuses.filter((status) => status === 202)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(190);
    const refused = flood.find((response) => response.statusCode === 429);
    expect(refused?.json()).toMatchObject({ error: { code: 'request.rate_limited' } });
    expect(Number(refused?.headers['retry-after'])).toBeGreaterThan(0);
    // The regular user, elsewhere, signs in as usual.
    expect((await signIn('regular@example.com', PASSWORD, '192.0.2.10')).statusCode).toBe(200);
  });

  it('finding 11: strangers failing against the owner’s email cannot lock the owner out', async () => {
    await signUp('owner@example.com');
    const attacker = [];
    for (let i = 0; i < 12; i += 1)
      attacker.push((await signIn('owner@example.com', `guess ${i}`, '203.0.113.66')).statusCode);
    expect(attacker.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(attacker.slice(5).every((status) => status === 429)).toBe(true);
    // More strangers, each from an address of their own.
    for (let i = 0; i < 20; i += 1) await signIn('owner@example.com', 'wrong password', `203.0.113.${100 + i}`);
    // The owner, from their own address, with the correct password: in.
    expect((await signIn('owner@example.com', PASSWORD, '192.0.2.1')).statusCode).toBe(200);
  });

  it('finding 11: failures from one address back off, doubling, and a success clears them', async () => {
    await signUp('owner@example.com');
    const from = '192.0.2.1';
    for (let i = 0; i < 5; i += 1) expect((await signIn('owner@example.com', 'typo typo', from)).statusCode).toBe(401);
    const waiting = await signIn('owner@example.com', PASSWORD, from);
    expect(waiting.statusCode).toBe(429);
    expect(Number(waiting.headers['retry-after'])).toBe(30);
    now += 31_000;
    expect((await signIn('owner@example.com', 'typo again', from)).statusCode).toBe(401);
    const longer = await signIn('owner@example.com', PASSWORD, from);
    expect(Number(longer.headers['retry-after'])).toBe(60);
    now += 61_000;
    expect((await signIn('owner@example.com', PASSWORD, from)).statusCode).toBe(200);
    // Cleared: five fresh failures are allowed again.
    for (let i = 0; i < 5; i += 1) expect((await signIn('owner@example.com', 'typo typo', from)).statusCode).toBe(401);
  });

  it('finding 11: a password reset (the mailbox proven) can clear the email’s waits from every address', async () => {
    const lockout = createSignInLockout({ limiter: testApp.domain.limiter, clock: { now: () => new Date(now) } });
    for (const address of ['192.0.2.1', '203.0.113.5'])
      for (let i = 0; i < 6; i += 1) await lockout.recordFailure('owner@example.com', address);
    await lockout.recordFailure('other%_@example.com', '192.0.2.1');
    for (let i = 0; i < 6; i += 1) await lockout.recordFailure('other%_@example.com', '192.0.2.1');
    await expect(lockout.assertMayTry('owner@example.com', '203.0.113.5')).rejects.toMatchObject({ statusCode: 429 });
    await lockout.clearEmail('owner@example.com');
    await lockout.assertMayTry('owner@example.com', '192.0.2.1');
    await lockout.assertMayTry('owner@example.com', '203.0.113.5');
    await expect(lockout.assertMayTry('other%_@example.com', '192.0.2.1')).rejects.toMatchObject({ statusCode: 429 });
  });

  it('finding 9: two owners demoting each other at the same time always leave an owner', async () => {
    const first = await signUp('first@example.com');
    const workspaceId = (await first.get('/api/session')).json<{ workspace: { id: string } }>().workspace.id;
    const invited = await first.post('/api/team/invitations', { email: 'second@example.com', role: 'owner' });
    const token = new URL(invited.json<{ link: string }>().link).pathname.split('/').at(-1) ?? '';
    const second = await signUp('second@example.com');
    expect((await second.post(`/api/invitations/${token}/accept`)).statusCode).toBe(200);
    await second.refreshCsrf();
    const memberIdOf = async (browser: Browser) =>
      (await browser.get('/api/session')).json<{ workspace: { memberId: string } }>().workspace.memberId;
    const [firstId, secondId] = [await memberIdOf(first), await memberIdOf(second)];
    const owners = async () =>
      testApp.database.db
        .select({ id: members.id })
        .from(members)
        .where(and(eq(members.workspaceId, workspaceId), eq(members.role, 'owner')));

    const refusals = new Set<number>();
    for (let trial = 0; trial < 15; trial += 1) {
      expect(await owners()).toHaveLength(2);
      const results = await Promise.all([
        first.request({ method: 'PATCH', url: `/api/team/members/${secondId}`, payload: { role: 'admin' } }),
        second.request({ method: 'PATCH', url: `/api/team/members/${firstId}`, payload: { role: 'admin' } }),
      ]);
      const remaining = await owners();
      expect(remaining).toHaveLength(1);
      for (const result of results) if (result.statusCode !== 200) refusals.add(result.statusCode);
      // The remaining owner makes the other an owner again for the next trial.
      const [survivor] = remaining;
      const restore = await (survivor?.id === firstId ? first : second).request({
        method: 'PATCH',
        url: `/api/team/members/${survivor?.id === firstId ? secondId : firstId}`,
        payload: { role: 'owner' },
      });
      expect(restore.statusCode).toBe(200);
    }
    // The loser of each race is refused (no longer an owner, or the last owner), never a 500.
    expect([...refusals].every((status) => status === 403 || status === 409)).toBe(true);
  });
});
