import { useCallback, useEffect, useState } from 'preact/hooks';
import { dashboardApi, rememberCsrf, type SessionInfo } from '../../src/api/dashboard-client.ts';
import { ApiError } from '../../src/api/http.ts';

/** The signed-in account (or null), reloaded after sign-in, sign-out or a workspace switch. */
export function useSession() {
  const [session, setSession] = useState<SessionInfo | null | undefined>(undefined);
  const reload = useCallback(async () => {
    try {
      const info = await dashboardApi.get<SessionInfo>('/api/session');
      rememberCsrf(info.csrfToken);
      setSession(info);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        rememberCsrf(undefined);
        setSession(null);
      } else throw error;
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { session, reload };
}
