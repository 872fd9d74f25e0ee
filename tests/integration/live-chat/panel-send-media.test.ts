import { eq } from 'drizzle-orm';
import type { ChatMessage, MessagesPage, SentMessageResponse } from '../../../contracts/panel-chat.ts';
import { media, messages } from '../../../server/db/schema/index.ts';
import type { SandboxBusinessNumber } from '../../../sandbox/whatsapp/emulator.ts';
import { bearer, signPanelToken } from '../../helpers/panel-token.ts';
import type { PipedriveUser } from '../../helpers/pipedrive-sandbox.ts';
import { startTwoCompanyChats, waitForProcessing, type WhatsAppParley } from '../../helpers/whatsapp-parley.ts';

// Each test crosses the sandbox over HTTP and a job worker: room for a loaded machine.
jest.setTimeout(90_000);

/** The smallest valid PNG: 1×1, one grey pixel. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

let parley: WhatsAppParley;
let acme: SandboxBusinessNumber;
let chatA: string;
let chatB: string;

beforeAll(async () => {
  ({ parley, acme, chatA, chatB } = await startTwoCompanyChats());
}, 120_000);
afterAll(() => parley.close());

async function upload(user: PipedriveUser, chatId: string, file: Buffer, contentType: string, query: string) {
  const token = await signPanelToken({ companyId: user.companyId, userId: user.userId });
  return parley.testApp.app.inject({
    method: 'POST',
    url: `/api/panel/chats/${chatId}/media?${query}`,
    headers: { ...bearer(token), 'content-type': contentType },
    payload: file,
  });
}
const messageRow = async (id: string) => (await parley.db.select().from(messages).where(eq(messages.id, id)))[0];
const uploads = () =>
  parley.sandbox.whatsapp
    .graphRequests()
    .filter(
      (request) => request.method === 'POST' && new URL(request.url, 'http://sandbox').pathname.endsWith('/media'),
    );

describe('sending a file from the panel', () => {
  it('uploads an image to WhatsApp’s media endpoint, sends it by id with its caption, and keeps a copy for the panel', async () => {
    const before = uploads().length;
    const response = await upload(
      parley.pd.users.ada,
      chatA,
      PNG,
      'image/png',
      'filename=blue-model.png&caption=The%20blue%20one',
    );
    expect(response.statusCode).toBe(201);
    const { message } = response.json<SentMessageResponse>();
    expect(message).toMatchObject({
      type: 'image',
      body: 'The blue one',
      providerMessageId: expect.stringMatching(/^wamid\./),
    });
    expect(uploads().length).toBe(before + 1);

    // The customer's phone got an image by the uploaded id, with the caption.
    const received = parley.sandbox.whatsapp.sentToCustomer({ customer: '34600111222' }).at(-1);
    expect(received).toMatchObject({ type: 'image', text: 'The blue one' });
    const row = await messageRow(message.id);
    expect(row).toMatchObject({
      direction: 'outbound',
      type: 'image',
      sentByPipedriveUserId: parley.pd.users.ada.userId,
    });
    expect(row?.media).toMatchObject({ mime_type: 'image/png', filename: 'blue-model.png', state: 'stored' });
    expect(received?.media?.id).toBe(row?.media?.['id']);
    const [stored] = await parley.db.select().from(media).where(eq(media.messageId, message.id));
    expect(stored?.bytes.equals(PNG)).toBe(true);

    // The panel shows it through its signed link.
    const token = await signPanelToken(parley.pd.users.ada);
    const page = await parley.testApp.app.inject({
      method: 'GET',
      url: `/api/panel/chats/${chatA}/messages`,
      headers: bearer(token),
    });
    const shown = page.json<MessagesPage>().messages.find((m: ChatMessage) => m.id === message.id);
    const image = await parley.testApp.app.inject({ method: 'GET', url: String(shown?.media?.['url']) });
    expect(image.statusCode).toBe(200);
    expect(image.rawPayload.equals(PNG)).toBe(true);
    // Ticks follow as for text.
    await waitForProcessing(async () => ((await messageRow(message.id))?.status === 'delivered' ? true : undefined), {
      message: 'image delivered',
    });
  });

  it('sends a document with its filename (and a voice file without a caption, as WhatsApp requires)', async () => {
    const document = await upload(
      parley.pd.users.ada,
      chatA,
      PDF,
      'application/pdf',
      'filename=quote.pdf&caption=Quote',
    );
    expect(document.statusCode).toBe(201);
    expect(parley.sandbox.whatsapp.sentToCustomer({ customer: '34600111222' }).at(-1)).toMatchObject({
      type: 'document',
      media: { filename: 'quote.pdf' },
    });
    const voice = await upload(
      parley.pd.users.ada,
      chatA,
      Buffer.from('OggS-voice-note'),
      'audio/ogg; codecs=opus',
      'filename=note.ogg&caption=ignored',
    );
    expect(voice.statusCode).toBe(201);
    const sentVoice = parley.sandbox.whatsapp.sentToCustomer({ customer: '34600111222' }).at(-1);
    expect(sentVoice?.type).toBe('audio');
    expect(sentVoice?.text ?? null).toBeNull();
  });

  it('refuses what WhatsApp would refuse, in words, before anything reaches WhatsApp', async () => {
    const before = uploads().length;
    const cases: [Buffer, string, number, string, RegExp][] = [
      [
        Buffer.from('GIF89a'),
        'image/gif',
        415,
        'media.unsupported_type',
        /cannot send this kind of file \(image\/gif\)/,
      ],
      [Buffer.alloc(5 * 1024 * 1024 + 1, 1), 'image/png', 413, 'media.too_large', /at most 5 MB/],
      [Buffer.alloc(600 * 1024, 1), 'image/webp', 413, 'media.too_large', /sticker \(WebP\) of at most 500 KB/],
      [Buffer.alloc(0), 'application/pdf', 400, 'media.empty', /empty/],
    ];
    for (const [file, type, status, code, words] of cases) {
      const response = await upload(parley.pd.users.ada, chatA, file, type, 'filename=file');
      const { error } = response.json<{ error: { code: string; message: string } }>();
      expect({ type, status: response.statusCode, code: error.code }).toEqual({ type, status, code });
      expect(error.message).toMatch(words);
    }
    const noName = await upload(parley.pd.users.ada, chatA, PNG, 'image/png', 'caption=x');
    expect(noName.statusCode).toBe(400);
    expect(uploads().length).toBe(before);
  });

  it('says what WhatsApp answered when the upload fails, and records the message as failed', async () => {
    parley.sandbox.whatsapp.expireAccessToken(acme.accessToken);
    const response = await upload(parley.pd.users.ada, chatA, PNG, 'image/png', 'filename=a.png');
    expect(response.statusCode).toBe(422);
    const { error } = response.json<{ error: { code: string; message: string; details: { messageId: string } } }>();
    expect(error.message).toMatch(/^WhatsApp did not send the message: /);
    expect((await messageRow(error.details.messageId))?.status).toBe('failed');
  });

  it('never sends into another company’s chat', async () => {
    const response = await upload(parley.pd.users.ada, chatB, PNG, 'image/png', 'filename=a.png');
    expect(response.statusCode).toBe(404);
    expect(parley.sandbox.whatsapp.sentToCustomer({ customer: '14155550101' }).some((m) => m.type === 'image')).toBe(
      false,
    );
  });
});
