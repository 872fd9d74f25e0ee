/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import type { FrameRegistry, HostFrame } from './host-frames.ts';

type Invoker = 'user' | 'command';

/**
 * The apps dock: one button per app with a floating window, a notification badge on it, and the
 * window itself (loaded hidden in the background). Showing or hiding it sends VISIBILITY with
 * `context.invoker` and any context the command passed (SDK README).
 */
export function createDock(registry: FrameRegistry) {
  const containerOf = (clientId: string) =>
    document.querySelector<HTMLElement>(`.pd-floating[data-floating-for="${CSS.escape(clientId)}"]`);
  const buttonOf = (clientId: string) =>
    document.querySelector<HTMLButtonElement>(`[data-dock-for="${CSS.escape(clientId)}"]`);
  const frameOf = (clientId: string): HostFrame | undefined => {
    const id = containerOf(clientId)?.querySelector<HTMLIFrameElement>('iframe')?.dataset['instanceId'];
    return id === undefined ? undefined : registry.byId(id);
  };

  function setVisible(clientId: string, visible: boolean, invoker: Invoker, context?: unknown): void {
    const container = containerOf(clientId);
    if (container === null) throw new Error('This app has no floating window');
    container.hidden = !visible;
    buttonOf(clientId)?.setAttribute('aria-pressed', String(visible));
    const frame = frameOf(clientId);
    const extra = typeof context === 'object' && context !== null ? context : {};
    if (frame !== undefined)
      registry.emit(frame, 'visibility', { is_visible: visible, context: { ...extra, invoker } });
  }

  function isVisible(clientId: string): boolean {
    return containerOf(clientId)?.hidden === false;
  }

  /** SET_NOTIFICATION: no number or 0 removes the badge. */
  function setBadge(clientId: string, count: unknown): void {
    const badge = buttonOf(clientId)?.querySelector<HTMLElement>('.pd-badge');
    if (badge === null || badge === undefined) throw new Error('This app has no floating window');
    const value = typeof count === 'number' && count > 0 ? Math.floor(count) : 0;
    badge.hidden = value === 0;
    badge.textContent = value === 0 ? '' : String(value);
  }

  /** SET_FOCUS_MODE: hides the close button while on; the window must be visible. */
  function setFocusMode(clientId: string, on: unknown): void {
    if (typeof on !== 'boolean') throw new Error('Focus mode takes a boolean');
    if (!isVisible(clientId)) throw new Error('The floating window is not visible');
    const close = containerOf(clientId)?.querySelector<HTMLElement>('[data-floating-close]');
    if (close) close.hidden = on;
  }

  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-dock-for]')) {
    const clientId = button.dataset['dockFor'] ?? '';
    button.addEventListener('click', () => setVisible(clientId, !isVisible(clientId), 'user'));
  }
  for (const close of document.querySelectorAll<HTMLElement>('[data-floating-close]')) {
    const clientId = close.closest<HTMLElement>('.pd-floating')?.dataset['floatingFor'] ?? '';
    close.addEventListener('click', () => setVisible(clientId, false, 'user'));
  }

  return { setVisible, setBadge, setFocusMode };
}
