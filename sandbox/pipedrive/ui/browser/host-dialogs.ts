/// <reference lib="dom" />

/** Pipedrive's own UI that extensions can ask for: snackbars and confirmation dialogs. */

const SNACKBAR_MS = 6_000;

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string) {
  const node = document.createElement(tag);
  if (className !== undefined) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function stringArg(args: unknown, key: string): string | undefined {
  const value = typeof args === 'object' && args !== null ? (args as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** SHOW_SNACKBAR `{message, link?: {url, label}}`. */
export function showSnackbar(args: unknown): void {
  const message = stringArg(args, 'message');
  if (message === undefined || message === '') throw new Error('message is required');
  let stack = document.querySelector<HTMLElement>('.pd-snackbars');
  if (stack === null) {
    stack = element('div', 'pd-snackbars');
    stack.setAttribute('aria-live', 'polite');
    document.body.append(stack);
  }
  const snackbar = element('div', 'pd-snackbar');
  snackbar.setAttribute('role', 'status');
  snackbar.append(element('span', undefined, message));
  const link = typeof args === 'object' && args !== null ? (args as { link?: unknown }).link : undefined;
  const url = stringArg(link, 'url');
  const label = stringArg(link, 'label');
  if (url !== undefined && label !== undefined && /^https?:\/\//.test(url)) {
    const anchor = element('a', undefined, label);
    anchor.href = url;
    anchor.target = '_blank';
    anchor.rel = 'noopener';
    snackbar.append(anchor);
  }
  stack.append(snackbar);
  window.setTimeout(() => snackbar.remove(), SNACKBAR_MS);
}

const OK_CLASSES: Record<string, string> = { primary: 'primary', secondary: '', negative: 'negative' };

/** SHOW_CONFIRMATION: a modal dialog; resolves `{confirmed}` when the user answers. */
export function showConfirmation(args: unknown): Promise<{ confirmed: boolean }> {
  const title = stringArg(args, 'title');
  if (title === undefined || title === '') throw new Error('title is required');
  const description = stringArg(args, 'description');
  const dialog = element('dialog', 'pd-confirm');
  dialog.dataset['confirmation'] = '';
  const content = element('div');
  content.append(element('h2', undefined, title));
  if (description !== undefined) content.append(element('p', undefined, description));
  const cancel = element('button', undefined, stringArg(args, 'cancelText') ?? 'Cancel');
  // okColor defaults to negative (SDK README).
  const ok = element('button', OK_CLASSES[stringArg(args, 'okColor') ?? 'negative'] ?? 'negative');
  ok.textContent = stringArg(args, 'okText') ?? 'OK';
  cancel.type = 'button';
  ok.type = 'button';
  const footer = element('footer');
  footer.append(cancel, ok);
  dialog.append(content, footer);
  document.body.append(dialog);
  return new Promise((resolve) => {
    let answered = false;
    const answer = (confirmed: boolean) => {
      if (answered) return;
      answered = true;
      dialog.close();
      dialog.remove();
      resolve({ confirmed });
    };
    ok.addEventListener('click', () => answer(true));
    cancel.addEventListener('click', () => answer(false));
    dialog.addEventListener('cancel', () => answer(false));
    dialog.showModal();
  });
}

/** The frame of a custom modal: Pipedrive's header with a close button, and the app's iframe. */
export function createModalDialog(options: {
  title: string;
  url: string;
  id: string;
  clientId: string;
  appName: string;
  size: { width?: number; height?: number } | null;
  onUserClose: () => void;
}): { dialog: HTMLDialogElement; iframe: HTMLIFrameElement } {
  const dialog = element('dialog', 'pd-modal');
  dialog.dataset['customModal'] = options.id;
  const header = element('header');
  const close = element('button', 'link', '×');
  close.type = 'button';
  close.setAttribute('aria-label', 'Close');
  header.append(element('strong', undefined, options.title), close);
  const iframe = element('iframe');
  iframe.src = options.url;
  iframe.title = options.title;
  iframe.dataset['instanceId'] = options.id;
  iframe.dataset['kind'] = 'custom_modal';
  iframe.dataset['clientId'] = options.clientId;
  iframe.dataset['appName'] = options.appName;
  const width = Math.max(320, Math.min(options.size?.width ?? 560, window.innerWidth - 40));
  const height = Math.max(120, Math.min(options.size?.height ?? 400, window.innerHeight - 80));
  iframe.style.width = `${width}px`;
  iframe.style.height = `${height}px`;
  dialog.append(header, iframe);
  close.addEventListener('click', options.onUserClose);
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    options.onUserClose();
  });
  document.body.append(dialog);
  dialog.showModal();
  return { dialog, iframe };
}
