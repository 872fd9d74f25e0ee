import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readChat, setChatOpen, VIEWING_MS } from '../chat/chat-selectors.ts';
import { playVoiceNote } from '../chat/chat-selectors.ts';
import { ensureCustomer, receiveFromCustomer, type CustomerMessageInput } from '../chat/inbound.ts';
import type { WhatsAppContext } from '../context.ts';
import type { BusinessPhone, Customer } from '../records.ts';
import { chatKey, chatMessages, isWindowOpen } from '../state.ts';
import { renderChat } from './phone-chat.ts';
import { PHONE_PATH, renderPhonePage } from './phone-page.ts';

type Query = Record<string, string | undefined>;
type Body = Record<string, unknown>;

/** The customer phone page, its live chat fragment, and the endpoints its forms and script post to. */
export async function phoneRoutes(fastify: FastifyInstance, options: { context: WhatsAppContext }): Promise<void> {
  const { context } = options;
  const { state } = context;

  function selection(query: Query): { phone: BusinessPhone; customer: Customer | null } {
    const phone = (query['number'] && state.phones.get(query['number'])) || state.phones.values().next().value!;
    const customer = query['customer'] ? (state.customers.get(query['customer']) ?? null) : null;
    return { phone, customer };
  }

  function chatFragment(phone: BusinessPhone, customer: Customer) {
    const last = state.lastInboundAt.get(chatKey(phone.id, customer.waId));
    const open = last !== undefined && isWindowOpen(state, phone.id, customer.waId);
    return renderChat({
      phone,
      customer,
      messages: chatMessages(state, phone.id, customer.waId),
      windowOpenUntil: open && last ? new Date(last.getTime() + 24 * 60 * 60 * 1000) : null,
    });
  }

  fastify.get<{ Querystring: Query }>(PHONE_PATH, async (request, reply) => {
    const { phone, customer } = selection(request.query);
    const page = renderPhonePage({
      customers: [...state.customers.values()],
      phones: [...state.phones.values()],
      customer,
      phone,
      chat: customer ? chatFragment(phone, customer) : null,
      ...(request.query['error'] ? { error: request.query['error'] } : {}),
    });
    return reply.type('text/html; charset=utf-8').send(page);
  });

  // Polled every second by the page; `viewing=1` means the chat is on screen, so the customer reads.
  fastify.get<{ Querystring: Query }>(`${PHONE_PATH}/chat`, async (request, reply) => {
    const { phone, customer } = selection(request.query);
    if (!customer) return reply.status(404).type('text/plain; charset=utf-8').send('unknown customer');
    const chat = { customer: customer.waId, phoneNumberId: phone.id };
    if (request.query['viewing'] === '1') {
      setChatOpen(state, { ...chat, open: true }, VIEWING_MS);
      readChat(context, chat);
    }
    return reply.type('text/html; charset=utf-8').send(chatFragment(phone, customer).__html);
  });

  fastify.post(`${PHONE_PATH}/send`, { bodyLimit: 8 * 1024 * 1024 }, async (request, reply) => {
    const body = (request.body ?? {}) as Body;
    try {
      const wamid = receiveFromCustomer(context, toCustomerInput(body)).wamid;
      return wantsJson(request) ? { wamid } : reply.redirect(pageUrl(body), 303);
    } catch (error) {
      return fail(request, reply, body, error);
    }
  });

  fastify.post(`${PHONE_PATH}/customers`, async (request, reply) => {
    const body = (request.body ?? {}) as Body;
    try {
      // Username and "hide my number" are optional (the new-customer form folds them away).
      const username = stringField(body, 'username');
      const customer = ensureCustomer(state, stringField(body, 'phone'), {
        name: stringField(body, 'name'),
        ...(username === '' ? {} : { username }),
        ...(body['phone_hidden'] === undefined
          ? {}
          : { phoneHidden: ['on', 'true', true].includes(body['phone_hidden'] as string) }),
      });
      const target = { customer: customer.waId, number: body['number'] };
      return wantsJson(request) ? { waId: customer.waId, name: customer.name } : reply.redirect(pageUrl(target), 303);
    } catch (error) {
      return fail(request, reply, body, error);
    }
  });

  fastify.post(`${PHONE_PATH}/play`, async (request, reply) => {
    const body = (request.body ?? {}) as Body;
    try {
      playVoiceNote(context, {
        customer: stringField(body, 'customer'),
        phoneNumberId: stringField(body, 'number'),
        messageId: stringField(body, 'messageId'),
      });
      return wantsJson(request) ? { played: true } : reply.redirect(pageUrl(body), 303);
    } catch (error) {
      return fail(request, reply, body, error);
    }
  });

  // The customer's own phone shows media without a token; Parley must use the Graph API's URL.
  fastify.get<{ Params: { mediaId: string } }>(`${PHONE_PATH}/media/:mediaId`, async (request, reply) => {
    const media = state.media.get(request.params.mediaId);
    if (!media) return reply.status(404).send();
    return reply.header('content-type', media.mimeType).send(media.bytes);
  });
}

function stringField(body: Body, name: string): string {
  const value = body[name];
  return typeof value === 'string' ? value : '';
}

function wantsJson(request: FastifyRequest): boolean {
  return (request.headers['content-type'] ?? '').includes('application/json');
}

function pageUrl(body: Body): string {
  const query = new URLSearchParams();
  if (typeof body['customer'] === 'string') query.set('customer', body['customer']);
  if (typeof body['number'] === 'string') query.set('number', body['number']);
  return `${PHONE_PATH}?${query.toString()}`;
}

function fail(request: FastifyRequest, reply: FastifyReply, body: Body, error: unknown) {
  const message = error instanceof Error ? error.message : String(error);
  if (wantsJson(request)) return reply.status(400).send({ error: message });
  return reply.redirect(`${pageUrl(body)}&${new URLSearchParams({ error: message }).toString()}`, 303);
}

/** What each choice of the phone's menus sends (sample content). */
const SAMPLE_MESSAGES: Record<string, Partial<CustomerMessageInput>> = {
  image: { image: true },
  document: { document: true },
  voice: { voice: true },
  audio: { audio: true },
  video: { video: true },
  sticker: { sticker: true },
  'animated-sticker': { sticker: { animated: true } },
  location: {
    location: {
      latitude: 40.4168,
      longitude: -3.7038,
      name: 'Puerta del Sol',
      address: 'Plaza de la Puerta del Sol, Madrid',
    },
  },
  contact: { contacts: [{ name: 'Lucía Romero', phone: '+34 611 222 333', email: 'lucia@example.com' }] },
  unsupported: { unsupported: true },
};

/** The page's form fields or JSON body, as the in-process API's input. */
function toCustomerInput(body: Body): CustomerMessageInput {
  const input: CustomerMessageInput = { from: stringField(body, 'customer') };
  if (typeof body['number'] === 'string') input.to = body['number'];
  if (typeof body['replyTo'] === 'string' && body['replyTo'] !== '') input.replyTo = body['replyTo'];
  if (
    typeof body['text'] === 'string' &&
    (body['text'] !== '' || body['sample'] === undefined || body['sample'] === '')
  ) {
    input.text = body['text'];
  }
  const sample = typeof body['sample'] === 'string' ? SAMPLE_MESSAGES[body['sample']] : undefined;
  // A typed text wins over a menu choice left selected (the page without JavaScript posts both).
  if (sample && !(typeof body['text'] === 'string' && body['text'].trim() !== '')) {
    delete input.text;
    Object.assign(input, sample);
  }
  const file = body['file'] as { dataUrl?: unknown; filename?: unknown } | undefined;
  if (file && typeof file.dataUrl === 'string') {
    const match = /^data:([\w.+/-]+);base64,(.*)$/s.exec(file.dataUrl);
    if (!match) throw new Error('the file could not be read');
    const mimeType = match[1] ?? '';
    const upload = {
      bytes: Buffer.from(match[2] ?? '', 'base64'),
      mimeType,
      ...(typeof file.filename === 'string' ? { filename: file.filename } : {}),
    };
    if (mimeType.startsWith('image/')) input.image = upload;
    else input.document = upload;
  }
  const reaction = body['reaction'] as { messageId?: unknown; emoji?: unknown } | undefined;
  if (reaction && typeof reaction.messageId === 'string' && typeof reaction.emoji === 'string') {
    input.reaction = { messageId: reaction.messageId, emoji: reaction.emoji };
  }
  const interactive = body['interactiveReply'] as { messageId?: unknown; id?: unknown } | undefined;
  if (interactive && typeof interactive.messageId === 'string' && typeof interactive.id === 'string') {
    input.interactiveReply = { messageId: interactive.messageId, id: interactive.id };
  }
  const button = body['buttonReply'] as { messageId?: unknown; index?: unknown } | undefined;
  if (button && typeof button.messageId === 'string' && typeof button.index === 'number') {
    input.buttonReply = { messageId: button.messageId, index: button.index };
  }
  return input;
}
