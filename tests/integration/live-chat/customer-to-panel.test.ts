import type { EventsTicketResponse, MessagesPage, PanelLiveEvent } from '../../../contracts/panel-chat.ts';
import type { SandboxBusinessNumber } from '../../../sandbox/whatsapp/emulator.ts';
import { openEventStream } from '../../helpers/live-chat.ts';
import { panelRequest } from '../../helpers/panel-token.ts';
import { waitFor } from '../../helpers/wait-for.ts';
import { startWhatsAppParley, type WhatsAppParley } from '../../helpers/whatsapp-parley.ts';

let parley: WhatsAppParley;

beforeAll(async () => {
  parley = await startWhatsAppParley();
  const admin = await parley.installCompany(parley.pd.users.ada);
  await parley.addNumber(admin, parley.sandbox.whatsapp.numbers[0] as SandboxBusinessNumber);
  // A sandbox, a listening Parley and its workers take a while on a loaded machine.
}, 120_000);
afterAll(() => parley.close());

describe('the customer phone to the open panel (WhatsApp pipeline, end to end)', () => {
  it('a "Hi" from the customer reaches the viewer’s live stream and the chat’s messages, unread, window open', async () => {
    const ada = parley.pd.users.ada;
    const ticket = await panelRequest(parley.testApp, ada, 'POST', '/api/panel/events-ticket');
    expect(ticket.statusCode).toBe(200);
    const stream = await openEventStream(
      `${parley.publicUrl}/api/panel/events?ticket=${encodeURIComponent(ticket.json<EventsTicketResponse>().ticket)}`,
    );
    try {
      await waitFor(() => stream.comments.includes('connected'));
      parley.sandbox.whatsapp.sendFromCustomer({ from: '+34 600 111 222', text: 'Hi' });
      const event = await waitFor(
        () => stream.payloads().find((data) => data['type'] === 'message.created') as PanelLiveEvent | undefined,
        { message: 'message.created on the stream' },
      );
      const chatId = event.payload.chatId ?? '';
      const page = await panelRequest(parley.testApp, ada, 'GET', `/api/panel/chats/${chatId}/messages`);
      expect(page.json<MessagesPage>().messages.at(-1)).toMatchObject({ direction: 'inbound', body: 'Hi' });
      expect(page.json<MessagesPage>().chat).toMatchObject({ window: { state: 'open' }, unread: 1 });
    } finally {
      await stream.close();
    }
  });
});
