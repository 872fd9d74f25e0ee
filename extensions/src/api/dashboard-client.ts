import { requestJson } from './http.ts';

/** The dashboard's API: cookie session, and the CSRF token from `/api/session` on every change. */
let csrfToken: string | undefined;

export function rememberCsrf(token: string | undefined): void {
  csrfToken = token;
}

const call = <T>(method: string, path: string, body?: unknown) =>
  requestJson<T>(path, {
    method,
    credentials: 'same-origin',
    headers: method === 'GET' || csrfToken === undefined ? {} : { 'x-csrf-token': csrfToken },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

export const dashboardApi = {
  get: <T>(path: string) => call<T>('GET', path),
  post: <T>(path: string, body?: unknown) => call<T>('POST', path, body),
  patch: <T>(path: string, body: unknown) => call<T>('PATCH', path, body),
  delete: <T>(path: string) => call<T>('DELETE', path),
};

export interface SessionInfo {
  account: { id: string; email: string; name: string; hasPassword: boolean; emailVerified: boolean };
  workspace: { id: string; role: 'owner' | 'admin' | 'member'; memberId: string } | null;
  memberships: { memberId: string; role: string; workspaceId: string; workspaceName: string }[];
  csrfToken: string;
}
