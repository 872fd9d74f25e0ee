import type { FastifyInstance } from 'fastify';
import type { WhatsAppContext } from '../context.ts';
import { formatDisplayNumber } from '../phone-numbers.ts';
import type { BusinessPhone, Waba } from '../records.ts';
import { authenticate, requireWaba } from './graph-auth.ts';
import { graphErrors } from './graph-errors.ts';
import { pickFields } from './graph-fields.ts';
import { VERSION } from './graph-version.ts';
import { createMediaUrl } from './media-url.ts';

type Query = Record<string, string | undefined>;

/** Graph node types and a few real fields the sandbox does not fill (asking for them is not an error). */
const PHONE_NODE = {
  type: 'WhatsAppBusinessPhoneNumber',
  knownExtra: [
    'name_status',
    'new_name_status',
    'status',
    'messaging_limit_tier',
    'is_official_business_account',
    'certificate',
  ],
};
const WABA_NODE = {
  type: 'WhatsAppBusinessAccount',
  knownExtra: [
    'account_review_status',
    'business_verification_status',
    'owner_business_info',
    'on_behalf_of_business_info',
  ],
};

/**
 * Graph objects by id — a business number (Parley's "connect a number" check), a WABA, or a media
 * object (§1.6: a 5-minute URL that needs the bearer token) — plus the WABA's `phone_numbers` and
 * `subscribed_apps` edges (§2.1: without a subscription no webhook is delivered).
 */
export async function objectsRoutes(fastify: FastifyInstance, options: { context: WhatsAppContext }): Promise<void> {
  const { context } = options;
  const { state } = context;

  fastify.get<{ Params: { objectId: string }; Querystring: Query }>(`/${VERSION}/:objectId`, async (request) => {
    const grant = authenticate(state, request);
    const id = request.params.objectId;
    const phone = state.phones.get(id);
    if (phone && grant.wabaIds.includes(phone.wabaId))
      return pickFields(serializePhone(phone), request.query['fields'], PHONE_NODE);
    const waba = state.wabas.get(id);
    if (waba && grant.wabaIds.includes(waba.id))
      return pickFields(serializeWaba(waba), request.query['fields'], WABA_NODE);
    const media = state.media.get(id);
    const mediaPhone = media && state.phones.get(media.phoneNumberId);
    if (media && mediaPhone && grant.wabaIds.includes(mediaPhone.wabaId)) {
      return {
        url: createMediaUrl(context, media),
        mime_type: media.mimeType,
        sha256: media.sha256Hex,
        file_size: media.bytes.length,
        id: media.id,
        messaging_product: 'whatsapp',
      };
    }
    throw graphErrors.unknownObject(id, 'GET');
  });

  fastify.get<{ Params: { wabaId: string }; Querystring: Query }>(
    `/${VERSION}/:wabaId/phone_numbers`,
    async (request) => {
      const grant = authenticate(state, request);
      const waba = requireWaba(state, grant, request.params.wabaId, 'GET');
      const phones = [...state.phones.values()].filter((phone) => phone.wabaId === waba.id);
      return {
        data: phones.map((phone) => pickFields(serializePhone(phone), request.query['fields'], PHONE_NODE)),
        paging: { cursors: { before: 'QVFIUl', after: 'QVFIUm' } },
      };
    },
  );

  fastify.get<{ Params: { wabaId: string } }>(`/${VERSION}/:wabaId/subscribed_apps`, async (request) => {
    const grant = authenticate(state, request);
    const waba = requireWaba(state, grant, request.params.wabaId, 'GET');
    return {
      data: [...waba.subscribedAppIds].map((appId) => ({
        whatsapp_business_api_data: {
          link: `https://www.facebook.com/games/?app_id=${appId}`,
          name: state.apps.get(appId)?.name ?? '',
          id: appId,
        },
      })),
    };
  });

  // Subscribes the app the token belongs to, as Meta does (§2.1).
  fastify.post<{ Params: { wabaId: string } }>(`/${VERSION}/:wabaId/subscribed_apps`, async (request) => {
    const grant = authenticate(state, request);
    const waba = requireWaba(state, grant, request.params.wabaId, 'POST');
    const body = (request.body ?? {}) as Record<string, unknown>;
    const query = request.query as Query;
    if (body['override_callback_uri'] !== undefined || query['override_callback_uri'] !== undefined) {
      throw graphErrors.invalidParameter(
        'override_callback_uri is not emulated by the sandbox; set the app callback URL instead',
      );
    }
    waba.subscribedAppIds.add(grant.appId);
    return { success: true };
  });

  fastify.delete<{ Params: { wabaId: string } }>(`/${VERSION}/:wabaId/subscribed_apps`, async (request) => {
    const grant = authenticate(state, request);
    const waba = requireWaba(state, grant, request.params.wabaId, 'DELETE');
    waba.subscribedAppIds.delete(grant.appId);
    return { success: true };
  });
}

function serializePhone(phone: BusinessPhone): Record<string, unknown> {
  return {
    verified_name: phone.verifiedName,
    code_verification_status: 'VERIFIED',
    display_phone_number: formatDisplayNumber(phone.displayPhoneNumber),
    quality_rating: 'GREEN',
    platform_type: 'CLOUD_API',
    throughput: { level: 'STANDARD' },
    id: phone.id,
  };
}

function serializeWaba(waba: Waba): Record<string, unknown> {
  return {
    id: waba.id,
    name: waba.name,
    currency: waba.currency,
    timezone_id: waba.timezoneId,
    message_template_namespace: waba.messageTemplateNamespace,
  };
}
