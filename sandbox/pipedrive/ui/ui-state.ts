import type { ExtensionType } from '../records.ts';

export type Theme = 'light' | 'dark';

/** A browser signed in to the sandbox as one user (the `pd_sandbox_session` cookie). */
export interface Session {
  id: string;
  userId: number;
  /** Sent back with every form and host request, so other sites cannot act for the user. */
  csrfToken: string;
  createdAt: Date;
}

/** Record context an iframe was opened in (panels and the modals they open). */
export interface FrameContext {
  resource: 'deal' | 'person' | 'organization';
  selectedIds: string;
}

/** One embedded extension iframe: Pipedrive gives every instance its own `id`. */
export interface FrameInstance {
  id: string;
  clientId: string;
  extensionId: string;
  type: ExtensionType;
  userId: number;
  companyId: number;
  context: FrameContext | null;
  /** The frame that opened this one (custom modals). */
  openerId: string | null;
  /** GET_SIGNED_TOKEN returns the same token until it expires (SDK README). */
  token: { value: string; expiresAt: Date } | null;
  createdAt: Date;
}

/** A request Pipedrive made to an app's callback URL (uninstall DELETE, sharing POST). */
export interface CallbackCall {
  method: 'DELETE' | 'POST';
  url: string;
  clientId: string;
  body: Record<string, unknown>;
  /** HTTP status of the app's answer; null when the request failed. */
  status: number | null;
  error: string | null;
  at: Date;
}

/** An admin's "add app to account" choice for the company (pipedrive-platform.md §1.6). */
export interface Sharing {
  clientId: string;
  companyId: number;
  sharedBy: number;
  isShared: boolean;
}

export interface UiState {
  sessions: Map<string, Session>;
  /** Pipedrive keeps the theme per user. */
  themes: Map<number, Theme>;
  frames: Map<string, FrameInstance>;
  /** Keyed `${clientId}:${companyId}`. */
  sharing: Map<string, Sharing>;
  callbackCalls: CallbackCall[];
  /** Pipedrive replaces an extension that has not initialized within 10 s; tests shorten it. */
  extensionInitTimeoutMs: number;
}

/** Frames kept for token and modal requests; older ones belong to pages long closed. */
const MAX_FRAMES = 5_000;

export function createUiState(): UiState {
  return {
    sessions: new Map(),
    themes: new Map(),
    frames: new Map(),
    sharing: new Map(),
    callbackCalls: [],
    extensionInitTimeoutMs: 10_000,
  };
}

export function rememberFrame(ui: UiState, frame: FrameInstance): void {
  ui.frames.set(frame.id, frame);
  if (ui.frames.size > MAX_FRAMES) {
    const oldest = ui.frames.keys().next();
    if (oldest.done !== true) ui.frames.delete(oldest.value);
  }
}

export function sharingKey(clientId: string, companyId: number): string {
  return `${clientId}:${companyId}`;
}
