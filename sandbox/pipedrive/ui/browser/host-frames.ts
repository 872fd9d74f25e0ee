/// <reference lib="dom" />
/// <reference lib="dom.iterable" />

/**
 * The extension iframes on a page, as the SDK's host sees them (pipedrive-platform.md §3.8): each
 * has the `id` from its URL, may register listener ports, and must initialize in time.
 */
export type Kind = 'custom_panel' | 'custom_modal' | 'custom_floating_window' | 'custom_ui_settings';

export interface HostConfig {
  csrfToken: string;
  theme: 'light' | 'dark';
  initTimeoutMs: number;
}

export interface HostFrame {
  id: string;
  kind: Kind;
  clientId: string;
  appName: string;
  iframe: HTMLIFrameElement;
  initialized: boolean;
  /** Ports the SDK handed over with `listen(event)`, by event name. */
  listeners: Map<string, MessagePort[]>;
}

export interface FrameRegistry {
  register(iframe: HTMLIFrameElement): HostFrame;
  /** The frame that sent a message: its `id` and its window must both match. */
  find(id: unknown, source: MessageEventSource | null): HostFrame | undefined;
  byId(id: string): HostFrame | undefined;
  listen(frame: HostFrame, event: string, port: MessagePort): void;
  emit(frame: HostFrame, event: string, data: unknown): void;
  broadcast(event: string, data: unknown): void;
  remove(frame: HostFrame): void;
}

export function createFrameRegistry(config: HostConfig): FrameRegistry {
  const frames = new Map<string, HostFrame>();
  const registry: FrameRegistry = {
    register(iframe) {
      const frame: HostFrame = {
        id: iframe.dataset['instanceId'] ?? '',
        kind: (iframe.dataset['kind'] ?? 'custom_panel') as Kind,
        clientId: iframe.dataset['clientId'] ?? '',
        appName: iframe.dataset['appName'] ?? 'The app',
        iframe,
        initialized: false,
        listeners: new Map(),
      };
      frames.set(frame.id, frame);
      // Pages render `data-src`; loading starts only now that the host listens for the SDK.
      const src = iframe.dataset['src'];
      if (src !== undefined && iframe.getAttribute('src') === null) iframe.src = src;
      // Pipedrive replaces an extension that has not initialized the SDK within 10 s.
      window.setTimeout(() => {
        if (!frame.initialized && frames.get(frame.id) === frame) showErrorBox(registry, frame);
      }, config.initTimeoutMs);
      return frame;
    },
    find(id, source) {
      const frame = typeof id === 'string' ? frames.get(id) : undefined;
      return frame !== undefined && source !== null && frame.iframe.contentWindow === source ? frame : undefined;
    },
    byId: (id) => frames.get(id),
    listen(frame, event, port) {
      frame.listeners.set(event, [...(frame.listeners.get(event) ?? []), port]);
    },
    emit(frame, event, data) {
      for (const port of frame.listeners.get(event) ?? []) port.postMessage({ data });
    },
    broadcast(event, data) {
      for (const frame of frames.values()) registry.emit(frame, event, data);
    },
    remove(frame) {
      frames.delete(frame.id);
      for (const ports of frame.listeners.values()) for (const port of ports) port.close();
      frame.listeners.clear();
    },
  };
  return registry;
}

/** Pipedrive's error box in place of an extension that failed to load. */
export function showErrorBox(registry: FrameRegistry, frame: HostFrame): void {
  registry.remove(frame);
  const box = document.createElement('div');
  box.className = 'pd-ext-error';
  box.setAttribute('role', 'alert');
  box.dataset['extensionError'] = frame.id;
  const title = document.createElement('strong');
  title.textContent = 'Something went wrong';
  const detail = document.createElement('p');
  detail.textContent = `${frame.appName} could not be loaded. Try reloading the page.`;
  box.append(title, detail);
  frame.iframe.replaceWith(box);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function toNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * RESIZE (and initialize's `size`), within each type's limits (SDK README): panels change height
 * only, 100–750 px; floating windows 200–800 × 70–700 px; modals at least 320 × 120 px and at most
 * the browser window.
 */
export function applySize(frame: HostFrame, size: unknown): void {
  if (typeof size !== 'object' || size === null) return;
  const height = toNumber((size as { height?: unknown }).height);
  const width = toNumber((size as { width?: unknown }).width);
  const style = frame.iframe.style;
  switch (frame.kind) {
    case 'custom_panel':
      if (height !== undefined) style.height = `${clamp(height, 100, 750)}px`;
      return;
    case 'custom_floating_window':
      if (height !== undefined) style.height = `${clamp(height, 70, 700)}px`;
      if (width !== undefined) style.width = `${clamp(width, 200, 800)}px`;
      return;
    case 'custom_modal':
      if (height !== undefined) style.height = `${clamp(height, 120, Math.max(120, window.innerHeight - 80))}px`;
      if (width !== undefined) style.width = `${clamp(width, 320, Math.max(320, window.innerWidth - 40))}px`;
      return;
    case 'custom_ui_settings':
      if (height !== undefined) style.height = `${Math.max(100, height)}px`;
      return;
  }
}
