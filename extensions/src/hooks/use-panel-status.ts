import { useCallback, useEffect, useState } from 'preact/hooks';
import { messageOf } from '../api/http.ts';
import type { PanelApi, PanelStatus } from '../api/panel-client.ts';

/** The viewer's connection state, reloaded on demand and whenever the tab comes back into view. */
export function usePanelStatus(api: PanelApi | undefined) {
  const [status, setStatus] = useState<PanelStatus | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);

  const reload = useCallback(async () => {
    if (api === undefined) return;
    try {
      setStatus(await api.get<PanelStatus>('/api/panel/status'));
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

  return { status, error, reload };
}
