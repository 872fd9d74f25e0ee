import type { LightMyRequestResponse } from 'fastify';
import type { Browser } from './browser-session.ts';

/**
 * Submits the parked-install confirmation form as a browser does: a same-origin urlencoded POST
 * with the CSRF token from the page (the session's), and the decision button pressed.
 */
export async function confirmPendingInstall(
  browser: Browser,
  pendingInstallId: string,
  options: { decision?: 'confirm' | 'cancel'; csrf?: string } = {},
): Promise<LightMyRequestResponse> {
  const page = await browser.get(`/oauth/resume/${pendingInstallId}`);
  const csrf = options.csrf ?? /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  return browser.request({
    method: 'POST',
    url: `/oauth/resume/${pendingInstallId}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ csrf, decision: options.decision ?? 'confirm' }).toString(),
  });
}
