import { eq } from 'drizzle-orm';
import { chats } from '../../../server/db/schema/index.ts';
import { eventually, rewriteAsMessagesArrive, transcriptNotes } from '../../helpers/sync-fixtures.ts';
import { startWhatsAppParley, type WhatsAppParley } from '../../helpers/whatsapp-parley.ts';

jest.setTimeout(120_000);

/**
 * From Meta's signed webhook to the day's note in the sandbox's Pipedrive: ingestion stores the
 * messages and hands the chat to the sync engine, identity resolution finds the person, and the
 * transcript shows what ingestion stored (its reaction and location shapes).
 */
describe('message sync end to end: signed webhook → stored message → note', () => {
  let parley: WhatsAppParley;

  beforeEach(async () => {
    parley = await startWhatsAppParley();
  });

  afterEach(async () => {
    await parley.close();
  });

  it('a customer writes, reacts and shares a location: the note on the person found by their number shows it all', async () => {
    const number = parley.sandbox.whatsapp.numbers[0];
    const { demo } = parley.pd.sandbox.pipedrive.seed;
    if (number === undefined) throw new Error('the seed changed');
    const admin = await parley.installCompany(parley.pd.users.ada);
    await rewriteAsMessagesArrive(parley.testApp.domain.syncSettings, demo.company.id);
    const channel = await parley.addNumber(admin, number);

    const hello = await parley.deliverInbound(number, channel.id, { type: 'text', text: { body: 'Hi <b>there</b>' } });
    const stored = await parley.storedMessage(hello);
    await parley.deliverInbound(number, channel.id, { type: 'reaction', reaction: { message_id: hello, emoji: '👍' } });
    await parley.deliverInbound(number, channel.id, {
      type: 'location',
      location: { latitude: 40.4168, longitude: -3.7038, name: 'Puerta del Sol' },
    });
    const note = await eventually(() =>
      transcriptNotes(parley.sandbox, stored.chatId).find((candidate) => candidate.content.includes('Puerta del Sol')),
    );
    // Identity resolution found the sandbox's John Carter by his number; the note sits on him.
    const [chat] = await parley.db.select().from(chats).where(eq(chats.id, stored.chatId));
    const johnCarter = demo.persons.find((candidate) => candidate.name === 'John Carter');
    expect(chat?.personId).toBe(johnCarter?.id);
    expect(note).toMatchObject({ personId: johnCarter?.id });
    expect(note.content).toContain('Hi &lt;b&gt;there&lt;/b&gt; <small>[👍]</small>');
    expect(note.content).toContain('https://www.openstreetmap.org/?mlat=40.4168&amp;mlon=-3.7038');
    expect(note.content).toContain('John Carter');
    expect(transcriptNotes(parley.sandbox, stored.chatId)).toHaveLength(1);
  });
});
