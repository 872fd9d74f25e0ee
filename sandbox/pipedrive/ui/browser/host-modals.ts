/// <reference lib="dom" />
import { createModalDialog } from './host-dialogs.ts';
import type { FrameRegistry, HostFrame } from './host-frames.ts';

export type PostJson = (path: string, body: unknown) => Promise<Record<string, unknown>>;

interface OpenModal {
  frame: HostFrame;
  opener: HostFrame;
  dialog: HTMLDialogElement;
  resolve: (result: { status: 'closed' }) => void;
}

function sizeOf(value: unknown): { width?: number; height?: number } | null {
  if (typeof value !== 'object' || value === null) return null;
  const { width, height } = value as { width?: unknown; height?: unknown };
  return {
    ...(typeof width === 'number' ? { width } : {}),
    ...(typeof height === 'number' ? { height } : {}),
  };
}

/**
 * Custom modals (OPEN_MODAL with `custom_modal`): one at a time, opened by an extension of the same
 * app, with `data` as JSON in the modal's URL. OPEN_MODAL resolves when the modal closes, by the
 * user or by CLOSE_MODAL, and the opener's CLOSE_CUSTOM_MODAL listeners hear about it (SDK README).
 */
export function createModals(registry: FrameRegistry, postJson: PostJson) {
  let open: OpenModal | null = null;

  function close(): void {
    if (open === null) return;
    const { frame, opener, dialog, resolve } = open;
    open = null;
    registry.remove(frame);
    dialog.close();
    dialog.remove();
    registry.emit(opener, 'close_custom_modal', undefined);
    // Pipedrive does not document when a custom modal counts as "submitted"; closing is "closed".
    resolve({ status: 'closed' });
  }

  async function openCustomModal(opener: HostFrame, args: Record<string, unknown>): Promise<{ status: 'closed' }> {
    if (open !== null) throw new Error('A modal is already open');
    const actionId = args['action_id'];
    if (typeof actionId !== 'string' || actionId === '') throw new Error('action_id is required');
    const created = await postJson(`/sandbox/frames/${encodeURIComponent(opener.id)}/modal`, {
      action_id: actionId,
      data: args['data'],
    });
    return new Promise((resolve) => {
      const { dialog, iframe } = createModalDialog({
        title: String(created['title']),
        url: String(created['url']),
        id: String(created['id']),
        clientId: opener.clientId,
        appName: opener.appName,
        size: sizeOf(created['size']),
        onUserClose: close,
      });
      open = { frame: registry.register(iframe), opener, dialog, resolve };
    });
  }

  /** CLOSE_MODAL, from the modal itself or from the extension that opened it. */
  function closeFrom(frame: HostFrame): void {
    if (open === null || (open.frame !== frame && open.opener !== frame)) throw new Error('No custom modal is open');
    close();
  }

  return { openCustomModal, closeFrom };
}
