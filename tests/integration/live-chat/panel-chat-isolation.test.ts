import { UnsecuredJWT } from 'jose';
import { eq } from 'drizzle-orm';
import { messages } from '../../../server/db/schema/index.ts';
import { connectAcmeAndGlobex, seedAcmeAndGlobexChats, type SeededChats } from '../../helpers/live-chat.ts';
import { bearer, panelRequest } from '../../helpers/panel-token.ts';
import { startPipedriveSandbox, type PipedriveSandbox, type PipedriveUser } from '../../helpers/pipedrive-sandbox.ts';
import { createTestApp, type TestApp } from '../../helpers/test-app.ts';

describe('live-chat panel API: tenant isolation', () => {
  let pd: PipedriveSandbox;
  let testApp: TestApp;
  let acme: SeededChats['acme'];
  let globex: SeededChats['globex'];

  beforeAll(async () => {
    pd = await startPipedriveSandbox();
    testApp = await createTestApp({ config: pd.config() });
    await connectAcmeAndGlobex(testApp, pd, [pd.users.sam]);
    ({ acme, globex } = await seedAcmeAndGlobexChats(testApp, pd));
  });

  afterAll(async () => {
    await testApp.close();
    await pd.close();
  });

  const as = (user: PipedriveUser, method: 'GET' | 'POST', url: string, payload?: object) =>
    panelRequest(testApp, user, method, url, payload);

  /**
   * T1: a valid token for company A with company B's ids anywhere (path, query, body) never reaches
   * B's data. Generated over every live-chat panel route, with B's ids in every place they can go.
   */
  describe('tenant isolation (T1)', () => {
    const routes = (): { method: 'GET' | 'POST'; url: string; body?: object }[] => {
      const b = globex;
      const company = `companyId=${pd.users.gina.companyId}&userId=${pd.users.gina.userId}`;
      const bodyIds = { companyId: pd.users.gina.companyId, userId: pd.users.gina.userId, chatId: b.chatId };
      return [
        { method: 'GET', url: `/api/panel/context?resource=deal&id=${b.dealId}` },
        { method: 'GET', url: `/api/panel/context?resource=person&id=${b.personId}` },
        { method: 'GET', url: `/api/panel/context?resource=deal&id=${b.dealId}&${company}` },
        { method: 'GET', url: `/api/panel/chats/${b.chatId}/messages` },
        { method: 'GET', url: `/api/panel/chats/${b.chatId}/messages?${company}` },
        { method: 'GET', url: `/api/panel/chats/${acme.mariaChat}/messages?${company}` },
        { method: 'POST', url: `/api/panel/chats/${b.chatId}/read` },
        { method: 'POST', url: `/api/panel/chats/${b.chatId}/read`, body: bodyIds },
        { method: 'POST', url: `/api/panel/chats/${acme.mariaChat}/read`, body: bodyIds },
        { method: 'GET', url: `/api/panel/inbox?q=Hank` },
        { method: 'GET', url: `/api/panel/inbox?q=GLOBEX-SECRET` },
        { method: 'GET', url: `/api/panel/inbox?${company}` },
        { method: 'POST', url: `/api/panel/events-ticket`, body: bodyIds },
        { method: 'POST', url: `/api/panel/events-ticket?${company}` },
      ];
    };
    const markersOfB = () => [
      globex.chatId,
      globex.channelId,
      'Hank',
      'GLOBEX-SECRET',
      'Globex',
      'globex_secret_template',
      '+12125550199',
    ];

    it('never returns company B’s data to company A, wherever B’s ids are put', async () => {
      // Control: the markers are what B itself sees, so their absence below means something.
      const own = await as(pd.users.gina, 'GET', `/api/panel/chats/${globex.chatId}/messages`);
      expect(own.body).toContain('GLOBEX-SECRET');
      expect((await as(pd.users.gina, 'GET', '/api/panel/inbox')).body).toContain('Hank');
      for (const route of routes()) {
        const response = await as(pd.users.sam, route.method, route.url, route.body);
        expect({ route: route.url, allowed: [200, 400, 404].includes(response.statusCode) }).toEqual({
          route: route.url,
          allowed: true,
        });
        for (const marker of markersOfB())
          expect({ route: route.url, body: response.body }).not.toEqual({
            route: route.url,
            body: expect.stringContaining(marker),
          });
      }
      // B's unread message is still unread: A's read marks never reached it.
      const [hankMessage] = await testApp.database.db
        .select({ status: messages.status })
        .from(messages)
        .where(eq(messages.chatId, globex.chatId));
      expect(hankMessage?.status).toBe('received');
    });

    it('refuses every route without a valid token (missing, alg none) with 401', async () => {
      const none = new UnsecuredJWT({ companyId: pd.users.gina.companyId, userId: pd.users.gina.userId })
        .setExpirationTime('5m')
        .encode();
      for (const route of routes()) {
        for (const headers of [{}, bearer(none)]) {
          const response = await testApp.app.inject({
            method: route.method,
            url: route.url,
            headers,
            ...(route.body === undefined ? {} : { payload: route.body }),
          });
          expect({ route: route.url, status: response.statusCode }).toEqual({ route: route.url, status: 401 });
        }
      }
    });
  });
});
