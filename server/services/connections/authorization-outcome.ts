import type { AppError } from '../../errors.ts';
import type { TokenResponse } from '../pipedrive/oauth-client.ts';

/** What the callback should show, and whom to sign in. The route turns it into a page or redirect. */
export type AuthorizationOutcome =
  | { kind: 'installed'; accountId: string; workspaceId: string; companyId: number; createdWorkspace: boolean }
  | { kind: 'org_connected'; workspaceId: string; companyId: number }
  | {
      kind: 'personal_connected';
      companyId: number;
      popup: boolean;
      pipedriveUrl: string;
      /** Set when this consent accepted a pending invitation: the workspace's company name. */
      joinedWorkspace?: string;
      signInAccountId?: string;
    }
  | { kind: 'join_requested'; companyName: string; email: string; since: Date; popup: boolean; pipedriveUrl: string }
  | { kind: 'sign_in_required'; pendingInstallId: string; email: string; browserNonce: string }
  | { kind: 'refused'; error: AppError; popup: boolean; pipedriveUrl?: string };

/** The company's own Pipedrive (`api_domain` is its web address too), for a page's way back. */
export function pipedriveUrlOf(grant: TokenResponse): string {
  return grant.api_domain.replace(/\/+$/, '');
}
