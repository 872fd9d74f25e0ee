import type { SandboxBusinessNumber } from './emulator.ts';
import { createAccessToken, createAppSecret, createHexId, createNumericId } from './ids.ts';
import type { Customer, Template } from './records.ts';
import { DEMO_TEMPLATES, OTHER_TEMPLATES, type TemplateSeed } from './seed-templates.ts';
import type { WhatsAppState } from './state.ts';

export interface BusinessSpec {
  appName: string;
  wabaName: string;
  displayPhoneNumber: string;
  verifiedName: string;
  templates: TemplateSeed[];
}

/**
 * Two businesses, each with its own Meta app, WABA, number and token: "Acme Demo" (the start page
 * shows it) and "Globex Support" (isolation: its token must not reach Acme's number). Ids are
 * numeric like Meta's; ids, secrets and tokens are random when the sandbox first starts, and a
 * sandbox with a data directory keeps them from then on (`BusinessIdentity`).
 */
const BUSINESSES: BusinessSpec[] = [
  {
    appName: 'Acme Demo Parley',
    wabaName: 'Acme Demo',
    displayPhoneNumber: '15550783881',
    verifiedName: 'Acme Demo',
    templates: DEMO_TEMPLATES,
  },
  {
    appName: 'Globex Support App',
    wabaName: 'Globex Corp',
    displayPhoneNumber: '15550199024',
    verifiedName: 'Globex Support',
    templates: OTHER_TEMPLATES,
  },
];

/**
 * Customers already on WhatsApp, matching the Pipedrive sandbox's persons. Profile names are what
 * people chose for themselves (non-ASCII on purpose). Lucas's account still uses Brazil's old
 * 12-digit form while Pipedrive stores the 9-digit mobile; Sofía's wa_id has Mexico's "521".
 */
/** Lucas has adopted a username (his phone stays visible); nobody hides their phone by default. */
const CUSTOMERS: { waId: string; name: string; username?: string }[] = [
  { waId: '34600111222', name: 'María G. 🌻' },
  { waId: '14155550101', name: 'John Carter' },
  { waId: '551112345678', name: 'Lucas Silva', username: 'lucas.silva' },
  { waId: '12125550199', name: 'Hank Scorpio' },
  { waId: '5215512345678', name: 'Sofía Hernández' },
];

/** The ids and secrets of one seeded business: what Parley stores, so they must outlive a restart. */
export interface BusinessIdentity {
  appId: string;
  appSecret: string;
  wabaId: string;
  phoneNumberId: string;
  accessToken: string;
  messageTemplateNamespace: string;
}

export function newBusinessIdentity(): BusinessIdentity {
  return {
    appId: createNumericId(16),
    appSecret: createAppSecret(),
    wabaId: createNumericId(15),
    phoneNumberId: createNumericId(15),
    accessToken: createAccessToken(),
    messageTemplateNamespace: createHexId(16).replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1_$2_$3_$4_'),
  };
}

/** Seeds the businesses with the given identities (missing ones are minted) and returns their numbers. */
export function seedWhatsApp(state: WhatsAppState, identities: BusinessIdentity[] = []): SandboxBusinessNumber[] {
  const now = state.clock.now();
  const numbers = BUSINESSES.map((spec, index) => addBusiness(state, spec, identities[index]));
  state.initial.customers = CUSTOMERS.map((customer): Customer => ({
    ...customer,
    username: customer.username ?? null,
    phoneHidden: false,
    createdAt: now,
  }));
  return numbers;
}

function toTemplate(wabaId: string, seed: TemplateSeed): Template {
  return {
    id: createNumericId(15),
    wabaId,
    name: seed.name,
    language: seed.language,
    status: seed.status,
    category: seed.category,
    parameterFormat: seed.parameterFormat,
    components: structuredClone(seed.components),
    rejectedReason: seed.rejectedReason ?? 'NONE',
  };
}

/**
 * One business: its own Meta app (id, secret), WABA, number and system-user token, plus its
 * templates in the seed that `reset()` restores. Used by the seed and by `addBusinessNumber`.
 */
export function addBusiness(
  state: WhatsAppState,
  spec: BusinessSpec,
  identity: BusinessIdentity = newBusinessIdentity(),
): SandboxBusinessNumber {
  const { appId, appSecret, wabaId, phoneNumberId, accessToken, messageTemplateNamespace } = identity;
  state.apps.set(appId, { id: appId, name: spec.appName, secret: appSecret, webhook: null });
  state.wabas.set(wabaId, {
    id: wabaId,
    name: spec.wabaName,
    appId,
    subscribedAppIds: new Set(),
    currency: 'USD',
    timezoneId: '1',
    messageTemplateNamespace,
  });
  state.phones.set(phoneNumberId, {
    id: phoneNumberId,
    wabaId,
    displayPhoneNumber: spec.displayPhoneNumber,
    verifiedName: spec.verifiedName,
  });
  state.grants.set(accessToken, { token: accessToken, appId, wabaIds: [wabaId], expiresAt: null });
  const templates = spec.templates.map((seed) => toTemplate(wabaId, seed));
  state.initial.templates.push(...templates);
  state.templates.push(...templates.map((template) => structuredClone(template)));
  return {
    wabaId,
    phoneNumberId,
    displayPhoneNumber: spec.displayPhoneNumber,
    verifiedName: spec.verifiedName,
    accessToken,
    appId,
    appSecret,
  };
}
