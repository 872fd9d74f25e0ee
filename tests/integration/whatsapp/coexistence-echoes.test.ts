import { eq } from 'drizzle-orm';
import type { ChannelInfo } from '../../../contracts/whatsapp.schemas.ts';
import { chats, messages } from '../../../server/db/schema/index.ts';
import type { SandboxBusinessNumber } from '../../../sandbox/whatsapp/emulator.ts';
import {
  metaJson,
  notificationOf,
  startWhatsAppParley,
  waitForProcessing,
  webhookChange,
  type WhatsAppParley,
} from '../../helpers/whatsapp-parley.ts';

// Each test waits on work that crosses the sandbox, HTTP and a job worker: room for a loaded machine.
jest.setTimeout(90_000);

let parley: WhatsAppParley;
let acme: SandboxBusinessNumber;
let channel: ChannelInfo;

beforeAll(async () => {
  parley = await startWhatsAppParley();
  acme = parley.sandbox.whatsapp.numbers[0] as SandboxBusinessNumber;
  channel = await parley.addNumber(await parley.installCompany(parley.pd.users.ada), acme);
}, 120_000);
afterAll(() => parley.close());

const messageByWamid = (wamid: string) => parley.storedMessage(wamid);
const chatOf = async (chatId: string) => (await parley.db.select().from(chats).where(eq(chats.id, chatId)))[0];

describe('coexistence: what the business types in the WhatsApp Business app (smb_message_echoes)', () => {
  const echoBody = (echo: Record<string, unknown>) =>
    notificationOf(acme.wabaId, [
      webhookChange('smb_message_echoes', {
        metadata: { display_phone_number: acme.displayPhoneNumber, phone_number_id: acme.phoneNumberId },
        message_echoes: [echo],
      }),
    ]);

  it('lands in the customer’s chat as an outbound, sent message; a redelivery stores nothing twice', async () => {
    const customer = '+34 611 222 333';
    const question = await messageByWamid(
      parley.sandbox.whatsapp.sendFromCustomer({ from: customer, text: '¿Abrís el sábado?' }),
    );
    const wamid = parley.sandbox.whatsapp.sendFromBusinessApp({ customer, text: 'Sí, de 10 a 14.' });

    const echo = await messageByWamid(wamid);
    expect(echo).toMatchObject({ direction: 'outbound', type: 'text', body: 'Sí, de 10 a 14.', status: 'sent' });
    expect(echo.chatId).toBe(question.chatId);
    expect(echo.sentByMemberId).toBeNull();
    const chat = await chatOf(echo.chatId);
    expect(chat?.lastOutboundAt).not.toBeNull();

    // Meta redelivers the same echo: still one message.
    const again = echoBody({
      from: acme.displayPhoneNumber,
      to: '34611222333',
      id: wamid,
      timestamp: String(Math.floor(Date.now() / 1000)),
      type: 'text',
      text: { body: 'Sí, de 10 a 14.' },
    });
    expect((await parley.postSigned(channel.id, metaJson(again), acme.appSecret)).statusCode).toBe(200);
    await waitForProcessing(async () => (await parley.inboxPendingFor(wamid)) === 0);
    expect(await parley.db.select().from(messages).where(eq(messages.providerMessageId, wamid))).toHaveLength(1);
  });

  it('an echo that names no recipient is refused with 400 and a reason', async () => {
    const body = echoBody({
      from: acme.displayPhoneNumber,
      id: 'wamid.no-recipient',
      type: 'text',
      text: { body: 'x' },
    });
    const response = await parley.postSigned(channel.id, metaJson(body), acme.appSecret);
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: { code: string; details: { reason: string } } }>().error).toMatchObject({
      code: 'webhooks.malformed',
      details: { reason: expect.stringContaining('message_echoes[0] needs "id" and "to"') },
    });
  });
});
