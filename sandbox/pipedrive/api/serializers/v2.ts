import type {
  ActivityItem,
  Deal as DealModel,
  GetDealSearchResponseAllOfDataItemsInnerItem,
  GetOrganizationSearchResponseAllOfDataItemsInnerItem,
  GetPersonSearchResponseAllOfDataItemsInnerItem,
  LeadSearchItemItem,
  OrganizationItem,
  GetPipelinesResponseAllOfDataInner,
  GetPersonFields200ResponseDataInner,
  Person as PersonModel,
  StageItem,
} from 'pipedrive/v2';
import type { Activity, Deal, Organization, Person, PersonField, Pipeline, Stage } from '../../state.ts';
import { rfc3339, type WithNulls } from './format.ts';

/** API v2 shapes, typed with the official client's models (`pipedrive@33.7.0`, `pipedrive/v2`). */
export type OrganizationV2 = WithNulls<OrganizationItem, 'address'>;
export type PersonV2 = WithNulls<PersonModel, 'org_id' | 'first_name' | 'last_name' | 'picture_id'>;
export type DealV2 = WithNulls<DealModel, 'person_id' | 'org_id'>;
export type ActivityV2 = WithNulls<
  ActivityItem,
  | 'deal_id'
  | 'lead_id'
  | 'person_id'
  | 'org_id'
  | 'project_id'
  | 'due_date'
  | 'due_time'
  | 'duration'
  | 'marked_as_done_time'
  | 'location'
  | 'conference_meeting_client'
  | 'conference_meeting_url'
  | 'conference_meeting_id'
  | 'public_description'
  | 'priority'
  | 'note'
>;
export type PersonSearchItemV2 = WithNulls<GetPersonSearchResponseAllOfDataItemsInnerItem, 'organization'>;
export type DealSearchItemV2 = WithNulls<
  GetDealSearchResponseAllOfDataItemsInnerItem,
  'stage' | 'person' | 'organization'
>;
export type LeadSearchItemV2 = WithNulls<LeadSearchItemItem, 'person' | 'organization' | 'value' | 'currency'>;
export type OrganizationSearchItemV2 = WithNulls<GetOrganizationSearchResponseAllOfDataItemsInnerItem, 'address'>;

export function serializePersonV2(person: Person): PersonV2 {
  return {
    id: person.id,
    name: person.name,
    first_name: person.firstName,
    last_name: person.lastName,
    owner_id: person.ownerId,
    org_id: person.orgId,
    add_time: rfc3339(person.addTime),
    update_time: rfc3339(person.updateTime),
    emails: person.emails.map(({ value, primary, label }) => ({ value, primary, label })),
    phones: person.phones.map(({ value, primary, label }) => ({ value, primary, label })),
    is_deleted: person.isDeleted,
    visible_to: person.visibleTo,
    label_ids: [...person.labelIds],
    picture_id: null,
    custom_fields: { ...person.customFields },
  };
}

export function serializeDealV2(deal: Deal): DealV2 {
  return {
    id: deal.id,
    title: deal.title,
    owner_id: deal.ownerId,
    person_id: deal.personId,
    org_id: deal.orgId,
    pipeline_id: deal.pipelineId,
    stage_id: deal.stageId,
    value: deal.value,
    currency: deal.currency,
    add_time: rfc3339(deal.addTime),
    update_time: rfc3339(deal.updateTime),
    stage_change_time: deal.stageChangeTime ? rfc3339(deal.stageChangeTime) : null,
    is_deleted: deal.isDeleted,
    is_archived: false,
    status: deal.status,
    probability: null,
    lost_reason: deal.lostReason ?? null,
    visible_to: deal.visibleTo,
    close_time: deal.closeTime ? rfc3339(deal.closeTime) : null,
    won_time: deal.wonTime ? rfc3339(deal.wonTime) : null,
    lost_time: deal.lostTime ? rfc3339(deal.lostTime) : null,
    expected_close_date: deal.expectedCloseDate ?? null,
    label_ids: [...(deal.labelIds ?? [])],
    origin: 'API',
    origin_id: null,
    channel: null,
    channel_id: null,
    source_lead_id: null,
    arr: null,
    mrr: null,
    acv: null,
    custom_fields: { ...deal.customFields },
  };
}

export function serializeActivityV2(activity: Activity): ActivityV2 {
  return {
    id: activity.id,
    subject: activity.subject,
    type: activity.type,
    owner_id: activity.ownerId,
    creator_user_id: activity.creatorUserId,
    is_deleted: activity.isDeleted,
    add_time: rfc3339(activity.addTime),
    update_time: rfc3339(activity.updateTime),
    deal_id: activity.dealId,
    lead_id: activity.leadId,
    person_id: activity.personId,
    org_id: activity.orgId,
    project_id: null,
    due_date: activity.dueDate,
    due_time: activity.dueTime,
    duration: activity.duration,
    busy: false,
    done: activity.done,
    marked_as_done_time: activity.markedAsDoneTime ? rfc3339(activity.markedAsDoneTime) : null,
    location: null,
    participants: activity.personId === null ? [] : [{ person_id: activity.personId, primary: true }],
    attendees: [],
    conference_meeting_client: null,
    conference_meeting_url: null,
    conference_meeting_id: null,
    public_description: null,
    priority: null,
    note: activity.note,
  };
}

export function serializePipelineV2(pipeline: Pipeline): GetPipelinesResponseAllOfDataInner {
  return {
    id: pipeline.id,
    name: pipeline.name,
    order_nr: pipeline.orderNr,
    is_deleted: pipeline.isDeleted,
    is_deal_probability_enabled: pipeline.isDealProbabilityEnabled,
    add_time: rfc3339(pipeline.addTime),
    update_time: rfc3339(pipeline.updateTime),
  };
}

export function serializeStageV2(stage: Stage): StageItem {
  return {
    id: stage.id,
    order_nr: stage.orderNr,
    name: stage.name,
    is_deleted: stage.isDeleted,
    deal_probability: stage.dealProbability,
    pipeline_id: stage.pipelineId,
    is_deal_rot_enabled: false,
    days_to_rotten: null,
    add_time: rfc3339(stage.addTime),
    update_time: rfc3339(stage.updateTime),
  };
}

export function serializeOrganizationV2(organization: Organization): OrganizationV2 {
  return {
    id: organization.id,
    name: organization.name,
    owner_id: organization.ownerId,
    add_time: rfc3339(organization.addTime),
    update_time: rfc3339(organization.updateTime),
    is_deleted: organization.isDeleted,
    visible_to: organization.visibleTo,
    address: organization.address === null ? null : { value: organization.address },
    label_ids: [...organization.labelIds],
    website: null,
    linkedin: null,
    industry: null,
    annual_revenue: null,
    employee_count: null,
    custom_fields: { ...organization.customFields },
  };
}

/**
 * A person, deal or organization field as the v2 field endpoints return it (the client's
 * `GetPersonFields200ResponseDataInner`; the deal and organization models add only optional keys).
 */
export function serializeFieldV2(field: PersonField): GetPersonFields200ResponseDataInner {
  return {
    field_name: field.name,
    field_code: field.key,
    field_type: field.fieldType,
    is_custom_field: field.isCustom,
    // Fields returned only on request (`include_fields`); none of the sandbox's are.
    is_optional_response_field: false,
    options: field.options
      ? field.options.map((option) => ({
          id: option.id,
          label: option.label,
          color: null,
          add_time: rfc3339(field.addTime),
          update_time: rfc3339(field.updateTime),
        }))
      : null,
    subfields: null,
  };
}
