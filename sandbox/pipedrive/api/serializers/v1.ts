import type {
  ActivityType as ActivityTypeModel,
  BaseUser,
  BaseWebhook,
  GetCurrentUserResponseAllOfDataAllOf,
  GetField,
  Lead as LeadModel,
  LeadLabel as LeadLabelModel,
  Note as NoteModel,
} from 'pipedrive/v1';
import type {
  ActivityType,
  Company,
  Lead,
  LeadLabel,
  Note,
  PersonField,
  PipedriveState,
  User,
  Webhook,
} from '../../state.ts';
import { v1Time, type WithNulls } from './format.ts';

/** API v1 shapes, typed with the official client's models (`pipedrive@33.7.0`, `pipedrive/v1`). */
export type UserV1 = BaseUser & { is_admin: 0 | 1 };
export type CurrentUserV1 = UserV1 & GetCurrentUserResponseAllOfDataAllOf;
/** The model lacks `pinned_to_lead_flag`, which the API accepts on notes about leads. */
export type NoteV1 = NoteModel & { pinned_to_lead_flag: boolean };
export type ActivityTypeV1 = WithNulls<ActivityTypeModel, 'color'>;

export function serializeUserV1(user: User, viewer: User): UserV1 {
  return {
    id: user.id,
    name: user.name,
    default_currency: user.defaultCurrency,
    locale: user.locale,
    lang: 1,
    email: user.email,
    phone: null,
    activated: true,
    last_login: v1Time(user.createdAt),
    created: v1Time(user.createdAt),
    modified: null,
    has_created_company: false,
    access: [{ app: 'sales', admin: user.isAdmin, permission_set_id: user.isAdmin ? 'admin-set' : 'regular-set' }],
    active_flag: user.active,
    timezone_name: user.timezoneName,
    timezone_offset: user.timezoneOffset,
    role_id: user.roleId,
    icon_url: null,
    is_you: user.id === viewer.id,
    is_deleted: false,
    // Deprecated numeric flag, still sent (§1.5).
    is_admin: user.isAdmin ? 1 : 0,
  };
}

export function serializeCurrentUserV1(user: User, company: Company): CurrentUserV1 {
  const [language = 'en', country = company.country] = user.locale.split('_');
  return {
    ...serializeUserV1(user, user),
    company_id: company.id,
    company_name: company.name,
    company_domain: company.domain,
    company_country: company.country,
    language: { language_code: language, country_code: country },
  };
}

export function serializeNoteV1(state: PipedriveState, note: Note, viewerId: number | null): NoteV1 {
  const author = state.users.get(note.userId);
  const deal = note.dealId === null ? undefined : state.deals.get(note.dealId);
  const person = note.personId === null ? undefined : state.persons.get(note.personId);
  const organization = note.orgId === null ? undefined : state.organizations.get(note.orgId);
  return {
    id: note.id,
    active_flag: note.activeFlag,
    add_time: v1Time(note.addTime),
    update_time: v1Time(note.updateTime),
    content: note.content,
    user_id: note.userId,
    last_update_user_id: note.userId,
    deal_id: note.dealId,
    person_id: note.personId,
    org_id: note.orgId,
    lead_id: note.leadId,
    project_id: null,
    task_id: null,
    deal: deal ? { title: deal.title } : null,
    person: person ? { name: person.name } : null,
    organization: organization ? { name: organization.name } : null,
    project: null,
    task: null,
    pinned_to_deal_flag: note.pinnedToDeal,
    pinned_to_person_flag: note.pinnedToPerson,
    pinned_to_organization_flag: note.pinnedToOrganization,
    pinned_to_project_flag: false,
    pinned_to_task_flag: false,
    pinned_to_lead_flag: note.pinnedToLead,
    user: {
      email: author?.email ?? '',
      icon_url: null,
      is_you: note.userId === viewerId,
      name: author?.name ?? '',
    },
  };
}

/** Leads use ISO timestamps even in v1 (the leads service predates the v1 date convention). */
export function serializeLeadV1(lead: Lead): LeadModel {
  return {
    id: lead.id,
    title: lead.title,
    owner_id: lead.ownerId,
    creator_id: lead.creatorId,
    label_ids: [...lead.labelIds],
    person_id: lead.personId,
    organization_id: lead.organizationId,
    source_name: lead.sourceName,
    origin: 'API',
    origin_id: null,
    channel: lead.channel,
    channel_id: null,
    source_deal_id: null,
    is_archived: lead.isArchived,
    was_seen: lead.wasSeen,
    value: lead.value ? { ...lead.value } : null,
    expected_close_date: lead.expectedCloseDate,
    next_activity_id: null,
    add_time: lead.addTime.toISOString(),
    update_time: lead.updateTime.toISOString(),
    visible_to: String(lead.visibleTo) as LeadModel['visible_to'],
    cc_email: `lead-${lead.id.slice(0, 8)}@pipedrivemail.com`,
  };
}

export function serializeLeadLabelV1(label: LeadLabel): LeadLabelModel {
  return {
    id: label.id,
    name: label.name,
    color: label.color,
    add_time: label.addTime.toISOString(),
    update_time: label.updateTime.toISOString(),
  };
}

export function serializeActivityTypeV1(type: ActivityType): ActivityTypeV1 {
  return {
    id: type.id,
    name: type.name,
    icon_key: type.iconKey as ActivityTypeModel['icon_key'],
    color: type.color,
    order_nr: type.orderNr,
    key_string: type.keyString,
    active_flag: type.active,
    is_custom_flag: type.isCustom,
    add_time: v1Time(type.addTime),
    update_time: v1Time(type.updateTime),
  };
}

export function serializePersonFieldV1(field: PersonField, orderNr: number): GetField {
  return {
    id: field.id,
    key: field.key,
    name: field.name,
    order_nr: orderNr,
    field_type: field.fieldType,
    add_time: v1Time(field.addTime),
    update_time: v1Time(field.updateTime),
    last_updated_by_user_id: null,
    created_by_user_id: null,
    active_flag: true,
    edit_flag: field.isCustom,
    index_visible_flag: true,
    details_visible_flag: true,
    add_visible_flag: true,
    important_flag: false,
    bulk_edit_allowed: true,
    searchable_flag: field.fieldType === 'phone' || field.key === 'name' || field.key === 'email',
    filtering_allowed: true,
    sortable_flag: true,
    mandatory_flag: field.key === 'name',
    options: field.options ? field.options.map((option) => ({ ...option })) : null,
  };
}

export function serializeWebhookV1(webhook: Webhook): BaseWebhook {
  return {
    id: webhook.id,
    company_id: webhook.companyId,
    owner_id: webhook.userId,
    user_id: webhook.userId,
    event_action: webhook.eventAction,
    event_object: webhook.eventObject,
    subscription_url: webhook.subscriptionUrl,
    version: webhook.version,
    is_active: webhook.isActive ? 1 : 0,
    add_time: v1Time(webhook.addTime),
    remove_time: null,
    type: webhook.clientId ? 'application' : 'general',
    http_auth_user: webhook.httpAuthUser,
    http_auth_password: webhook.httpAuthPassword,
    remove_reason: null,
    last_delivery_time: webhook.lastDeliveryTime ? v1Time(webhook.lastDeliveryTime) : null,
    last_http_status: webhook.lastHttpStatus,
    admin_id: webhook.userId,
    name: webhook.name,
  };
}
