import { createHash } from 'node:crypto';
import {
  MediaTooLargeError,
  ProviderError,
  type MediaSend,
  type ProviderAccount,
  type ProviderTemplate,
  type Recipient,
  type SendResult,
  type WhatsAppProvider,
} from '../provider.ts';
import { createGraphHttp, MediaSizeExceeded, type GraphHttp } from './graph-http.ts';
import { parseCloudWebhook } from './webhook-parse.ts';
import { verifyMetaSignature } from './webhook-signature.ts';

/** Webhook fields Parley asks for when it sets the app's callback itself. */
const WEBHOOK_FIELDS = 'messages,message_template_status_update';
/** Safety stop for template paging (Meta caps a WABA at a few hundred templates per language). */
const MAX_TEMPLATE_PAGES = 100;

interface SendResponse {
  contacts?: { wa_id?: string }[];
  messages?: { id?: string }[];
}

/**
 * The WhatsApp Business Cloud API (Meta Graph): whatsapp-cloud-api.md §1–2. Base URL and version come
 * from configuration (`WHATSAPP_GRAPH_URL`, `WHATSAPP_GRAPH_VERSION`), so the sandbox stands in for Meta.
 */
export function createCloudApiProvider(
  config: { graphUrl: string; graphVersion: string },
  options: { templatePageSize?: number } = {},
): WhatsAppProvider {
  const graph: GraphHttp = createGraphHttp(config);

  async function sendMessage(account: ProviderAccount, to: Recipient, message: Record<string, unknown>) {
    // Username-only users are addressed by `recipient`; a BSUID in `to` is accepted and silently dropped (§1.2).
    const address = 'waId' in to ? { to: to.waId } : { recipient: to.userId };
    const response = await graph.request<SendResponse>({
      method: 'POST',
      path: `/${account.phoneNumberId}/messages`,
      token: account.accessToken,
      body: { messaging_product: 'whatsapp', recipient_type: 'individual', ...address, ...message },
    });
    const id = response.messages?.[0]?.id;
    if (typeof id !== 'string' || id === '')
      throw new ProviderError({
        code: 'no_message_id',
        title: 'WhatsApp accepted the request but returned no message id',
        httpStatus: 200,
        transient: false,
      });
    const waId = response.contacts?.[0]?.wa_id;
    return { providerMessageId: id, waId: typeof waId === 'string' ? waId : null } satisfies SendResult;
  }

  return {
    name: 'whatsapp_cloud',
    verifySignature: verifyMetaSignature,
    parseWebhook: parseCloudWebhook,

    async readPhoneNumber(account) {
      const phone = await graph.request<{ display_phone_number?: string; verified_name?: string }>({
        method: 'GET',
        path: `/${account.phoneNumberId}`,
        token: account.accessToken,
        query: { fields: 'display_phone_number,verified_name' },
      });
      // The number must belong to the WABA given with it: templates and subscriptions live there.
      const numbers = await graph.request<{ data?: { id?: string }[] }>({
        method: 'GET',
        path: `/${account.wabaId}/phone_numbers`,
        token: account.accessToken,
      });
      if (!(numbers.data ?? []).some((entry) => entry.id === account.phoneNumberId))
        throw new ProviderError({
          code: 'phone_not_in_waba',
          title: 'This phone-number id does not belong to that WhatsApp Business Account',
          httpStatus: 200,
          transient: false,
        });
      return {
        displayPhoneNumber: phone.display_phone_number ?? '',
        verifiedName: phone.verified_name ?? null,
      };
    },

    async subscribeApp(account) {
      const result = await graph.request<{ success?: boolean }>({
        method: 'POST',
        path: `/${account.wabaId}/subscribed_apps`,
        token: account.accessToken,
      });
      if (result.success !== true)
        throw new ProviderError({
          code: 'subscribe_failed',
          title: 'WhatsApp did not confirm the app subscription',
          httpStatus: 200,
          transient: true,
        });
    },

    async listTemplates(account) {
      const templates: ProviderTemplate[] = [];
      let next: string | undefined = `/${account.wabaId}/message_templates`;
      let query: Record<string, string> | undefined = {
        fields: 'name,language,status,category,components',
        limit: String(options.templatePageSize ?? 100),
      };
      for (let page = 0; next !== undefined && page < MAX_TEMPLATE_PAGES; page += 1) {
        const response: { data?: Record<string, unknown>[]; paging?: { next?: string } } = await graph.request({
          method: 'GET',
          path: next,
          token: account.accessToken,
          ...(query === undefined ? {} : { query }),
        });
        for (const template of response.data ?? []) {
          if (typeof template['name'] !== 'string' || typeof template['language'] !== 'string') continue;
          templates.push({
            name: template['name'],
            language: template['language'],
            status: typeof template['status'] === 'string' ? template['status'] : 'UNKNOWN',
            category: typeof template['category'] === 'string' ? template['category'] : null,
            components: Array.isArray(template['components']) ? template['components'] : [],
          });
        }
        // `paging.next` is a full URL that already carries the cursor and the query.
        next = response.paging?.next;
        query = undefined;
      }
      return templates;
    },

    sendText: (account, to, text, replyTo) =>
      sendMessage(account, to, {
        type: 'text',
        text: { body: text, preview_url: false },
        ...(replyTo === undefined ? {} : { context: { message_id: replyTo } }),
      }),

    sendTemplate: (account, to, template) =>
      sendMessage(account, to, {
        type: 'template',
        template: {
          name: template.name,
          language: { policy: 'deterministic', code: template.language },
          ...(template.components.length === 0 ? {} : { components: template.components }),
        },
      }),

    sendMedia: (account, to, media: MediaSend) =>
      sendMessage(account, to, {
        type: media.kind,
        [media.kind]: {
          ...(media.mediaId === undefined ? { link: media.link } : { id: media.mediaId }),
          ...(media.caption === undefined || media.kind === 'audio' || media.kind === 'sticker'
            ? {}
            : { caption: media.caption }),
          ...(media.filename === undefined || media.kind !== 'document' ? {} : { filename: media.filename }),
        },
      }),

    async uploadMedia(account, file) {
      // §1.6: multipart with `file` (filename + MIME), `messaging_product=whatsapp` and `type`. Sending the
      // id afterwards avoids Meta fetching a link (131053 when its proxy cannot).
      const form = new FormData();
      form.set('messaging_product', 'whatsapp');
      form.set('type', file.mimeType);
      form.set('file', new Blob([new Uint8Array(file.bytes)], { type: file.mimeType }), file.filename);
      const uploaded = await graph.request<{ id?: string }>({
        method: 'POST',
        path: `/${account.phoneNumberId}/media`,
        token: account.accessToken,
        body: form,
      });
      if (typeof uploaded.id !== 'string' || uploaded.id === '')
        throw new ProviderError({
          code: 131053,
          title: 'Media upload error',
          detail: 'WhatsApp returned no media id',
          httpStatus: 200,
          transient: true,
        });
      return uploaded.id;
    },

    async markRead(account, providerMessageId) {
      await graph.request({
        method: 'POST',
        path: `/${account.phoneNumberId}/messages`,
        token: account.accessToken,
        body: { messaging_product: 'whatsapp', status: 'read', message_id: providerMessageId },
      });
    },

    async downloadMedia(account, mediaId, maxBytes) {
      const info = await graph.request<{ url?: string; mime_type?: string; sha256?: string; file_size?: number }>({
        method: 'GET',
        path: `/${mediaId}`,
        token: account.accessToken,
      });
      if (typeof info.file_size === 'number' && info.file_size > maxBytes) throw new MediaTooLargeError(info.file_size);
      if (typeof info.url !== 'string')
        throw new ProviderError({ code: 131052, title: 'Media download error', httpStatus: 200, transient: true });
      let downloaded: { bytes: Buffer; contentType: string | null };
      try {
        // The URL lives 5 minutes and needs the same bearer token (§1.6).
        downloaded = await graph.download(info.url, account.accessToken, maxBytes);
      } catch (error) {
        if (error instanceof MediaSizeExceeded) throw new MediaTooLargeError(error.sizeBytes);
        throw error;
      }
      const sha256 = createHash('sha256').update(downloaded.bytes).digest('hex');
      return {
        bytes: downloaded.bytes,
        mimeType: info.mime_type ?? downloaded.contentType ?? 'application/octet-stream',
        sha256,
      };
    },

    async configureAppWebhook(input) {
      const result = await graph.request<{ success?: boolean }>({
        method: 'POST',
        path: `/${input.appId}/subscriptions`,
        token: `${input.appId}|${input.appSecret}`,
        body: {
          object: 'whatsapp_business_account',
          callback_url: input.callbackUrl,
          verify_token: input.verifyToken,
          fields: WEBHOOK_FIELDS,
        },
      });
      if (result.success !== true)
        throw new ProviderError({
          code: 'webhook_setup_failed',
          title: 'WhatsApp did not confirm the webhook settings',
          httpStatus: 200,
          transient: false,
        });
    },
  };
}
