import type { FastifyInstance } from 'fastify';
import { acceptOutbound, markReadByBusiness } from '../chat/outbound.ts';
import { admitSend } from '../chat/send-limits.ts';
import { findCustomerByNumber, type WhatsAppState } from '../state.ts';
import type { WhatsAppContext } from '../context.ts';
import { authenticate, requirePhone } from './graph-auth.ts';
import { graphErrors } from './graph-errors.ts';
import { VERSION } from './graph-version.ts';
import { parseSendRequest, type SendRequest } from './message-request.ts';
import { findCustomerByUserId } from '../chat/identity.ts';
import type { BusinessPhone } from '../records.ts';

/** POST /{version}/{phone-number-id}/messages (whatsapp-cloud-api.md §1.2–1.3). */
export async function messagesRoutes(fastify: FastifyInstance, options: { context: WhatsAppContext }): Promise<void> {
  const { context } = options;
  fastify.post<{ Params: { phoneNumberId: string } }>(`/${VERSION}/:phoneNumberId/messages`, async (request) => {
    const grant = authenticate(context.state, request);
    const phone = requirePhone(context.state, grant, request.params.phoneNumberId, 'POST');
    const send = parseSendRequest(context.state, phone.wabaId, request.body);
    if (send.kind === 'read') {
      markReadByBusiness(context, phone, send.messageId);
      return { success: true };
    }
    if (send.toDigits === phone.displayPhoneNumber) throw graphErrors.sameNumber();
    const recipient = resolveRecipient(context.state, phone, send);
    admitSend(context.state, phone, recipient.waId);
    const message = acceptOutbound(context, phone, send, recipient);
    return {
      messaging_product: 'whatsapp',
      contacts: [
        {
          input: send.to,
          ...(recipient.customer?.phoneHidden || send.toDigits === '' ? {} : { wa_id: message.customerWaId }),
          ...(send.recipientUserId ? { user_id: send.recipientUserId } : {}),
        },
      ],
      // A 200 means accepted, not delivered; template sends say so explicitly.
      messages: [{ id: message.wamid, ...(send.type === 'template' ? { message_status: 'accepted' } : {}) }],
    };
  });
}

/**
 * Who a send reaches: the customer behind any form of the number or behind the business-scoped
 * user id, keyed by their wa_id (so the pair rate counts per account). Unknown addresses keep what
 * was typed as key and fail later by status (131026).
 */
function resolveRecipient(state: WhatsAppState, phone: BusinessPhone, send: Extract<SendRequest, { kind: 'message' }>) {
  const customer = send.recipientUserId
    ? findCustomerByUserId(state, send.recipientUserId, phone.wabaId)
    : send.dropSilently
      ? undefined
      : findCustomerByNumber(state, send.toDigits);
  return { customer, waId: customer?.waId ?? send.recipientUserId ?? (send.dropSilently ? send.to : send.toDigits) };
}
