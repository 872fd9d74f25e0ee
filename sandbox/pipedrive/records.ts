import type { ExtensionType, PanelLocation } from '../../manifest/manifest.ts';

/**
 * Record types of the Pipedrive emulator. One internal shape per kind (close to API v2); route
 * modules render them as v1 or v2 responses. Every record carries its `companyId`: the company is
 * always taken from the caller's token, never from the request.
 */

export type Plan = 'lite' | 'growth' | 'premium' | 'ultimate';
/** Pipedrive's visibility: 1 owner (and admins), 3 owner's visibility group, 5 group and sub-groups, 7 entire company. */
export type VisibleTo = 1 | 3 | 5 | 7;

export interface Company {
  id: number;
  name: string;
  /** `acme` for acme.pipedrive.com. */
  domain: string;
  plan: Plan;
  seats: number;
  country: string;
  currency: string;
}

export interface User {
  id: number;
  companyId: number;
  name: string;
  email: string;
  isAdmin: boolean;
  active: boolean;
  locale: string;
  timezoneName: string;
  timezoneOffset: string;
  defaultCurrency: string;
  roleId: number;
  createdAt: Date;
}

export interface Phone {
  value: string;
  label: string;
  primary: boolean;
}

export interface Person {
  id: number;
  companyId: number;
  name: string;
  firstName: string | null;
  lastName: string | null;
  ownerId: number;
  orgId: number | null;
  phones: Phone[];
  emails: Phone[];
  visibleTo: VisibleTo;
  labelIds: number[];
  customFields: Record<string, unknown>;
  addTime: Date;
  updateTime: Date;
  isDeleted: boolean;
}

export interface Organization {
  id: number;
  companyId: number;
  name: string;
  ownerId: number;
  address: string | null;
  visibleTo: VisibleTo;
  labelIds: number[];
  customFields: Record<string, unknown>;
  addTime: Date;
  updateTime: Date;
  isDeleted: boolean;
}

export interface Pipeline {
  id: number;
  companyId: number;
  name: string;
  orderNr: number;
  isDealProbabilityEnabled: boolean;
  addTime: Date;
  updateTime: Date;
  isDeleted: boolean;
}

export interface Stage {
  id: number;
  companyId: number;
  pipelineId: number;
  name: string;
  orderNr: number;
  dealProbability: number;
  addTime: Date;
  updateTime: Date;
  isDeleted: boolean;
}

export interface Deal {
  id: number;
  companyId: number;
  title: string;
  ownerId: number;
  creatorUserId: number;
  personId: number | null;
  orgId: number | null;
  pipelineId: number;
  stageId: number;
  value: number;
  currency: string;
  status: 'open' | 'won' | 'lost';
  visibleTo: VisibleTo;
  /** YYYY-MM-DD; absent = null. */
  expectedCloseDate?: string | null;
  /** Set when the status turns won / lost (close_time either way), cleared when it reopens; absent = null. */
  wonTime?: Date | null;
  lostTime?: Date | null;
  closeTime?: Date | null;
  lostReason?: string | null;
  /** When the deal last moved to another stage (null for a deal never moved). */
  stageChangeTime?: Date | null;
  labelIds?: number[];
  customFields: Record<string, unknown>;
  addTime: Date;
  updateTime: Date;
  isDeleted: boolean;
}

export interface Lead {
  /** Lead ids are UUID strings. */
  id: string;
  companyId: number;
  title: string;
  ownerId: number;
  creatorId: number;
  personId: number | null;
  organizationId: number | null;
  labelIds: string[];
  value: { amount: number; currency: string } | null;
  expectedCloseDate: string | null;
  isArchived: boolean;
  wasSeen: boolean;
  visibleTo: VisibleTo;
  /** "API" for leads created through the API, as in Pipedrive. */
  sourceName: string;
  channel: number | null;
  addTime: Date;
  updateTime: Date;
}

export interface LeadLabel {
  id: string;
  companyId: number;
  name: string;
  color: 'green' | 'blue' | 'red' | 'yellow' | 'purple' | 'gray';
  addTime: Date;
  updateTime: Date;
}

export interface Note {
  id: number;
  companyId: number;
  userId: number;
  content: string;
  dealId: number | null;
  personId: number | null;
  orgId: number | null;
  leadId: string | null;
  pinnedToDeal: boolean;
  pinnedToPerson: boolean;
  pinnedToOrganization: boolean;
  pinnedToLead: boolean;
  addTime: Date;
  updateTime: Date;
  activeFlag: boolean;
}

export interface Activity {
  id: number;
  companyId: number;
  subject: string;
  /** The activity type's key (`call`, `whatsapp_chat`…). */
  type: string;
  ownerId: number;
  creatorUserId: number;
  dealId: number | null;
  leadId: string | null;
  personId: number | null;
  orgId: number | null;
  dueDate: string | null;
  dueTime: string | null;
  duration: string | null;
  done: boolean;
  note: string | null;
  addTime: Date;
  updateTime: Date;
  markedAsDoneTime: Date | null;
  isDeleted: boolean;
}

export interface ActivityType {
  id: number;
  companyId: number;
  name: string;
  keyString: string;
  iconKey: string;
  color: string | null;
  orderNr: number;
  isCustom: boolean;
  active: boolean;
  addTime: Date;
  updateTime: Date;
}

/** A field definition of persons, deals or organizations (`GET /v1/personFields`, `dealFields`, `organizationFields`). */
export interface PersonField {
  id: number;
  companyId: number;
  /** Whose field it is; absent = a person's (the first sandbox only had person fields). */
  entity?: 'person' | 'deal' | 'organization';
  /** Choices of `enum` / `set` fields. */
  options?: { id: number; label: string }[];
  /** 40-character hash key for custom fields; the plain name for built-in ones. */
  key: string;
  name: string;
  fieldType: 'varchar' | 'text' | 'phone' | 'date' | 'double' | 'enum' | 'set' | 'user' | 'org' | 'people';
  isCustom: boolean;
  addTime: Date;
  updateTime: Date;
}

export interface Webhook {
  id: number;
  companyId: number;
  /** The user whose permissions filter the events. */
  userId: number;
  /** Set for app webhooks (created with an app's OAuth token): `type: "application"`. */
  clientId: string | null;
  subscriptionUrl: string;
  eventAction: 'create' | 'change' | 'delete' | '*';
  eventObject: string;
  version: '1.0' | '2.0';
  name: string;
  httpAuthUser: string | null;
  httpAuthPassword: string | null;
  addTime: Date;
  isActive: boolean;
  /** Consecutive first-attempt failures; at 10 the webhook is banned for 30 minutes. */
  banCounter: number;
  bannedUntil: Date | null;
  lastDeliveryTime: Date | null;
  lastHttpStatus: number | null;
  /** Last 2xx; after 3 days without one the webhook is deleted (absent = never, counted from addTime). */
  lastSuccessTime?: Date | null;
}

/** One delivery attempt of a webhook event (for inspection in tests). */
export interface WebhookDelivery {
  webhookId: number;
  eventId: string;
  attempt: number;
  status: number | null;
  error: string | null;
  at: Date;
}

/** A Marketplace app registered in the sandbox (Parley in `npm start`; test apps in tests). */
export interface RegisteredApp {
  clientId: string;
  clientSecret: string;
  name: string;
  description: string;
  /** The single Callback URL: OAuth redirect_uri, POST on sharing changes, DELETE on uninstall. */
  callbackUrl: string;
  /** Where "Install" sends the admin first (the app mints `state`); null = straight to consent. */
  installationUrl: string | null;
  /** Signs the extensions' JWTs; Pipedrive falls back to the client secret. */
  jwtSecret: string;
  scopes: string[];
  extensions: HostedExtension[];
}

/** The extension kinds and panel locations Developer Hub offers, as the manifest declares them. */
export type { ExtensionType, PanelLocation };

export interface HostedExtension {
  id: string;
  type: ExtensionType;
  name: string;
  /** Absolute URL of the iframe. */
  url: string;
  /** Panels: which detail views show it. Modals: empty (opened from code by id or name). */
  locations: PanelLocation[];
  size?: { width?: number; height?: number };
}

/** A user's OAuth grant for one app: Pipedrive authorizes per (company, user). */
export interface Grant {
  id: number;
  clientId: string;
  companyId: number;
  userId: number;
  scopes: string[];
  /** The current refresh token; rotated on every refresh (the old one stops working). */
  refreshToken: string;
  refreshTokenLastUsedAt: Date;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface AccessToken {
  token: string;
  grantId: number;
  expiresAt: Date;
  revoked: boolean;
}

export interface AuthorizationCode {
  code: string;
  clientId: string;
  companyId: number;
  userId: number;
  redirectUri: string;
  expiresAt: Date;
  exchanged: boolean;
}

/** One API call, recorded for tests and the budget meter. */
export interface ApiCall {
  companyId: number;
  userId: number;
  clientId: string;
  method: string;
  /** Route pattern, e.g. `GET /api/v2/persons/search`. */
  endpoint: string;
  /** The Host header it came with: a company's own origin or the generic one (company-domains.ts). */
  host?: string;
  /** Tokens charged against the company's daily budget. */
  cost: number;
  status: number;
  at: Date;
}
