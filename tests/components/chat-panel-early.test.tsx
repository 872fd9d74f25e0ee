import { render, screen, waitFor } from '@testing-library/preact';
import { ChatPanel } from '../../extensions/panels/chat-panel/chat-panel.tsx';
import { startChatRequests } from '../../extensions/panels/chat-panel/chat-requests.ts';
import { message, page, readyContext, statusOf } from './helpers/chat-fixtures.ts';
import { connectedServer, MESSAGES } from './helpers/chat-panel-harness.tsx';
import { executed } from './helpers/fake-sdk.ts';
import type { RecordedRequest } from './helpers/fake-server.ts';

const URL_TOKEN = 'url-panel-token';
const SEARCH = `id=panel-1&token=${URL_TOKEN}&resource=deal&selectedIds=20&theme=light`;

/** Opens the panel as main.tsx does: the early requests first, then the first render. */
function openPanelAsMainDoes(beforeRender: () => void = () => undefined) {
  window.history.replaceState({}, '', `/extensions/panels/chat-panel/?${SEARCH}`);
  const early = startChatRequests(window.location.search);
  beforeRender();
  return render(<ChatPanel early={early} />);
}

const bearer = (request: RecordedRequest) => request.headers['authorization'];

describe('chat panel requests sent before the first render', () => {
  it('reads status and the context with its first chat at once, with the URL token, before the SDK hands out one', async () => {
    const firstPage = page([message({ body: 'Hola, early' })]);
    const server = connectedServer({
      'GET /api/panel/context': (request) => ({
        body: { ...readyContext(), ...(request.query.get('firstMessages') === '30' ? { firstPage } : {}) },
      }),
    });
    openPanelAsMainDoes(() => {
      // Sent at once, before the panel renders and the SDK shakes hands.
      expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
        'GET /api/panel/status',
        'GET /api/panel/context',
      ]);
      expect(executed).toEqual([]);
    });

    expect(await screen.findByText('Hola, early')).toBeTruthy();
    for (const path of ['/api/panel/status', '/api/panel/context']) {
      const sent = server.sent('GET', path);
      expect(sent).toHaveLength(1);
      expect(bearer(sent[0] as RecordedRequest)).toBe(`Bearer ${URL_TOKEN}`);
    }
    // The first chat's page came inside the context.
    expect(server.sent('GET', MESSAGES)).toHaveLength(0);
    // What the panel sends itself still carries the SDK's signed token.
    await waitFor(() => expect(server.sent('POST', '/api/panel/events-ticket')).toHaveLength(1));
    expect(bearer(server.sent('POST', '/api/panel/events-ticket')[0] as RecordedRequest)).toBe(
      'Bearer signed-panel-token',
    );
  });

  it('asks again with the SDK token when an early request fails (an expired URL token)', async () => {
    const rejectUrlToken =
      (body: unknown) =>
      (request: RecordedRequest): { status?: number; body: unknown } =>
        bearer(request) === `Bearer ${URL_TOKEN}`
          ? { status: 401, body: { error: { code: 'extensions.token_invalid', message: 'expired' } } }
          : { body };
    const server = connectedServer({ 'GET /api/panel/status': rejectUrlToken(statusOf('connected')) });
    openPanelAsMainDoes();
    expect(await screen.findByText('Hola, ¿tienen stock?')).toBeTruthy();
    expect(server.sent('GET', '/api/panel/status').map(bearer)).toEqual([
      `Bearer ${URL_TOKEN}`,
      'Bearer signed-panel-token',
    ]);
    expect(screen.queryByText('expired')).toBeNull();
  });

  it('does not keep a context that is not ready: the panel asks for it again once the viewer can chat', async () => {
    let connected = false;
    const server = connectedServer({
      'GET /api/panel/status': () => ({ body: statusOf(connected ? 'connected' : 'personal_not_connected') }),
      'GET /api/panel/context': () => ({
        body: connected
          ? readyContext()
          : {
              state: 'personal_not_connected',
              message: 'Connect your own Pipedrive user.',
              links: { install: 'http://parley.test/oauth/install', dashboard: 'http://parley.test/integrations' },
            },
      }),
    });
    openPanelAsMainDoes();
    expect(await screen.findByRole('button', { name: 'Connect only for me' })).toBeTruthy();
    await waitFor(() => expect(server.sent('GET', '/api/panel/context')).toHaveLength(1));
    connected = true;
    document.dispatchEvent(new Event('visibilitychange'));
    expect(await screen.findByText('Hola, ¿tienen stock?')).toBeTruthy();
    expect(server.sent('GET', '/api/panel/context')).toHaveLength(2);
    expect(server.sent('GET', MESSAGES)).toHaveLength(1);
  });
});
