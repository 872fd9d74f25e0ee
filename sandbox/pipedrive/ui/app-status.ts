import type { Grant, RegisteredApp, User } from '../records.ts';
import type { PipedriveState } from '../state.ts';
import { sharingKey, type UiState } from './ui-state.ts';

/**
 * An app as one user sees it in "Tools and apps → Marketplace apps": Pipedrive authorizes per
 * user, so an admin sharing the app only makes it show up as "Authorize" for the others.
 */
export type AppStatus = 'authorized' | 'reauthorize' | 'authorize' | 'not_installed';

export const STATUS_LABELS: Record<AppStatus, string> = {
  authorized: 'Authorized',
  reauthorize: 'Re-authorize',
  authorize: 'Authorize',
  not_installed: 'Not installed',
};

export function activeGrant(state: PipedriveState, clientId: string, user: User): Grant | undefined {
  let found: Grant | undefined;
  for (const grant of state.grants.values()) {
    if (
      grant.clientId === clientId &&
      grant.userId === user.id &&
      grant.companyId === user.companyId &&
      grant.revokedAt === null &&
      (found === undefined || grant.createdAt >= found.createdAt)
    )
      found = grant;
  }
  return found;
}

export function isSharedWith(ui: UiState, clientId: string, user: User): boolean {
  return ui.sharing.get(sharingKey(clientId, user.companyId))?.isShared === true;
}

export function appStatus(state: PipedriveState, ui: UiState, app: RegisteredApp, user: User): AppStatus {
  const grant = activeGrant(state, app.clientId, user);
  // Changing a live app's scopes puts its users into "Re-authorize" (pipedrive-platform.md §1.4).
  if (grant !== undefined)
    return app.scopes.every((scope) => grant.scopes.includes(scope)) ? 'authorized' : 'reauthorize';
  return isSharedWith(ui, app.clientId, user) ? 'authorize' : 'not_installed';
}

/** Where Install / Authorize leads: the app's Installation URL, else Pipedrive's consent page with no state. */
export function installUrl(app: RegisteredApp): string {
  if (app.installationUrl !== null) return app.installationUrl;
  const query = new URLSearchParams({ client_id: app.clientId, redirect_uri: app.callbackUrl });
  return `/oauth/authorize?${query.toString()}`;
}

/** Human words for the consent page (pipedrive-platform.md §1.4). */
const SCOPE_TEXT: Record<string, string> = {
  base: 'See your name, email, company and settings',
  'deals:read': 'Read deals, notes, files, filters, pipelines and stages',
  'deals:full': 'Create, read, update and delete deals, notes, files, pipelines and stages',
  'contacts:read': 'Read persons, organizations and their fields',
  'contacts:full': 'Create, read, update and delete persons, organizations and notes',
  'leads:read': 'Read leads and lead labels',
  'leads:full': 'Create, read, update and delete leads and lead labels',
  'activities:read': 'Read activities and activity types',
  'activities:full': 'Create, read, update and delete activities',
  'users:read': 'Read the users of your company and their permissions',
  'search:read': 'Search persons, organizations, deals and leads',
  'webhooks:read': 'See the app’s webhooks',
  'webhooks:full': 'Create and delete the app’s webhooks',
  admin: 'Administer your company account (pipelines, fields, roles)',
};

export function describeScope(scope: string): string {
  return SCOPE_TEXT[scope] ?? scope;
}
