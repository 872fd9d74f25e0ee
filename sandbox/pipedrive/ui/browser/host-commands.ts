/// <reference lib="dom" />
import { showConfirmation, showSnackbar } from './host-dialogs.ts';
import type { createDock } from './host-floating.ts';
import { applySize, type HostFrame } from './host-frames.ts';
import type { createModals, PostJson } from './host-modals.ts';

export interface CommandDeps {
  postJson: PostJson;
  dock: ReturnType<typeof createDock>;
  modals: ReturnType<typeof createModals>;
}

function argsObject(args: unknown): Record<string, unknown> {
  return typeof args === 'object' && args !== null ? (args as Record<string, unknown>) : {};
}

/** REDIRECT_TO targets: the sandbox's pages for Pipedrive's views (SDK README). */
function redirectTarget(frame: HostFrame, args: Record<string, unknown>): string {
  const id = args['id'];
  const hasId = (typeof id === 'string' && id !== '') || typeof id === 'number';
  const encodedId = hasId ? encodeURIComponent(String(id)) : '';
  switch (args['view']) {
    case 'deals':
      return hasId ? `/deal/${encodedId}` : '/deals';
    case 'contacts':
      return hasId ? `/person/${encodedId}` : '/persons';
    case 'leads':
      return hasId ? `/leads/inbox/${encodedId}` : '/leads/inbox';
    case 'settings': {
      // "context" travels as query parameters of the settings page (SDK README; encoding unconfirmed).
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(argsObject(args['context']))) query.set(key, String(value));
      const search = query.toString();
      return `/settings/marketplace/app/${encodeURIComponent(frame.clientId)}/app-settings${search ? `?${search}` : ''}`;
    }
    case 'organizations':
    case 'campaigns':
    case 'projects':
      throw new Error(`The sandbox has no ${String(args['view'])} view`);
    default:
      throw new Error('Invalid view');
  }
}

/**
 * One SDK command from an initialized frame (pipedrive-platform.md §3.7). The resolved value is
 * the reply's `data`; a thrown error becomes the reply's `error`.
 */
export async function runCommand(
  deps: CommandDeps,
  frame: HostFrame,
  command: string,
  args: unknown,
): Promise<unknown> {
  if (command === 'initialize') {
    frame.initialized = true;
    applySize(frame, argsObject(args)['size']);
    return undefined;
  }
  if (!frame.initialized) throw new Error('SDK is not initialized');
  const options = argsObject(args);
  switch (command) {
    case 'show_snackbar':
      return showSnackbar(args);
    case 'show_confirmation':
      return showConfirmation(args);
    case 'resize':
      return applySize(frame, args);
    case 'get_signed_token': {
      const { token } = await deps.postJson(`/sandbox/frames/${encodeURIComponent(frame.id)}/token`, {});
      return { token };
    }
    case 'open_modal':
      if (options['type'] !== 'custom_modal')
        throw new Error(`The sandbox does not emulate Pipedrive's "${String(options['type'])}" modal`);
      return deps.modals.openCustomModal(frame, options);
    case 'close_modal':
      return deps.modals.closeFrom(frame);
    case 'redirect_to': {
      const target = redirectTarget(frame, options);
      // Answer first, then leave the page (the iframe goes with it).
      window.setTimeout(() => window.location.assign(target), 0);
      return undefined;
    }
    case 'show_floating_window':
      return deps.dock.setVisible(frame.clientId, true, 'command', options['context']);
    case 'hide_floating_window':
      return deps.dock.setVisible(frame.clientId, false, 'command', options['context']);
    case 'set_notification':
      return deps.dock.setBadge(frame.clientId, options['number']);
    case 'set_focus_mode':
      return deps.dock.setFocusMode(frame.clientId, args);
    case 'get_metadata':
      return { windowHeight: window.innerHeight, windowWidth: window.innerWidth };
    default:
      throw new Error('Invalid command');
  }
}
