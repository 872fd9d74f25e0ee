import type {
  ChatMessage,
  ChatSummary,
  MessagesPage,
  PanelContextResponse,
  TemplateSummary,
} from '../../../contracts/panel-chat.ts';

const HOUR = 60 * 60 * 1000;

/** `/api/panel/status` for a viewer in a given state (the shape panel-client.ts declares). */
export function statusOf(
  state: 'org_not_connected' | 'reauth_required' | 'personal_not_connected' | 'connected',
  extra: {
    ended?: { reason: 'disconnected' | 'uninstalled'; at: string };
    awaitingApprovalSince?: string;
  } = {},
) {
  return {
    state,
    company: { id: 1, name: 'Acme Demo' },
    organization: {
      connected: state !== 'org_not_connected',
      state: state === 'org_not_connected' ? 'none' : 'active',
      connectedBy: null,
      ended: extra.ended ?? null,
    },
    personal: {
      connected: state === 'connected',
      state: state === 'connected' ? 'active' : 'none',
      awaitingApprovalSince: extra.awaitingApprovalSince ?? null,
    },
    viewer: { pipedriveUserId: 2, isPipedriveAdmin: false, isOrgConnector: false },
    links: { dashboard: 'http://parley.test/integrations/pipedrive', install: 'http://parley.test/oauth/install' },
  };
}

export function chatSummary(overrides: Partial<ChatSummary> = {}): ChatSummary {
  return {
    id: '11111111-1111-4111-8111-111111111111',
    channel: { id: 'ch-1', name: 'Acme sales', phoneNumber: '+15550001111' },
    contact: { name: 'Maria G.', number: '+34600111222' },
    window: { state: 'open', closesAt: new Date(Date.now() + 5.5 * HOUR).toISOString() },
    unread: 0,
    lastMessageAt: new Date().toISOString(),
    links: { personId: 10, dealId: 20, leadId: null },
    ...overrides,
  };
}

export const orderTemplate: TemplateSummary = {
  id: 'tpl-1',
  channelId: 'ch-1',
  name: 'order_update',
  language: 'en_US',
  category: 'UTILITY',
  components: [{ type: 'BODY', text: 'Hi {{1}}, your order {{2}} is ready.' }],
};

export function readyContext(overrides: Partial<Extract<PanelContextResponse, { state: 'ready' }>> = {}) {
  return {
    state: 'ready' as const,
    liveFrom: 40,
    person: { id: 10, name: 'Maria Gomez' },
    deal: { id: 20, title: 'Website redesign' },
    chats: [chatSummary()],
    channels: [{ id: 'ch-1', name: 'Acme sales', phoneNumber: '+15550001111' }],
    templates: [orderTemplate],
    fill: {
      personName: 'Maria Gomez',
      firstName: 'Maria',
      dealTitle: 'Website redesign',
      dealValue: '1200 USD',
      ownerName: 'Sam Seller',
      viewerName: 'Sam Seller',
    },
    ...overrides,
  };
}

let counter = 0;
export function message(overrides: Partial<ChatMessage>): ChatMessage {
  counter += 1;
  return {
    id: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    providerMessageId: `wamid.${counter}`,
    direction: 'inbound',
    type: 'text',
    body: null,
    media: null,
    context: null,
    status: 'received',
    error: null,
    sentAt: new Date(Date.now() - (100 - counter) * 60_000).toISOString(),
    sentByPipedriveUserId: null,
    ...overrides,
  };
}

export function page(messages: ChatMessage[], chat = chatSummary(), nextBefore: string | null = null): MessagesPage {
  return { messages, nextBefore, chat };
}
