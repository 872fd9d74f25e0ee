import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import type { InboxChat, InboxResponse } from '../../contracts/panel-chat.ts';
import { Inbox } from '../../extensions/panels/inbox/inbox.tsx';
import { chatSummary, message, orderTemplate, page, statusOf } from './helpers/chat-fixtures.ts';
import { executed } from './helpers/fake-sdk.ts';
import { fakeServer, FakeEventSource } from './helpers/fake-server.ts';

const maria: InboxChat = {
  ...chatSummary({ unread: 2 }),
  lastMessage: { direction: 'inbound', type: 'text', body: 'Is it in stock?' },
};
const lead: InboxChat = {
  ...chatSummary({
    id: '33333333-3333-4333-8333-333333333333',
    contact: { name: 'Leo Lead', number: '+447700900123' },
    links: { personId: 11, dealId: null, leadId: 'a3b1c2d4-0000-4000-8000-000000000001' },
  }),
  lastMessage: { direction: 'outbound', type: 'audio', body: null },
};

function inboxOf(chats: InboxChat[]): InboxResponse {
  return {
    chats,
    unreadTotal: chats.reduce((sum, chat) => sum + chat.unread, 0),
    templates: [orderTemplate],
    viewerName: 'Sam Seller',
    liveFrom: 4,
  };
}

function openInbox() {
  window.history.replaceState({}, '', '/extensions/panels/inbox/?id=floating-1&userId=2&companyId=1');
  return render(<Inbox />);
}

describe('floating inbox', () => {
  it('lists the chats with unread counts and puts the unread total on the dock badge', async () => {
    fakeServer({
      'GET /api/panel/status': { body: statusOf('connected') },
      'GET /api/panel/inbox': { body: inboxOf([maria, lead]) },
      'POST /api/panel/events-ticket': { body: { ticket: 't', expiresAt: '' } },
    });
    openInbox();
    expect(await screen.findByText('Is it in stock?')).toBeTruthy();
    expect(screen.getByLabelText('2 unread')).toBeTruthy();
    expect(screen.getByText('You: 🎤 Voice message')).toBeTruthy();
    await waitFor(() => expect(executed).toContainEqual({ command: 'set_notification', args: { number: 2 } }));
  });

  it('searches across name, number and message text', async () => {
    const server = fakeServer({
      'GET /api/panel/status': { body: statusOf('connected') },
      'GET /api/panel/inbox': (request) => ({
        body: inboxOf(request.query.get('q') === 'leo' ? [lead] : [maria, lead]),
      }),
      'POST /api/panel/events-ticket': { body: { ticket: 't', expiresAt: '' } },
    });
    openInbox();
    await screen.findByText('Is it in stock?');
    fireEvent.input(screen.getByRole('searchbox'), { target: { value: 'leo' } });
    await waitFor(() => expect(screen.queryByText('Is it in stock?')).toBeNull());
    expect(screen.getByText('Leo Lead')).toBeTruthy();
    expect(server.requests.some((request) => request.query.get('q') === 'leo')).toBe(true);
    fireEvent.input(screen.getByRole('searchbox'), { target: { value: 'nobody' } });
    server.routes['GET /api/panel/inbox'] = { body: inboxOf([]) };
    expect(await screen.findByText('No chat matches “nobody”.')).toBeTruthy();
  });

  it('opens a chat and links to its lead and person in Pipedrive', async () => {
    fakeServer({
      'GET /api/panel/status': { body: statusOf('connected') },
      'GET /api/panel/inbox': { body: inboxOf([maria, lead]) },
      'POST /api/panel/events-ticket': { body: { ticket: 't', expiresAt: '' } },
      [`GET /api/panel/chats/${lead.id}/messages`]: { body: page([message({ body: 'About the lead' })], lead) },
    });
    openInbox();
    fireEvent.click(await screen.findByText('Leo Lead'));
    expect(await screen.findByText('About the lead')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Open deal' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Open lead' }));
    fireEvent.click(screen.getByRole('button', { name: 'Open person' }));
    expect(executed.filter((entry) => entry.command === 'redirect_to').map((entry) => entry.args)).toEqual([
      { view: 'leads', id: lead.links.leadId },
      { view: 'contacts', id: 11 },
    ]);
    fireEvent.click(screen.getByRole('button', { name: '← All chats' }));
    expect(await screen.findByText('Is it in stock?')).toBeTruthy();
  });

  it('updates the list and the badge when a live event arrives', async () => {
    let chats = [maria];
    fakeServer({
      'GET /api/panel/status': { body: statusOf('connected') },
      'GET /api/panel/inbox': () => ({ body: inboxOf(chats) }),
      'POST /api/panel/events-ticket': { body: { ticket: 't', expiresAt: '' } },
    });
    openInbox();
    await screen.findByText('Is it in stock?');
    await waitFor(() => expect(FakeEventSource.instances).toHaveLength(1));
    // The stream resumes after the event seq the list was read at: nothing between is missed.
    expect(FakeEventSource.latest().url).toBe('/api/panel/events?ticket=t&lastEventId=4');
    chats = [{ ...maria, unread: 3, lastMessage: { direction: 'inbound', type: 'text', body: 'Hello?' } }];
    FakeEventSource.latest().emit({ seq: 5, type: 'message.created', payload: { chatId: maria.id }, at: '' }, '5');
    expect(await screen.findByText('Hello?')).toBeTruthy();
    await waitFor(() => expect(executed).toContainEqual({ command: 'set_notification', args: { number: 3 } }));
  });

  it('asks a viewer without a personal connection to connect first', async () => {
    fakeServer({ 'GET /api/panel/status': { body: statusOf('personal_not_connected') } });
    openInbox();
    expect(await screen.findByRole('button', { name: 'Connect only for me' })).toBeTruthy();
  });
});
