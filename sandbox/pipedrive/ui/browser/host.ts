/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { runCommand, type CommandDeps } from './host-commands.ts';
import { createDock } from './host-floating.ts';
import { createFrameRegistry, type HostConfig } from './host-frames.ts';
import { createModals } from './host-modals.ts';

/**
 * The host side of the app-extensions SDK (pipedrive-platform.md §3.8), loaded by every signed-in
 * sandbox page. The SDK posts `{id, payload}` to `window.parent` with a MessagePort; commands get
 * exactly one reply on that port (`{data}` or `{error}`), listeners keep their port for events,
 * and `track` messages need no answer.
 */

interface SdkMessage {
  id: string;
  payload:
    | { type: 'command'; command: string; args?: unknown }
    | { type: 'listener'; event: string }
    | { type: 'track'; event: string };
}

function isSdkMessage(value: unknown): value is SdkMessage {
  if (typeof value !== 'object' || value === null) return false;
  const { id, payload } = value as { id?: unknown; payload?: unknown };
  return typeof id === 'string' && typeof payload === 'object' && payload !== null && 'type' in payload;
}

const config = JSON.parse(document.getElementById('pd-host-config')?.textContent ?? '{}') as HostConfig;
const registry = createFrameRegistry(config);

async function postJson(path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': config.csrfToken },
    body: JSON.stringify(body),
  });
  const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) throw new Error(typeof json['error'] === 'string' ? json['error'] : `HTTP ${response.status}`);
  return json;
}

const dock = createDock(registry);
const deps: CommandDeps = { postJson, dock, modals: createModals(registry, postJson) };

window.addEventListener('message', (event: MessageEvent) => {
  if (!isSdkMessage(event.data)) return;
  const frame = registry.find(event.data.id, event.source);
  if (frame === undefined) return;
  const { payload } = event.data;
  const port = event.ports[0];
  if (payload.type === 'track' || port === undefined) return;
  if (payload.type === 'listener') {
    registry.listen(frame, payload.event, port);
    return;
  }
  runCommand(deps, frame, payload.command, payload.args).then(
    (data) => port.postMessage(data === undefined ? {} : { data }),
    (error: unknown) => port.postMessage({ error: error instanceof Error ? error.message : String(error) }),
  );
});

// Registering starts loading the iframes: only now that the listener above is in place.
for (const iframe of document.querySelectorAll<HTMLIFrameElement>('iframe[data-instance-id]'))
  registry.register(iframe);

// Collapsing or expanding a sidebar panel. The SDK README says panels get no `context`.
for (const toggle of document.querySelectorAll<HTMLButtonElement>('[data-panel-toggle]')) {
  toggle.addEventListener('click', () => {
    const visible = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(visible));
    const body = toggle.closest('.pd-panel')?.querySelector<HTMLElement>('.pd-panel-body');
    if (body) body.hidden = !visible;
    const frame = registry.byId(toggle.dataset['panelToggle'] ?? '');
    if (frame !== undefined) registry.emit(frame, 'visibility', { is_visible: visible });
  });
}

// The theme is a user setting: saved, applied to the page, and sent to every extension.
for (const toggle of document.querySelectorAll<HTMLButtonElement>('[data-theme-toggle]')) {
  toggle.addEventListener('click', () => {
    const theme = document.documentElement.dataset['theme'] === 'dark' ? 'light' : 'dark';
    void fetch('/sandbox/session/theme', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': config.csrfToken },
      body: JSON.stringify({ theme }),
    }).then((response) => {
      if (!response.ok) return;
      document.documentElement.dataset['theme'] = theme;
      toggle.textContent = theme === 'dark' ? 'Light theme' : 'Dark theme';
      registry.broadcast('user_settings_change', { theme });
    });
  });
}
