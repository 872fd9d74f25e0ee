import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import type { SettingsReply, SyncSettings } from '../../contracts/panel.schemas.ts';
import { DEFAULT_SYNC_SETTINGS } from '../../contracts/sync-settings-defaults.ts';
import { AppSettings } from '../../extensions/panels/app-settings/app-settings.tsx';
import { statusOf } from './helpers/chat-fixtures.ts';
import { executed } from './helpers/fake-sdk.ts';
import { fakeServer } from './helpers/fake-server.ts';

const settings: SyncSettings = { ...DEFAULT_SYNC_SETTINGS };

function openSettings() {
  const status = statusOf('connected');
  const server = fakeServer({
    'GET /api/panel/status': { body: { ...status, viewer: { ...status.viewer, isPipedriveAdmin: true } } },
    'GET /api/panel/settings': { body: { settings, canEdit: true } satisfies SettingsReply },
    'GET /api/panel/settings/options': { body: { pipelines: [], leadLabels: [], users: [] } },
    'PUT /api/panel/settings': (request) => ({ body: { settings: request.body } }),
  });
  window.history.replaceState({}, '', '/extensions/panels/app-settings/?id=settings-1&userId=1&companyId=1');
  return { server, view: render(<AppSettings />) };
}

afterEach(() => {
  jest.restoreAllMocks();
});

describe('the app-settings page inside Pipedrive', () => {
  it('asks Pipedrive for its full height, beyond the 750 px a panel may have', async () => {
    // jsdom lays nothing out: the page's content says it is 1,240 px tall.
    jest.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockReturnValue(new DOMRect(0, 0, 800, 1240));
    openSettings();
    await screen.findByRole('button', { name: 'Save settings' });
    await waitFor(() => expect(executed).toContainEqual({ command: 'resize', args: { height: 1240 } }));
  });

  it('clears "Settings saved." as soon as a setting changes again', async () => {
    openSettings();
    fireEvent.click(await screen.findByRole('button', { name: 'Save settings' }));
    expect(await screen.findByText('Settings saved.')).toBeTruthy();
    fireEvent.click(screen.getByRole('checkbox', { name: 'Skip group chats' }));
    expect(screen.queryByText('Settings saved.')).toBeNull();
  });

  it("saves how often an active chat's timeline entry is rewritten, 30 seconds until changed", async () => {
    const { server } = openSettings();
    const interval = await screen.findByRole<HTMLSelectElement>('combobox', { name: /Update an active chat/ });
    expect(interval.selectedOptions[0]?.textContent).toBe('At most every 30 seconds');
    expect([...interval.options].map((option) => option.textContent)).toEqual([
      'As messages arrive',
      'At most every 30 seconds',
      'At most every 2 minutes',
      'At most every 10 minutes',
    ]);
    fireEvent.change(interval, { target: { value: '120' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(await screen.findByText('Settings saved.')).toBeTruthy();
    expect(server.sent('PUT', '/api/panel/settings').map((request) => request.body)).toEqual([
      { ...settings, timelineUpdateIntervalSeconds: 120 },
    ]);
  });
});
