import type { PanelApi } from '../api/panel-client.ts';
import type { ConnectTicketReply } from '../../../contracts/panel.schemas.ts';

/**
 * "Connect only for me" from inside Pipedrive: the OAuth consent runs in a popup (a top-level
 * window, where Pipedrive's consent page may be shown). Resolves when the popup reports back or
 * is closed; rejects when the browser blocked it.
 */
export async function connectInPopup(api: PanelApi): Promise<string> {
  const { url } = await api.post<ConnectTicketReply>('/api/panel/connect-ticket');
  const popup = window.open(url, 'parley-connect', 'popup,width=560,height=760');
  if (popup === null)
    throw new Error('Your browser blocked the connection window. Allow pop-ups for Pipedrive and try again.');
  return new Promise((resolve) => {
    const finish = (outcome: string) => {
      window.removeEventListener('message', onMessage);
      clearInterval(closedCheck);
      resolve(outcome);
    };
    // The popup's last page is Parley's own (same origin as this panel); nothing else may report.
    const onMessage = (event: MessageEvent<unknown>) => {
      const data = event.data as { type?: string; outcome?: string } | null;
      if (event.origin === window.location.origin && data?.type === 'parley:oauth') finish(data.outcome ?? 'unknown');
    };
    window.addEventListener('message', onMessage);
    const closedCheck = setInterval(() => {
      if (popup.closed) finish('closed');
    }, 500);
  });
}
