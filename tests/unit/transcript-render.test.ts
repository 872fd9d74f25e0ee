import fc from 'fast-check';
import {
  MESSAGE_TEXT_LIMIT_BYTES,
  PART_LIMIT_BYTES,
  renderTranscript,
  type TranscriptInput,
  type TranscriptMessage,
} from '../../server/services/sync/transcript-render.ts';

let counter = 0;
const message = (overrides: Partial<TranscriptMessage> = {}): TranscriptMessage => {
  counter += 1;
  return {
    id: `m-${counter}`,
    providerMessageId: `wamid.${counter}`,
    direction: 'inbound',
    type: 'text',
    body: `text ${counter}`,
    media: null,
    context: null,
    content: null,
    status: 'received',
    error: null,
    senderName: 'Carla Customer',
    sentAt: new Date(Date.UTC(2026, 10, 30, 9, counter % 60)),
    ...overrides,
  };
};

const render = (messages: TranscriptMessage[], earlier = new Map<string, TranscriptMessage>()) =>
  renderTranscript({
    reference: 'parley:chat-1:2026-11-30',
    day: '2026-11-30',
    contactLabel: 'Carla Customer +34600111222',
    channelLabel: 'Acme Sales',
    messages,
    earlier,
    mediaUrl: (id) => `https://parley.example/media/${id}`,
  } satisfies TranscriptInput);

const only = (messages: TranscriptMessage[]) => {
  const parts = render(messages);
  expect(parts).toHaveLength(1);
  return parts[0]?.html ?? '';
};

/** What a browser shows for escaped text (the inverse of the renderer's escaping). */
const unescape = (html: string) =>
  html
    .replace(/<br>/g, '\n')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

describe('transcript rendering', () => {
  it('escapes HTML-like text and keeps line breaks', () => {
    const html = only([message({ body: '<img src=x onerror=alert(1)>\n"quoted" & \'single\'' })]);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;<br>&quot;quoted&quot; &amp; &#39;single&#39;');
    expect(html).not.toContain('<img');
  });

  it('renders a voice note, a document and a photo as links to Parley media, with captions', () => {
    const voice = message({ type: 'audio', body: null, media: { voice: true, mimeType: 'audio/ogg' } });
    const document = message({ type: 'document', body: null, media: { filename: 'quote <v2>.pdf' } });
    const photo = message({ type: 'image', body: 'the <front> door' });
    const html = only([voice, document, photo]);
    expect(html).toContain(`<a href="https://parley.example/media/${voice.id}">Voice message</a>`);
    expect(html).toContain(`<a href="https://parley.example/media/${document.id}">Document: quote &lt;v2&gt;.pdf</a>`);
    expect(html).toContain(`<a href="https://parley.example/media/${photo.id}">Photo</a> the &lt;front&gt; door`);
  });

  it('renders a location as a map link with its name', () => {
    const html = only([
      message({
        type: 'location',
        body: null,
        content: { latitude: 40.4168, longitude: -3.7038, name: 'Puerta del Sol', address: 'Madrid' },
      }),
    ]);
    expect(html).toContain(
      '📍 <a href="https://www.openstreetmap.org/?mlat=40.4168&amp;mlon=-3.7038#map=17/40.4168/-3.7038">Puerta del Sol, Madrid</a>',
    );
  });

  it('shows reactions on their message, the latest per sender, and drops removed ones', () => {
    const target = message({ direction: 'outbound', senderName: 'Ada Admin', status: 'read', body: 'Price is 10€' });
    const react = (emoji: string, sender: string) =>
      message({
        type: 'reaction',
        body: null,
        senderName: sender,
        content: { messageId: target.providerMessageId, emoji },
      });
    const html = only([target, react('👍', 'Carla'), react('❤️', 'Carla'), react('😮', 'Bob'), react('', 'Bob')]);
    expect(html).toContain('Price is 10€ ✓✓ read <small>[❤️]</small>');
    expect(html).not.toContain('👍');
    expect(html).not.toContain('reacted');
  });

  it('quotes the message a reply answers, even from an earlier day, and says what an orphan reaction was for', () => {
    const yesterday = message({ body: 'Do you ship to Lisbon?' });
    const reply = message({
      direction: 'outbound',
      senderName: 'Sam Seller',
      status: 'delivered',
      body: 'Yes we do',
      context: { replyTo: yesterday.providerMessageId },
    });
    const reaction = message({
      type: 'reaction',
      body: null,
      content: { message_id: yesterday.providerMessageId, emoji: '🙏' },
    });
    const html = render([reply, reaction], new Map([[yesterday.providerMessageId ?? '', yesterday]]))[0]?.html ?? '';
    expect(html).toContain('<blockquote>↩ Carla Customer: Do you ship to Lisbon?</blockquote>');
    expect(html).toContain('<b>Sam Seller</b>: Yes we do ✓✓');
    expect(html).toContain('reacted 🙏 to &quot;Do you ship to Lisbon?&quot;');
  });

  it('marks delivery state: sent, delivered, read, and failure with its reason', () => {
    const html = only([
      message({ direction: 'outbound', status: 'sent', body: 'a' }),
      message({
        direction: 'outbound',
        status: 'failed',
        body: 'b',
        error: { code: 131047, title: 'Re-engagement <message>' },
      }),
    ]);
    expect(html).toContain('a ✓</div>');
    expect(html).toContain('b <i>⚠ not delivered: Re-engagement &lt;message&gt;</i>');
  });

  it('keeps a 10,000-character message whole and truncates a 64 KB one with a marker, in one note', () => {
    const long = 'ñ'.repeat(10_000);
    expect(only([message({ body: long })])).toContain(long);
    const huge = 'x'.repeat(64 * 1024);
    const parts = render([message({ body: huge })]);
    expect(parts).toHaveLength(1);
    expect(parts[0]?.html).toContain('… (truncated)');
    expect(Buffer.byteLength(parts[0]?.html ?? '')).toBeLessThan(MESSAGE_TEXT_LIMIT_BYTES + 2_000);
  });

  it('rolls a day over the size limit into continuation parts that never exceed it, each with its marker', () => {
    const messages = Array.from({ length: 12 }, () => message({ body: 'y'.repeat(20_000) }));
    const parts = render(messages);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(Buffer.byteLength(part.html)).toBeLessThanOrEqual(PART_LIMIT_BYTES);
      expect(part.html).toContain(`parley:chat-1:2026-11-30/part-${part.part}`);
    }
    expect(parts[1]?.html).toContain('(continued, part 2)');
    expect(parts.reduce((sum, part) => sum + part.messageCount, 0)).toBe(12);
  });

  it('keeps each message in its part when statuses and reactions change later', () => {
    const messages = Array.from({ length: 12 }, () =>
      message({ direction: 'outbound', status: 'sent', body: 'z'.repeat(20_000) }),
    );
    const before = render(messages).map((part) => part.lastMessageId);
    const later = messages.map((m) => ({ ...m, status: 'failed', error: { code: 1, title: 'e'.repeat(500) } }));
    expect(render(later).map((part) => part.lastMessageId)).toEqual(before);
  });

  it('round-trips arbitrary text (emoji, RTL, HTML-like), except NUL which is dropped', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }), (text) => {
        const html = only([message({ body: text })]);
        const shown = /<\/b>: (.*)<\/div><p data-parley/s.exec(html)?.[1] ?? '';
        expect(unescape(shown)).toBe(text.replaceAll('\u0000', '').replace(/\r\n/g, '\n'));
      }),
    );
  });
});
