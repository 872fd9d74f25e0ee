import type { TokenResponse } from 'pipedrive/v2';
import type { SandboxClock } from '../../clock.ts';
import { createAuthorizationCode, exchangeAuthorizationCode, revokeGrant } from '../oauth/grants.ts';
import { mergePipedriveKnobs, type PipedriveKnobs } from '../knobs.ts';
import { recordExternalUsage, summarizeUsage, type CompanyUsage } from '../rate-limit.ts';
import type { AuthorizationCode, Plan, PipedriveState } from '../state.ts';
import type { WebhookDispatcher } from '../webhooks/dispatcher.ts';
import type { RecordEntity, RecordKinds } from '../webhooks/entity-events.ts';
import { simulateChange, type SimulatedChange } from '../webhooks/simulate-change.ts';

/** The Pipedrive emulator's in-process API for tests (part of `PipedriveEmulator`). */
export interface PipedriveTestApi {
  /** An authorization code as the consent page's "Allow" creates it (5-minute expiry, single use). */
  createAuthorizationCode(input: { clientId: string; userId: number; redirectUri?: string }): AuthorizationCode;
  /** Consent plus code exchange in one step: the token response an app would get. */
  authorizeApp(input: { clientId: string; userId: number }): TokenResponse;
  /** Expires matching access tokens now (refresh tokens keep working); returns how many. */
  expireAccessTokens(filter?: { clientId?: string; companyId?: number; userId?: number }): number;
  /** Ends a user's grant as an uninstall does (tokens dead, the app's webhooks for the user gone); no callback is sent. */
  revokeGrant(input: { clientId: string; userId: number }): boolean;
  /** Today's API calls and tokens of a company. */
  usage(companyId: number): CompanyUsage;
  /** Changes a company's plan (burst limit and daily budget) and optionally its seats. */
  setPlan(companyId: number, plan: Plan, seats?: number): void;
  /** Spends daily budget as another integration of the company would. */
  recordExternalUsage(companyId: number, tokens: number): void;
  /** A change made in Pipedrive's web app: state changes, webhooks fire with `change_source: "app"`. */
  simulateChange(change: SimulatedChange): RecordKinds[RecordEntity];
  /** Resolves when no webhook delivery attempt is in flight (scheduled retries are not awaited). */
  settleWebhooks(): Promise<void>;
  /** The current knobs (undocumented behaviours, knobs.ts). */
  knobs(): PipedriveKnobs;
  /** Changes knobs from now on (unknown keys or values throw); returns the knobs in force. */
  setKnobs(input: Partial<PipedriveKnobs>): PipedriveKnobs;
}

export function createPipedriveTestApi(deps: {
  state: PipedriveState;
  clock: SandboxClock;
  webhooks: WebhookDispatcher;
  /** The sandbox's origin (each company's api_domain is derived from it). */
  baseUrl: () => string;
}): PipedriveTestApi {
  const { state, clock, webhooks } = deps;
  const requireCompany = (companyId: number) => {
    const company = state.companies.get(companyId);
    if (!company) throw new Error(`unknown company ${companyId}`);
    return company;
  };
  return {
    createAuthorizationCode: (input) => createAuthorizationCode(state, input),
    authorizeApp(input) {
      const app = state.apps.get(input.clientId);
      if (!app) throw new Error(`unknown app ${input.clientId}`);
      const code = createAuthorizationCode(state, input);
      return exchangeAuthorizationCode(state, app, {
        code: code.code,
        redirectUri: app.callbackUrl,
        baseUrl: deps.baseUrl(),
      });
    },
    expireAccessTokens(filter = {}) {
      let expired = 0;
      const now = clock.now();
      for (const accessToken of state.accessTokens.values()) {
        const grant = state.grants.get(accessToken.grantId);
        if (!grant || accessToken.expiresAt.getTime() <= now.getTime()) continue;
        if (filter.clientId !== undefined && grant.clientId !== filter.clientId) continue;
        if (filter.companyId !== undefined && grant.companyId !== filter.companyId) continue;
        if (filter.userId !== undefined && grant.userId !== filter.userId) continue;
        accessToken.expiresAt = now;
        expired += 1;
      }
      return expired;
    },
    revokeGrant(input) {
      const grant = [...state.grants.values()].find(
        (candidate) =>
          candidate.clientId === input.clientId && candidate.userId === input.userId && !candidate.revokedAt,
      );
      if (!grant) return false;
      revokeGrant(state, grant);
      return true;
    },
    usage: (companyId) => summarizeUsage(state, companyId),
    setPlan(companyId, plan, seats) {
      const company = requireCompany(companyId);
      company.plan = plan;
      if (seats !== undefined) company.seats = seats;
    },
    recordExternalUsage(companyId, tokens) {
      requireCompany(companyId);
      recordExternalUsage(state, clock, companyId, tokens);
    },
    simulateChange: (change) => simulateChange(state, clock, webhooks, change),
    settleWebhooks: () => webhooks.settle(),
    knobs: () => ({ ...state.knobs }),
    setKnobs(input) {
      state.knobs = mergePipedriveKnobs(state.knobs, input);
      return { ...state.knobs };
    },
  };
}
