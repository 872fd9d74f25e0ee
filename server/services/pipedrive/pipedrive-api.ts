import type { GetCurrentUserResponse, GetLeadLabelsResponse, GetUserResponse, GetUsersResponse } from 'pipedrive/v1';
import type { GetPipelinesResponse, GetStagesResponse, UpsertDealResponse, UpsertPersonResponse } from 'pipedrive/v2';
import type { Db } from '../../db/client.ts';
import { createConnectionsRepository } from '../../db/repositories/connections.repository.ts';
import { createOrgNotConnectedError, createPersonalNotConnectedError } from '../connections/connections.errors.ts';
import type { CallMeta, DetachedToken, PipedriveHttp, RequestArgs } from './pipedrive-http.ts';
import { localhostAwareFetch } from './localhost-fetch.ts';
import { loadPipedriveSdk } from './pipedrive-sdk.ts';
import { isPipedriveId } from './pipedrive-ids.ts';
import {
  createPipedriveIdentityInvalidError,
  createPipedriveUnavailableError,
  createReauthRequiredError,
} from './pipedrive.errors.ts';

export type CurrentUser = NonNullable<GetCurrentUserResponse['data']>;

/**
 * Pipedrive, as seen through one connection. Requests are built by the official `pipedrive`
 * package (its request builders and models, `loadPipedriveSdk`) and sent by Parley's HTTP layer.
 */
export function createConnectionApi(
  http: PipedriveHttp,
  connection: { id: string; companyId: number },
  feature: string,
  detached?: DetachedToken,
) {
  const call = <T>(args: RequestArgs, meta: Omit<CallMeta, 'feature'>) =>
    http<T>(connection.id, connection.companyId, args, { ...meta, feature }, detached);
  return {
    connectionId: connection.id,
    /** Any endpoint: pass a builder from the official package and its response model. */
    call,
    async getCurrentUser(): Promise<CurrentUser> {
      const { v1, v1Config } = await loadPipedriveSdk();
      const response = await call<GetCurrentUserResponse>(
        await v1.UsersApiAxiosParamCreator(v1Config).getCurrentUser(),
        { version: 'v1', kind: 'get' },
      );
      if (response.body.data === undefined)
        throw createReauthRequiredError({ message: 'Pipedrive returned no user for this connection.' });
      return response.body.data;
    },
    /** Pipelines with their stages (up to 500 of each: more than any company has). */
    async listPipelinesWithStages() {
      const { v2, v2Config } = await loadPipedriveSdk();
      const pipelines = await call<GetPipelinesResponse>(
        await v2.PipelinesApiAxiosParamCreator(v2Config).getPipelines(undefined, undefined, 500),
        { version: 'v2', kind: 'list' },
      );
      const stages = await call<GetStagesResponse>(
        await v2.StagesApiAxiosParamCreator(v2Config).getStages(undefined, 'order_nr', 'asc', 500),
        { version: 'v2', kind: 'list' },
      );
      return (pipelines.body.data ?? [])
        .filter((pipeline) => pipeline.is_deleted !== true)
        .map((pipeline) => ({
          id: Number(pipeline.id),
          name: pipeline.name ?? '',
          stages: (stages.body.data ?? [])
            .filter((stage) => stage.pipeline_id === pipeline.id && stage.is_deleted !== true)
            .map((stage) => ({ id: Number(stage.id), name: stage.name ?? '' })),
        }));
    },
    async listLeadLabels() {
      const { v1, v1Config } = await loadPipedriveSdk();
      const response = await call<GetLeadLabelsResponse>(
        await v1.LeadLabelsApiAxiosParamCreator(v1Config).getLeadLabels(),
        { version: 'v1', kind: 'list' },
      );
      return (response.body.data ?? []).map((label) => ({ id: String(label.id), name: label.name ?? '' }));
    },
    /** A deal as this connection's user may see it (404 → `pipedrive.not_found` when they may not). */
    async getDeal(id: number) {
      const { v2, v2Config } = await loadPipedriveSdk();
      const response = await call<UpsertDealResponse>(await v2.DealsApiAxiosParamCreator(v2Config).getDeal(id), {
        version: 'v2',
        kind: 'get',
      });
      return response.body.data;
    },
    async getPerson(id: number) {
      const { v2, v2Config } = await loadPipedriveSdk();
      const response = await call<UpsertPersonResponse>(await v2.PersonsApiAxiosParamCreator(v2Config).getPerson(id), {
        version: 'v2',
        kind: 'get',
      });
      return response.body.data;
    },
    async getUser(id: number) {
      const { v1, v1Config } = await loadPipedriveSdk();
      const response = await call<GetUserResponse>(await v1.UsersApiAxiosParamCreator(v1Config).getUser(id), {
        version: 'v1',
        kind: 'get',
      });
      return response.body.data;
    },
    async listActiveUsers() {
      const { v1, v1Config } = await loadPipedriveSdk();
      const response = await call<GetUsersResponse>(await v1.UsersApiAxiosParamCreator(v1Config).getUsers(), {
        version: 'v1',
        kind: 'list',
      });
      return (response.body.data ?? [])
        .filter((user) => user.active_flag !== false)
        .map((user) => ({ id: Number(user.id), name: user.name ?? '' }));
    },
  };
}

export type ConnectionApi = ReturnType<typeof createConnectionApi>;

/**
 * "Per-user tokens layered on the org token": user actions run with the viewer's personal
 * connection (so Pipedrive's visibility and authorship hold); background work runs with the org
 * connection.
 */
export function createPipedriveApi(deps: { db: Db; http: PipedriveHttp }) {
  const connections = createConnectionsRepository(deps.db);
  return {
    forConnection(connection: { id: string; companyId: number }, feature: string): ConnectionApi {
      return createConnectionApi(deps.http, connection, feature);
    },
    /** The last calls of an ended grant, with a token refreshed for them (see `DetachedToken`). */
    forEndedGrant(connection: { id: string; companyId: number }, token: DetachedToken, feature: string): ConnectionApi {
      return createConnectionApi(deps.http, connection, feature, token);
    },
    async forCompany(companyId: number, feature: string): Promise<ConnectionApi> {
      const org = await connections.findOrgConnection(companyId);
      if (org === undefined || org.state === 'revoked') throw createOrgNotConnectedError();
      if (org.state === 'reauth_required') throw createReauthRequiredError();
      return createConnectionApi(deps.http, org, feature);
    },
    async forViewer(viewer: { companyId: number; userId: number }, feature: string): Promise<ConnectionApi> {
      // Both read at once; the org's refusal still comes first.
      const [org, mine] = await Promise.all([
        connections.findOrgConnection(viewer.companyId),
        connections.findByCompanyUser(viewer.companyId, viewer.userId),
      ]);
      if (org === undefined || org.state === 'revoked') throw createOrgNotConnectedError();
      if (mine === undefined || mine.state === 'revoked' || !mine.isPersonalConnection)
        throw createPersonalNotConnectedError();
      if (mine.state === 'reauth_required') throw createReauthRequiredError();
      return createConnectionApi(deps.http, mine, feature);
    },
  };
}

export type PipedriveApi = ReturnType<typeof createPipedriveApi>;

/** The user, company and admin status behind a fresh grant (`GET /v1/users/me`, pipedrive-platform.md §1.5). */
export interface PipedriveIdentity {
  companyId: number;
  userId: number;
  name: string;
  email: string;
  companyName: string;
  /** `acme` of acme.pipedrive.com. */
  companyDomain: string;
  isAdmin: boolean;
}

/**
 * Reads `/users/me` with a token that belongs to no connection yet (right after the code exchange).
 * Admin status comes from `access` (the sales app's admin flag), falling back to the deprecated `is_admin`.
 */
export async function fetchIdentity(apiDomain: string, accessToken: string): Promise<PipedriveIdentity> {
  const { v1, v1Config } = await loadPipedriveSdk();
  const args = await v1.UsersApiAxiosParamCreator(v1Config).getCurrentUser();
  let response: Response;
  try {
    response = await localhostAwareFetch(`${apiDomain}/api/v1${args.url}`, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw createPipedriveUnavailableError({
      message: 'Pipedrive did not answer while Parley read your user. Try again.',
      cause: error,
    });
  }
  const body = (await response.json().catch(() => ({}))) as GetCurrentUserResponse;
  const user = body.data;
  if (!response.ok || user?.id === undefined || user.company_id === undefined) {
    throw createPipedriveUnavailableError({
      message: `Pipedrive did not return your user (HTTP ${response.status}). Try again.`,
    });
  }
  // `is_admin` is deprecated and missing from the official model, but still sent by Pipedrive.
  const isAdmin =
    (user.access ?? []).some((entry) => String(entry.app) === 'sales' && entry.admin === true) ||
    Number((user as { is_admin?: unknown }).is_admin) === 1;
  const companyId = Number(user.company_id);
  const userId = Number(user.id);
  const email = (user.email ?? '').toLowerCase();
  // Ids must fit their columns; an email with a NUL would be a different email once stripped, so
  // it is refused. Display names lose their NULs (PostgreSQL text cannot hold U+0000).
  if (!isPipedriveId(companyId) || !isPipedriveId(userId) || email.includes('\u0000'))
    throw createPipedriveIdentityInvalidError();
  return {
    companyId,
    userId,
    name: stripNul(user.name ?? ''),
    email,
    companyName: stripNul(user.company_name ?? `Company ${user.company_id}`),
    companyDomain: stripNul(user.company_domain ?? ''),
    isAdmin,
  };
}

const stripNul = (text: string) => text.replaceAll('\u0000', '');
