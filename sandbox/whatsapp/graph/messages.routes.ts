import type { FastifyInstance } from 'fastify';
import { acceptOutbound, markReadByBusiness } from '../chat/outbound.ts';
import { admitSend } from '../chat/send-limits.ts';
import { findCustomerByNumber, type WhatsAppState } from '../state.ts';
import type { WhatsAppContext } from '../context.ts';
import { authenticate, requirePhone } from './graph-auth.ts';
import { VERSION } from './graph-version.ts';
import { parseSendRequest } from './message-request.ts';

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
    admitSend(context.state, phone, recipientWaId(context.state, send.toDigits));
    const message = acceptOutbound(context, phone, send);
    return {
      messaging_product: 'whatsapp',
      contacts: [{ input: send.to, wa_id: message.customerWaId }],
      // A 200 means accepted, not delivered; template sends say so explicitly.
      messages: [{ id: message.wamid, ...(send.type === 'template' ? { message_status: 'accepted' } : {}) }],
    };
  });
}

/** The pair rate counts per WhatsApp account, whichever form of its number the business typed. */
function recipientWaId(state: WhatsAppState, digits: string): string {
  return findCustomerByNumber(state, digits)?.waId ?? digits;
}
