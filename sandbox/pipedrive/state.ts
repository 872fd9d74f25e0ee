import type { SandboxClock } from '../clock.ts';
import { defaultPipedriveKnobs, type PipedriveKnobs } from './knobs.ts';
import type {
  VisibleTo,
  Company,
  User,
  Person,
  Organization,
  Pipeline,
  Stage,
  Deal,
  Lead,
  LeadLabel,
  Note,
  Activity,
  ActivityType,
  PersonField,
  Webhook,
  WebhookDelivery,
  RegisteredApp,
  Grant,
  AccessToken,
  AuthorizationCode,
  ApiCall,
} from './records.ts';

export type * from './records.ts';

/** The Pipedrive emulator's data, in memory (see records.ts for the shapes). */

export interface PipedriveState {
  clock: SandboxClock;
  companies: Map<number, Company>;
  users: Map<number, User>;
  persons: Map<number, Person>;
  organizations: Map<number, Organization>;
  pipelines: Map<number, Pipeline>;
  stages: Map<number, Stage>;
  deals: Map<number, Deal>;
  leads: Map<string, Lead>;
  leadLabels: Map<string, LeadLabel>;
  notes: Map<number, Note>;
  activities: Map<number, Activity>;
  activityTypes: Map<number, ActivityType>;
  personFields: Map<number, PersonField>;
  dealFields: Map<number, PersonField>;
  organizationFields: Map<number, PersonField>;
  webhooks: Map<number, Webhook>;
  webhookDeliveries: WebhookDelivery[];
  apps: Map<string, RegisteredApp>;
  grants: Map<number, Grant>;
  accessTokens: Map<string, AccessToken>;
  authorizationCodes: Map<string, AuthorizationCode>;
  apiCalls: ApiCall[];
  /** Behaviours Pipedrive does not document, chosen per sandbox (knobs.ts); read per request. */
  knobs: PipedriveKnobs;
  /** Last id handed out per kind (nextId's memory; the snapshot keeps it). */
  sequences: Map<string, number>;
  /** Next id per kind, so ids stay unique across companies like Pipedrive's. */
  nextId(kind: string): number;
}

/**
 * First id of each kind. Distinct ranges make a person id used as a deal id a 404 in tests
 * instead of a silent match (real Pipedrive ids of different kinds also rarely coincide).
 */
const ID_BASES: Record<string, number> = {
  company: 13_000,
  user: 910_000,
  person: 1_000,
  organization: 500,
  pipeline: 0,
  stage: 0,
  deal: 3_000,
  note: 70_000,
  activity: 40_000,
  activityType: 0,
  personField: 9_000,
  webhook: 800,
  grant: 0,
};

export function createPipedriveState(
  clock: SandboxClock,
  knobs: PipedriveKnobs = defaultPipedriveKnobs(),
): PipedriveState {
  const sequences = new Map<string, number>();
  return {
    clock,
    companies: new Map(),
    users: new Map(),
    persons: new Map(),
    organizations: new Map(),
    pipelines: new Map(),
    stages: new Map(),
    deals: new Map(),
    leads: new Map(),
    leadLabels: new Map(),
    notes: new Map(),
    activities: new Map(),
    activityTypes: new Map(),
    personFields: new Map(),
    dealFields: new Map(),
    organizationFields: new Map(),
    webhooks: new Map(),
    webhookDeliveries: [],
    apps: new Map(),
    grants: new Map(),
    accessTokens: new Map(),
    authorizationCodes: new Map(),
    apiCalls: [],
    knobs,
    sequences,
    nextId(kind) {
      const next = (sequences.get(kind) ?? ID_BASES[kind] ?? 0) + 1;
      sequences.set(kind, next);
      return next;
    },
  };
}

/** Whether `viewer` may see a record owned by `ownerId` with `visibleTo` (admins see everything). */
export function canSee(viewer: User, record: { companyId: number; ownerId: number; visibleTo: VisibleTo }): boolean {
  if (record.companyId !== viewer.companyId) return false;
  if (viewer.isAdmin || record.ownerId === viewer.id) return true;
  // The sandbox has one visibility group per company, so only "owner only" hides records.
  return record.visibleTo !== 1;
}
