import { useEffect, useState } from 'preact/hooks';
import { safeNext as safeNextOn } from '../../src/safe-next.ts';

/** The dashboard's few routes, by pathname; links navigate without reloading. */
export type Route =
  | {
      name:
        | 'login'
        | 'signup'
        | 'onboarding'
        | 'integrations'
        | 'whatsapp'
        | 'team'
        | 'audit'
        | 'unmatched'
        | 'home'
        | 'account'
        | 'verify_email'
        | 'forgot_password'
        | 'reset_password';
    }
  | { name: 'invite'; token: string }
  | { name: 'join'; workspaceId: string }
  | { name: 'not_found' };

export function parseRoute(pathname: string): Route {
  const simple: Record<string, Route> = {
    '/': { name: 'home' },
    '/login': { name: 'login' },
    '/signup': { name: 'signup' },
    '/onboarding': { name: 'onboarding' },
    '/integrations/pipedrive': { name: 'integrations' },
    '/whatsapp': { name: 'whatsapp' },
    '/team': { name: 'team' },
    '/audit': { name: 'audit' },
    '/account': { name: 'account' },
    '/verify-email': { name: 'verify_email' },
    '/forgot-password': { name: 'forgot_password' },
    '/reset-password': { name: 'reset_password' },
    '/unmatched': { name: 'unmatched' },
  };
  const known = simple[pathname];
  if (known !== undefined) return known;
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
