import { useCallback, useEffect, useState } from 'preact/hooks';
import { messageOf } from '../api/http.ts';
import type { PanelApi, PanelStatus } from '../api/panel-client.ts';

/** How often a panel waiting for a join request's approval asks again (the approval happens elsewhere). */
export const APPROVAL_POLL_MS = 5000;

export const PANEL_STATUS_PATH = '/api/panel/status';

/**
 * The viewer's connection state, reloaded on demand, whenever the tab comes back into view, and
 * every few seconds while the viewer waits for an admin to approve them, so the panel turns into
 * the connected state by itself.
 */
export function usePanelStatus(api: PanelApi | undefined) {
  const [status, setStatus] = useState<PanelStatus | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);

  const reload = useCallback(async () => {
    if (api === undefined) return;
    try {
      setStatus(await api.get<PanelStatus>(PANEL_STATUS_PATH));
      setError(undefined);
    } catch (failure) {
      setError(messageOf(failure));
    }
  }, [api]);

  useEffect(() => {
    void reload();
    const onVisible = () => {
      if (document.visibilityState === 'visible') void reload();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [reload]);

  const awaiting = status?.personal.awaitingApprovalSince != null;
  useEffect(() => {
    if (!awaiting) return undefined;
    const timer = setInterval(() => void reload(), APPROVAL_POLL_MS);
    return () => clearInterval(timer);
  }, [awaiting, reload]);

  return { status, error, reload };
}
