import { useEffect, useState } from 'preact/hooks';
import { DASHBOARD_PAGES } from '../../../contracts/dashboard-pages.ts';
import { safeNext as safeNextOn } from '../../src/safe-next.ts';

/** The dashboard's few routes, by pathname; links navigate without reloading. */
export type Route =
  | { name: keyof typeof DASHBOARD_PAGES }
  | { name: 'invite'; token: string }
  | { name: 'join'; workspaceId: string }
  | { name: 'not_found' };

export function parseRoute(pathname: string): Route {
  const known = Object.entries(DASHBOARD_PAGES).find(([, path]) => path === pathname)?.[0];
  if (known !== undefined) return { name: known as keyof typeof DASHBOARD_PAGES };
  const invite = /^\/invite\/([A-Za-z0-9_-]+)$/.exec(pathname);
  if (invite?.[1] !== undefined) return { name: 'invite', token: invite[1] };
  const join = /^\/join\/([0-9a-f-]{36})$/.exec(pathname);
  if (join?.[1] !== undefined) return { name: 'join', workspaceId: join[1] };
  return { name: 'not_found' };
}

export function navigate(to: string): void {
  window.history.pushState(null, '', to);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.pathname));
    window.addEventListener('popstate', update);
    return () => window.removeEventListener('popstate', update);
  }, []);
  return route;
}

/** Only paths on Parley's own origin may be "next" targets (no open redirects through the login page). */
export function safeNext(value: string | null, fallback: string): string {
  return safeNextOn(value, fallback, window.location.origin);
}
