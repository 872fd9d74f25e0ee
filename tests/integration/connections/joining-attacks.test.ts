import { eq } from 'drizzle-orm';
import type { TeamInfo } from '../../../contracts/dashboard.schemas.ts';
import { invitations, members } from '../../../server/db/schema/index.ts';
import { legacyUnverifiedAccount } from '../../helpers/accounts.ts';
import { createBrowser } from '../../helpers/browser-session.ts';
import { useJoiningWorld } from '../../helpers/joining.ts';
import { signUpConfirmed } from '../../helpers/mail-outbox.ts';
import type { PipedriveSandbox } from '../../helpers/pipedrive-sandbox.ts';
import type { TestApp } from '../../helpers/test-app.ts';

/** Issue 11 with issue 7's invariants: only the invited, verified email joins; links are kept encrypted. */
describe('joining from Pipedrive: attackers and invitation links', () => {
  const joining = useJoiningWorld();
  const { db, installAsAda, invite, panelStatus, consentFromPanel, connectionOf, accountOf } = joining;
  let pd: PipedriveSandbox;
  let testApp: TestApp;
  beforeEach(() => {
    ({ pd, testApp } = joining.world);
  });

  it('attacker: a Pipedrive user with another email cannot use an invitation meant for someone else', async () => {
    const admin = await installAsAda();
    await invite(admin, pd.users.sam.email);
    // Rita consents in her own panel; so does she in Sam's (the ticket names Sam: refused).
    expect((await consentFromPanel(pd.users.sam, pd.users.rita)).callback.statusCode).toBe(403);
    const ritas = await consentFromPanel(pd.users.rita);
    expect(ritas.callback.body).toContain('Waiting for an admin to approve you');

    const [invitation] = await db().select().from(invitations).where(eq(invitations.email, pd.users.sam.email));
    expect(invitation?.status).toBe('pending');
    expect(await accountOf(pd.users.rita.email)).toBeUndefined();
    expect((await connectionOf(pd.users.rita))?.memberId).toBeNull();
    expect((await ritas.popup.get('/api/session')).statusCode).toBe(401);
  });

  it('attacker: an unverified account pre-made with the invited email is taken over, its maker loses every way in', async () => {
    const admin = await installAsAda();
    const premade = await legacyUnverifiedAccount(testApp, pd.users.sam.email);
    await invite(admin, pd.users.sam.email);

    expect((await consentFromPanel(pd.users.sam)).callback.body).toContain('You joined and are connected');
    expect(await accountOf(pd.users.sam.email)).toMatchObject({
      id: premade.account.id,
      emailVerified: true,
      passwordHash: null,
    });
    expect((await premade.sessionOf()).statusCode).toBe(401);
    const makersMemberships = await db().select().from(members).where(eq(members.workspaceId, premade.workspace.id));
    expect(makersMemberships).toEqual([]);
    const maker = createBrowser(testApp.app);
    expect(
      (await maker.post('/api/auth/login', { email: pd.users.sam.email, password: 'the makers password' })).statusCode,
    ).toBe(401);
  });

  it('attacker: a verified account with the invited email is joined and connected, but the popup is not signed in to it', async () => {
    const admin = await installAsAda();
    await signUpConfirmed(testApp, { email: pd.users.sam.email, workspaceName: 'Sam’s' });
    await invite(admin, pd.users.sam.email);
    const { popup, callback } = await consentFromPanel(pd.users.sam);
    expect(callback.body).toContain('You joined and are connected');
    // An email match proves nothing about who holds the account's password: no session from it.
    expect((await popup.get('/api/session')).statusCode).toBe(401);
    expect(await panelStatus(pd.users.sam)).toMatchObject({ state: 'connected' });
  });

  it("attacker: another company's user with the invited email joins nothing", async () => {
    const admin = await installAsAda();
    await invite(admin, pd.users.gina.email);
    const { callback } = await consentFromPanel(pd.users.gina);
    expect(callback.statusCode).toBe(409);
    const [invitation] = await db().select().from(invitations).where(eq(invitations.email, pd.users.gina.email));
    expect(invitation?.status).toBe('pending');
  });

  it('invitation links can be copied again by admins until used or revoked; the token is stored encrypted', async () => {
    const admin = await installAsAda();
    const samsLink = await invite(admin, pd.users.sam.email);
    const ritasLink = await invite(admin, pd.users.rita.email);
    const listed = (await admin.get('/api/team')).json<TeamInfo>().invitations;
    expect(Object.fromEntries(listed.map((invitation) => [invitation.email, invitation.link]))).toEqual({
      [pd.users.sam.email]: samsLink,
      [pd.users.rita.email]: ritasLink,
    });
    const tokens = [samsLink, ritasLink].map((link) => new URL(link).pathname.split('/').at(-1) ?? '');
    for (const row of await db().select().from(invitations)) {
      expect(row.tokenCiphertext).toMatch(/^v1\./);
      for (const token of tokens) expect(row.tokenCiphertext).not.toContain(token);
    }

    // A ciphertext moved to another invitation's row does not decrypt there (bound to its row):
    // that invitation has no link to copy, and the page still loads.
    await testApp.database.pool.query(
      'update invitations set token_ciphertext = (select token_ciphertext from invitations where email = $1) where email = $2',
      [pd.users.sam.email, pd.users.rita.email],
    );
    const moved = (await admin.get('/api/team')).json<TeamInfo>().invitations;
    expect(moved.find((invitation) => invitation.email === pd.users.rita.email)?.link).toBeNull();

    // Used: Sam accepts from his panel. Revoked: Rita's. Neither is listed any more.
    await consentFromPanel(pd.users.sam);
    const ritas = (await admin.get('/api/team')).json<TeamInfo>().invitations;
    expect(ritas.map((invitation) => [invitation.email, invitation.link])).toEqual([[pd.users.rita.email, null]]);
    const revoked = await admin.request({ method: 'DELETE', url: `/api/team/invitations/${ritas[0]?.id ?? ''}` });
    expect(revoked.statusCode).toBe(200);
    expect((await admin.get('/api/team')).json<TeamInfo>().invitations).toEqual([]);
  });

  it('a regular member sees pending invitations without their links', async () => {
    const admin = await installAsAda();
    await invite(admin, pd.users.rita.email);
    await invite(admin, pd.users.sam.email);
    const { popup } = await consentFromPanel(pd.users.sam);
    await popup.refreshCsrf();
    const seen = (await popup.get('/api/team')).json<TeamInfo>();
    expect(seen.invitations.map((invitation) => [invitation.email, invitation.link])).toEqual([
      [pd.users.rita.email, null],
    ]);
  });
});
