import { replaceEntries } from '../persistence/collections.ts';
import type { SandboxSeed, SeededCompany } from './seed.ts';
import type { PipedriveState } from './state.ts';
import type { UiState } from './ui/ui-state.ts';

/**
 * What of the Pipedrive emulator survives a restart (sandbox/persistence/): every record, grant,
 * token and id sequence, the seed's references as ids, today's API calls (the daily budget counts
 * them), and the pages' sign-ins, themes, sharing choices and iframe instances. Apps are not kept:
 * they are registered at every start from their manifest. Knobs come from the start options.
 * Inspection logs (webhook deliveries, callback calls) start empty.
 */
const RECORD_MAPS = [
  'companies',
  'users',
  'persons',
  'organizations',
  'pipelines',
  'stages',
  'deals',
  'leads',
  'leadLabels',
  'notes',
  'activities',
  'activityTypes',
  'personFields',
  'dealFields',
  'organizationFields',
  'webhooks',
  'grants',
  'accessTokens',
  'authorizationCodes',
] as const satisfies readonly (keyof PipedriveState)[];

type RecordMaps = Pick<PipedriveState, (typeof RECORD_MAPS)[number]>;

interface SeededCompanyIds {
  companyId: number;
  adminId: number;
  userIds: number[];
  personIds: number[];
  dealIds: number[];
  leadIds: string[];
  stageIds: number[];
}

export interface PipedriveSnapshot {
  records: RecordMaps;
  sequences: Map<string, number>;
  apiCalls: PipedriveState['apiCalls'];
  seed: { demo: SeededCompanyIds; other: SeededCompanyIds };
  ui: Pick<UiState, 'sessions' | 'themes' | 'frames' | 'sharing'>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function takePipedriveSnapshot(state: PipedriveState, seed: SandboxSeed, ui: UiState): PipedriveSnapshot {
  const records = Object.fromEntries(RECORD_MAPS.map((name) => [name, state[name]])) as RecordMaps;
  const since = state.clock.now().getTime() - DAY_MS;
  return {
    records,
    sequences: state.sequences,
    apiCalls: state.apiCalls.filter((call) => call.at.getTime() >= since),
    seed: { demo: seedIds(seed.demo), other: seedIds(seed.other) },
    ui: { sessions: ui.sessions, themes: ui.themes, frames: ui.frames, sharing: ui.sharing },
  };
}

/** Puts a snapshot into a fresh state and UI state; returns the seed's records, found again by id. */
export function restorePipedriveSnapshot(state: PipedriveState, ui: UiState, snapshot: PipedriveSnapshot): SandboxSeed {
  for (const name of RECORD_MAPS)
    replaceEntries(state[name] as Map<unknown, unknown>, snapshot.records[name] as Map<unknown, unknown>);
  replaceEntries(state.sequences, snapshot.sequences);
  state.apiCalls.splice(0, state.apiCalls.length, ...snapshot.apiCalls);
  replaceEntries(ui.sessions, snapshot.ui.sessions);
  replaceEntries(ui.themes, snapshot.ui.themes);
  replaceEntries(ui.frames, snapshot.ui.frames);
  replaceEntries(ui.sharing, snapshot.ui.sharing);
  return { demo: seededCompany(state, snapshot.seed.demo), other: seededCompany(state, snapshot.seed.other) };
}

function seedIds(company: SeededCompany): SeededCompanyIds {
  return {
    companyId: company.company.id,
    adminId: company.admin.id,
    userIds: company.users.map((user) => user.id),
    personIds: company.persons.map((person) => person.id),
    dealIds: company.deals.map((deal) => deal.id),
    leadIds: company.leads.map((lead) => lead.id),
    stageIds: company.stages.map((stage) => stage.id),
  };
}

function seededCompany(state: PipedriveState, ids: SeededCompanyIds): SeededCompany {
  const found = <K, V>(map: Map<K, V>, id: K): V => {
    const record = map.get(id);
    if (record === undefined) throw new Error(`the sandbox snapshot lacks seeded record ${String(id)}`);
    return record;
  };
  // Leads are deleted for real (others only flagged), so a seeded one may be gone.
  const existing = <K, V>(map: Map<K, V>, keys: K[]): V[] =>
    keys.flatMap((id) => {
      const record = map.get(id);
      return record === undefined ? [] : [record];
    });
  return {
    company: found(state.companies, ids.companyId),
    admin: found(state.users, ids.adminId),
    users: existing(state.users, ids.userIds),
    persons: existing(state.persons, ids.personIds),
    deals: existing(state.deals, ids.dealIds),
    leads: existing(state.leads, ids.leadIds),
    stages: existing(state.stages, ids.stageIds),
  };
}
