import type { v1, v2 } from 'pipedrive';
import type { ConnectionApi } from '../pipedrive/pipedrive-api.ts';
import { isAppError } from '../../errors.ts';
import { loadPipedriveSdk } from '../pipedrive/pipedrive-sdk.ts';

/** A person as the search returns it (`GET /api/v2/persons/search`, pipedrive-platform.md §4.2). */
export interface FoundPerson {
  id: number;
  name: string;
  phones: string[];
}

export interface OpenRecord<Id> {
  id: Id;
  title: string;
}

/** Results per search (Pipedrive's maximum: short trailing-digit terms match many numbers; the cost is the same). */
const SEARCH_LIMIT = 500;

interface Envelope<T> {
  data?: T | null;
  additional_data?: { next_cursor?: string | null } | null;
}

/**
 * The Pipedrive calls of identity resolution and auto-creation, through one connection (rate
 * limits, budget metering and reauth handling included). Requests are built by the official client.
 */
export function createIdentityRecords(api: ConnectionApi) {
  /** The official request builders (the package loads at the first call, see pipedrive-sdk.ts). */
  const builders = async () => {
    const { v1, v2, v1Config, v2Config } = await loadPipedriveSdk();
    return {
      persons: v2.PersonsApiAxiosParamCreator(v2Config),
      deals: v2.DealsApiAxiosParamCreator(v2Config),
      leads: v1.LeadsApiAxiosParamCreator(v1Config),
    };
  };

  return {
    /**
     * Persons whose phone contains `term` (not `exact_match`: the caller verifies each phone, so a
     * search also finds numbers stored with spaces, dashes or a trunk prefix).
     */
    async searchPersonsByPhone(term: string): Promise<FoundPerson[]> {
      const { persons } = await builders();
      const response = await api.call<
        Envelope<{ items?: { item?: { id?: number; name?: string; phones?: string[] } }[] }>
      >(await persons.searchPersons(term, 'phone', false, undefined, undefined, SEARCH_LIMIT), {
        version: 'v2',
        kind: 'search',
      });
      return (response.body.data?.items ?? [])
        .map((entry) => entry.item)
        .filter((item) => item?.id !== undefined)
        .map((item) => ({ id: Number(item?.id), name: item?.name ?? '', phones: item?.phones ?? [] }));
    },

    /** The person, or undefined when Pipedrive says it is gone (deleted, merged away, not visible). */
    async getPerson(id: number): Promise<FoundPerson | undefined> {
      const { persons } = await builders();
      try {
        const response = await api.call<
          Envelope<{ id?: number; name?: string; phones?: { value?: string }[]; is_deleted?: boolean }>
        >(await persons.getPerson(id), { version: 'v2', kind: 'get' });
        const person = response.body.data;
        if (person?.id === undefined || person.is_deleted === true) return undefined;
        return {
          id: Number(person.id),
          name: person.name ?? '',
          phones: (person.phones ?? []).map((phone) => phone.value ?? ''),
        };
      } catch (error) {
        if (isAppError(error) && error.code === 'pipedrive.not_found') return undefined;
        throw error;
      }
    },

    /** Creates a person with its WhatsApp phone (E.164, labelled `whatsapp`, primary), when known. */
    async createPerson(input: { name: string; e164: string | null; ownerId: number | null }): Promise<number> {
      const { persons } = await builders();
      const body = (label: string): v2.AddPersonRequest => ({
        name: input.name,
        ...(input.e164 === null ? {} : { phones: [{ value: input.e164, label, primary: true }] }),
        ...(input.ownerId === null ? {} : { owner_id: input.ownerId }),
      });
      const create = async (label: string) =>
        api.call<Envelope<{ id?: number }>>(await persons.addPerson(body(label)), { version: 'v2', kind: 'create' });
      let response;
      try {
        response = await create('whatsapp');
      } catch (error) {
        // Pipedrive documents phone labels as free text defaulting to `work`; should a company's
        // Pipedrive refuse a custom label, the number still goes in, as a mobile.
        if (!(isAppError(error) && error.code === 'pipedrive.rejected' && /label/i.test(error.message))) throw error;
        response = await create('mobile');
      }
      return Number(response.body.data?.id);
    },

    async listOpenDeals(personId: number): Promise<OpenRecord<number>[]> {
      const { deals } = await builders();
      const response = await api.call<Envelope<{ id?: number; title?: string }[]>>(
        await deals.getDeals(
          undefined,
          undefined,
          undefined,
          personId,
          undefined,
          undefined,
          undefined,
          'open',
          undefined,
          undefined,
          'id',
          'desc',
          undefined,
          undefined,
          undefined,
          undefined,
          100,
        ),
        { version: 'v2', kind: 'list' },
      );
      return (response.body.data ?? []).map((deal) => ({ id: Number(deal.id), title: deal.title ?? '' }));
    },

    /** The deal if the caller may read it and it is not deleted; undefined otherwise. */
    async getDeal(id: number): Promise<{ id: number; title: string; personId: number | null } | undefined> {
      const { deals } = await builders();
      try {
        const response = await api.call<
          Envelope<{ id?: number; title?: string; person_id?: number | null; is_deleted?: boolean }>
        >(await deals.getDeal(id), { version: 'v2', kind: 'get' });
        const deal = response.body.data;
        if (deal?.id === undefined || deal.is_deleted === true) return undefined;
        return { id: Number(deal.id), title: deal.title ?? '', personId: deal.person_id ?? null };
      } catch (error) {
        if (isAppError(error) && (error.code === 'pipedrive.not_found' || error.code === 'pipedrive.forbidden'))
          return undefined;
        throw error;
      }
    },

    async createDeal(input: {
      title: string;
      personId: number;
      ownerId: number | null;
      pipelineId: number | null;
      stageId: number | null;
    }): Promise<number> {
      const { deals } = await builders();
      const request = {
        title: input.title,
        person_id: input.personId,
        ...(input.ownerId === null ? {} : { owner_id: input.ownerId }),
        ...(input.pipelineId === null ? {} : { pipeline_id: input.pipelineId }),
        ...(input.stageId === null ? {} : { stage_id: input.stageId }),
      } as v2.AddDealRequest;
      const response = await api.call<Envelope<{ id?: number }>>(await deals.addDeal(request), {
        version: 'v2',
        kind: 'create',
      });
      return Number(response.body.data?.id);
    },

    /** The person's leads that are still open (not archived); leads are v1 only (§4.5). */
    async listOpenLeads(personId: number): Promise<OpenRecord<string>[]> {
      const { leads } = await builders();
      const response = await api.call<Envelope<{ id?: string; title?: string; is_archived?: boolean }[]>>(
        await leads.getLeads(100, 0, undefined, personId),
        { version: 'v1', kind: 'list' },
      );
      return (response.body.data ?? [])
        .filter((lead) => lead.is_archived !== true && lead.id !== undefined)
        .map((lead) => ({ id: String(lead.id), title: lead.title ?? '' }));
    },

    async createLead(input: {
      title: string;
      personId: number;
      ownerId: number | null;
      labelId: string | null;
    }): Promise<string> {
      const { leads } = await builders();
      const request = {
        title: input.title,
        person_id: input.personId,
        ...(input.ownerId === null ? {} : { owner_id: input.ownerId }),
        ...(input.labelId === null ? {} : { label_ids: [input.labelId] }),
      } as v1.AddLeadRequest;
      const response = await api.call<Envelope<{ id?: string }>>(await leads.addLead(request), {
        version: 'v1',
        kind: 'create',
      });
      return String(response.body.data?.id);
    },
  };
}

export type IdentityRecords = ReturnType<typeof createIdentityRecords>;
