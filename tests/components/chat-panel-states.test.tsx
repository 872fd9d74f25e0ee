import { fireEvent, screen, waitFor } from '@testing-library/preact';
import { readyContext, statusOf } from './helpers/chat-fixtures.ts';
import { connectedServer, openPanel } from './helpers/chat-panel-harness.tsx';
import { emitSdkEvent, executed, sdkSettings } from './helpers/fake-sdk.ts';
import { fakeServer } from './helpers/fake-server.ts';
import { APPROVAL_POLL_MS } from '../../extensions/src/hooks/use-panel-status.ts';

describe('chat panel states', () => {
  it('initializes the SDK at once and shows a preview outside Pipedrive', async () => {
    fakeServer({});
    openPanel('');
    expect(await screen.findByText('Parley chat panel (preview)')).toBeTruthy();
    expect(executed).toEqual([]);
  });

  it('says so in words when the SDK cannot start', async () => {
    sdkSettings.failInitialize = true;
    fakeServer({});
    openPanel();
    expect(await screen.findByText('Parley could not start inside Pipedrive')).toBeTruthy();
    expect(screen.getByText(/Pipedrive did not answer\. Reload the page\./)).toBeTruthy();
  });

  it('explains an organization that is not connected', async () => {
    fakeServer({ 'GET /api/panel/status': { body: statusOf('org_not_connected') } });
    openPanel();
    expect(await screen.findByText('Organization not connected')).toBeTruthy();
    expect(executed[0]).toMatchObject({ command: 'initialize' });
  });

  it('offers "Connect only for me", opens the OAuth popup and shows the chat once it completes', async () => {
    let connected = false;
    const server = connectedServer({
      'GET /api/panel/status': () => ({ body: statusOf(connected ? 'connected' : 'personal_not_connected') }),
      'POST /api/panel/connect-ticket': { body: { url: 'http://parley.test/oauth/install?purpose=personal&ticket=t' } },
    });
    const popup = { closed: false };
    const open = jest.spyOn(window, 'open').mockImplementation(() => popup as Window);
    openPanel();
    fireEvent.click(await screen.findByRole('button', { name: 'Connect only for me' }));
    await waitFor(() =>
      expect(open).toHaveBeenCalledWith(expect.stringContaining('ticket=t'), 'parley-connect', expect.any(String)),
    );
    connected = true;
    window.dispatchEvent(
      new MessageEvent('message', {
        origin: window.location.origin,
        data: { type: 'parley:oauth', outcome: 'connected' },
      }),
    );
    expect(await screen.findByText('Hola, ¿tienen stock?')).toBeTruthy();
    expect(server.sent('POST', '/api/panel/connect-ticket')).toHaveLength(1);
    open.mockRestore();
  });

  it('says when an admin disconnected the organization, and when, without a consent first', async () => {
    fakeServer({
      'GET /api/panel/status': {
        body: statusOf('org_not_connected', { ended: { reason: 'disconnected', at: '2026-12-30T09:15:00.000Z' } }),
      },
    });
    openPanel();
    expect(await screen.findByText('Organization disconnected')).toBeTruthy();
    const expectedMoment = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(
      new Date('2026-12-30T09:15:00.000Z'),
    );
    expect(screen.getByText(/Your organization was disconnected from Parley by an admin on/).textContent).toContain(
      expectedMoment,
    );
    expect(screen.queryByRole('button', { name: 'Connect only for me' })).toBeNull();
  });

  it('after a consent that asked to join, waits for approval and turns connected by itself', async () => {
    let approved = false;
    const since = '2026-11-30T10:00:00.000Z';
    const server = connectedServer({
      'GET /api/panel/status': () => ({
        body: approved ? statusOf('connected') : statusOf('personal_not_connected', { awaitingApprovalSince: since }),
      }),
    });
    jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'] });
    try {
      openPanel();
      expect(await screen.findByText('Waiting for an admin to approve you')).toBeTruthy();
      expect(screen.getByText(/Waiting for approval since/)).toBeTruthy();
      expect(screen.queryByRole('button', { name: 'Connect only for me' })).toBeNull();
      const asked = server.sent('GET', '/api/panel/status').length;
      approved = true;
      await jest.advanceTimersByTimeAsync(APPROVAL_POLL_MS);
      expect(server.sent('GET', '/api/panel/status').length).toBeGreaterThan(asked);
    } finally {
      jest.useRealTimers();
    }
    expect(await screen.findByText('Hola, ¿tienen stock?')).toBeTruthy();
  });

  it('asks to reconnect when Pipedrive refused the viewer’s grant', async () => {
    fakeServer({ 'GET /api/panel/status': { body: statusOf('reauth_required') } });
    openPanel();
    expect(await screen.findByText('Reconnect Parley')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Reconnect only for me' })).toBeTruthy();
  });

  it('points to the dashboard when no WhatsApp number is connected', async () => {
    connectedServer({
      'GET /api/panel/context': {
        body: {
          state: 'no_channel',
          message: 'No WhatsApp number is connected to Parley yet. Connect one in the Parley dashboard.',
          links: { install: 'i', dashboard: 'http://parley.test/integrations/pipedrive' },
        },
      },
    });
    openPanel();
    expect(await screen.findByText('No WhatsApp number connected')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Open the Parley dashboard' }).getAttribute('href')).toBe(
      'http://parley.test/integrations/pipedrive',
    );
  });

  it('says "not visible to you" for a record Pipedrive hides from the viewer', async () => {
    connectedServer({
      'GET /api/panel/context': {
        status: 404,
        body: {
          error: {
            code: 'chats.record_not_visible',
            message: 'This record is not visible to you in Pipedrive, so Parley does not show its chats.',
          },
        },
      },
    });
    openPanel();
    expect(await screen.findByText('Not visible to you')).toBeTruthy();
    expect(screen.getByText(/not visible to you in Pipedrive/)).toBeTruthy();
  });

  it('says when the person has no WhatsApp chat yet, naming the number to write to', async () => {
    connectedServer({ 'GET /api/panel/context': { body: readyContext({ chats: [] }) } });
    openPanel();
    expect(await screen.findByText('No WhatsApp chat yet')).toBeTruthy();
    expect(screen.getByText(/Maria Gomez has not written to \+15550001111 yet/)).toBeTruthy();
  });

  it('says when the deal has no contact person', async () => {
    connectedServer({ 'GET /api/panel/context': { body: readyContext({ person: null, chats: [] }) } });
    openPanel();
    expect(await screen.findByText('No contact person')).toBeTruthy();
  });

  it('asks Pipedrive for the record from the iframe URL with the signed token', async () => {
    const server = connectedServer();
    openPanel('id=panel-1&resource=person&selectedIds=10');
    await screen.findByText('Hola, ¿tienen stock?');
    const [context] = server.sent('GET', '/api/panel/context');
    expect(context?.query.get('resource')).toBe('person');
    expect(context?.query.get('id')).toBe('10');
    expect(context?.headers['authorization']).toBe('Bearer signed-panel-token');
  });

  it('follows the Pipedrive theme, dark included, and resizes to its content', async () => {
    sdkSettings.theme = 'dark';
    connectedServer();
    openPanel('id=panel-1&resource=deal&selectedIds=20&theme=dark');
    await screen.findByText('Hola, ¿tienen stock?');
    expect(document.documentElement.dataset['theme']).toBe('dark');
    emitSdkEvent('user_settings_change', { theme: 'light' });
    await waitFor(() => expect(document.documentElement.dataset['theme']).toBe('light'));
    const resizes = executed.filter((entry) => entry.command === 'resize');
    expect(resizes.length).toBeGreaterThan(0);
    for (const resize of resizes) {
      const { height } = resize.args as { height: number };
      expect(height).toBeGreaterThanOrEqual(100);
      expect(height).toBeLessThanOrEqual(750);
    }
  });
});
