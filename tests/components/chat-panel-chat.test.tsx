import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { chatSummary, message, page, readyContext } from './helpers/chat-fixtures.ts';
import { CHAT, connectedServer, MESSAGES, openPanel } from './helpers/chat-panel-harness.tsx';
import { FakeEventSource } from './helpers/fake-server.ts';

describe('chat panel with a chat', () => {
  it('renders every message type, replies with their original, reactions, ticks and failures in words', async () => {
    const question = message({ body: 'Do you ship to Madrid?', providerMessageId: 'wamid.q' });
    const answer = message({ direction: 'outbound', body: 'Yes, tomorrow.', status: 'read' });
    connectedServer({
      [`GET ${MESSAGES}`]: {
        body: page([
          question,
          answer,
          message({ type: 'reaction', body: '👍', context: { messageId: answer.providerMessageId } }),
          message({ body: 'Great, thanks', context: { id: 'wamid.q' } }),
          message({ type: 'image', media: { url: '/media/1.jpg', caption: 'The broken part' } }),
          message({ type: 'sticker', media: { url: '/media/2.webp' } }),
          message({ type: 'audio', media: { url: '/media/3.ogg' } }),
          message({ type: 'video', media: { url: '/media/4.mp4' } }),
          message({ type: 'document', media: { url: '/media/5.pdf', filename: 'invoice.pdf' } }),
          message({ type: 'location', media: { latitude: 40.4168, longitude: -3.7038, name: 'Puerta del Sol' } }),
          message({
            type: 'contacts',
            media: { contacts: [{ name: { formatted_name: 'Ana Ruiz' }, phones: [{ phone: '+34 611 222 333' }] }] },
          }),
          message({ type: 'button', body: 'Yes, call me' }),
          message({ direction: 'outbound', body: 'Queued one', status: 'accepted' }),
          message({ direction: 'outbound', body: 'Delivered one', status: 'delivered' }),
          message({
            direction: 'outbound',
            body: 'Too late',
            status: 'failed',
            error: { code: 131047, title: 'Re-engagement message' },
          }),
          message({
            direction: 'outbound',
            body: 'Unknown failure',
            status: 'failed',
            error: { code: 999, title: 'Strange', detail: 'Something specific' },
          }),
        ]),
      },
    });
    openPanel();
    await screen.findByText('Do you ship to Madrid?', { selector: '.text' });
    expect(screen.getByRole('img', { name: 'The broken part' }).getAttribute('src')).toBe('/media/1.jpg');
    expect(screen.getByText('The broken part', { selector: 'figcaption' })).toBeTruthy();
    expect(screen.getByRole('img', { name: 'Sticker' })).toBeTruthy();
    expect(screen.getByLabelText('Voice message').getAttribute('src')).toBe('/media/3.ogg');
    expect(document.querySelector('video')?.getAttribute('src')).toBe('/media/4.mp4');
    expect(screen.getByRole('link', { name: /Download invoice\.pdf/ }).getAttribute('href')).toBe('/media/5.pdf');
    expect(screen.getByRole('link', { name: /Puerta del Sol/ }).getAttribute('href')).toContain('mlat=40.4168');
    expect(screen.getByText(/Ana Ruiz \+34 611 222 333/)).toBeTruthy();
    expect(screen.getByText('Button reply')).toBeTruthy();
    // The reply quotes its original; the reaction sits on the message it reacts to.
    const reply = screen.getByText('Great, thanks').closest('li') as HTMLElement;
    expect(within(reply).getByLabelText('In reply to').textContent).toBe('Do you ship to Madrid?');
    const reacted = screen.getByText('Yes, tomorrow.').closest('li') as HTMLElement;
    expect(within(reacted).getByLabelText('Reactions: 👍')).toBeTruthy();
    expect(within(reacted).getByLabelText('Read')).toBeTruthy();
    expect(screen.getByLabelText('Queued')).toBeTruthy();
    expect(screen.getByLabelText('Delivered')).toBeTruthy();
    expect(
      screen.getByText('Not sent: more than 24 hours since they last wrote. Send a template instead.', {
        selector: '[role=note]',
      }),
    ).toBeTruthy();
    expect(screen.getByText('Not sent: Something specific.', { selector: '[role=note]' })).toBeTruthy();
    // 16 messages, of which one reaction shown on its target rather than as a bubble of its own.
    expect(document.querySelectorAll('li.message')).toHaveLength(15);
  });

  it('shows the window state and sends on Enter, not on Shift+Enter', async () => {
    const server = connectedServer({ [`POST ${MESSAGES}`]: { status: 202, body: { id: 'new' } } });
    openPanel();
    await screen.findByText('Hola, ¿tienen stock?');
    expect(screen.getByText('Window open: closes in 5 h')).toBeTruthy();
    const input = screen.getByRole('textbox', { name: 'Message' });
    fireEvent.input(input, { target: { value: 'First line' } });
    fireEvent.keyDown(input, { key: 'Enter', shiftKey: true });
    expect(server.sent('POST', MESSAGES)).toHaveLength(0);
    fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(server.sent('POST', MESSAGES)).toHaveLength(1));
    expect(server.sent('POST', MESSAGES)[0]?.body).toEqual({ text: 'First line' });
    await waitFor(() => expect((input as HTMLTextAreaElement).value).toBe(''));
  });

  it('attaches a file WhatsApp accepts and sends it with the text as its caption; refuses others in words', async () => {
    const UPLOAD = `/api/panel/chats/${CHAT}/media`;
    const server = connectedServer({ [`POST ${UPLOAD}`]: { status: 201, body: { message: { id: 'new' } } } });
    openPanel();
    await screen.findByText('Hola, ¿tienen stock?');
    const picker = screen.getByLabelText('File to send');
    const gif = new File(['GIF89a'], 'funny.gif', { type: 'image/gif' });
    fireEvent.change(picker, { target: { files: [gif] } });
    expect((await screen.findByRole('alert')).textContent).toMatch(/cannot send this kind of file \(image\/gif\)/);
    const huge = new File([new Uint8Array(5 * 1024 * 1024 + 1)], 'huge.png', { type: 'image/png' });
    fireEvent.change(picker, { target: { files: [huge] } });
    await screen.findByText(/WhatsApp takes an image \(JPEG or PNG\) of at most 5 MB/);

    const photo = new File([new Uint8Array([137, 80, 78, 71])], 'blue model.png', { type: 'image/png' });
    fireEvent.change(picker, { target: { files: [photo] } });
    await screen.findByText(/blue model\.png/);
    expect(screen.queryByRole('alert')).toBeNull();
    const caption = screen.getByRole('textbox', { name: 'Caption' });
    fireEvent.input(caption, { target: { value: 'The blue one' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(server.sent('POST', UPLOAD)).toHaveLength(1));
    const [upload] = server.sent('POST', UPLOAD);
    expect(upload?.query.get('filename')).toBe('blue model.png');
    expect(upload?.query.get('caption')).toBe('The blue one');
    expect(upload?.headers['content-type']).toBe('image/png');
    expect(upload?.raw).toBe(photo);
    // Sent: the attachment and the caption are cleared.
    await waitFor(() => expect(screen.queryByText(/blue model\.png/)).toBeNull());
    expect(screen.getByRole('textbox', { name: 'Message' })).toBeTruthy();
  });

  it('sends audio without a caption, as WhatsApp requires, and says so', async () => {
    const UPLOAD = `/api/panel/chats/${CHAT}/media`;
    const server = connectedServer({ [`POST ${UPLOAD}`]: { status: 201, body: { message: { id: 'new' } } } });
    openPanel();
    await screen.findByText('Hola, ¿tienen stock?');
    const voice = new File([new Uint8Array([79, 103, 103, 83])], 'note.ogg', { type: 'audio/ogg' });
    fireEvent.change(screen.getByLabelText('File to send'), { target: { files: [voice] } });
    const caption = await screen.findByRole('textbox', { name: 'Caption' });
    expect(caption.getAttribute('placeholder')).toMatch(/without a caption/);
    fireEvent.input(caption, { target: { value: 'ignored words' } });
    fireEvent.keyDown(caption, { key: 'Enter' });
    await waitFor(() => expect(server.sent('POST', UPLOAD)).toHaveLength(1));
    expect(server.sent('POST', UPLOAD)[0]?.query.has('caption')).toBe(false);
    expect(server.sent('POST', UPLOAD)[0]?.headers['content-type']).toBe('audio/ogg');
  });

  it('shows the server’s sentence when sending fails and keeps the text', async () => {
    connectedServer({
      [`POST ${MESSAGES}`]: {
        status: 409,
        body: {
          error: {
            code: 'whatsapp.window_closed',
            message: 'More than 24 hours since they wrote: pick a template.',
          },
        },
      },
    });
    openPanel();
    const input = await screen.findByRole('textbox', { name: 'Message' });
    fireEvent.input(input, { target: { value: 'Are you there?' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'More than 24 hours since they wrote: pick a template.',
    );
    expect((input as HTMLTextAreaElement).value).toBe('Are you there?');
  });

  it('outside the window offers only templates, pre-filled from Pipedrive and editable before sending', async () => {
    const closed = chatSummary({ window: { state: 'closed', closesAt: new Date(Date.now() - 1000).toISOString() } });
    const server = connectedServer({
      'GET /api/panel/context': { body: readyContext({ chats: [closed] }) },
      [`GET ${MESSAGES}`]: { body: page([message({ body: 'Old message' })], closed) },
      [`POST ${MESSAGES}`]: { status: 202, body: { id: 'new' } },
    });
    openPanel();
    await screen.findByText('Old message');
    expect(screen.getByText('Window closed: only templates can be sent')).toBeTruthy();
    expect(screen.queryByRole('textbox', { name: 'Message' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Send a template…' }));
    const first = screen.getByRole('combobox', { name: 'Variable {{1}}' });
    const second = screen.getByRole('combobox', { name: 'Variable {{2}}' });
    expect((first as HTMLInputElement).value).toBe('Maria');
    expect((second as HTMLInputElement).value).toBe('Website redesign');
    expect(screen.getByLabelText('Preview').textContent).toBe('Hi Maria, your order Website redesign is ready.');
    fireEvent.input(second, { target: { value: '#4521' } });
    expect(screen.getByLabelText('Preview').textContent).toBe('Hi Maria, your order #4521 is ready.');
    fireEvent.input(first, { target: { value: ' ' } });
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Send template' }).disabled).toBe(true);
    fireEvent.input(first, { target: { value: 'María' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send template' }));
    await waitFor(() => expect(server.sent('POST', MESSAGES)).toHaveLength(1));
    expect(server.sent('POST', MESSAGES)[0]?.body).toEqual({
      template: {
        name: 'order_update',
        language: 'en_US',
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'María' },
              { type: 'text', text: '#4521' },
            ],
          },
        ],
      },
    });
  });

  it('shows a tab per number with unread counts and switches chats', async () => {
    const second = chatSummary({
      id: '22222222-2222-4222-8222-222222222222',
      contact: { name: 'Maria G.', number: '+34600999888' },
      unread: 2,
    });
    connectedServer({
      'GET /api/panel/context': { body: readyContext({ chats: [chatSummary(), second] }) },
      [`GET /api/panel/chats/${second.id}/messages`]: {
        body: page([message({ body: 'From the other phone' })], second),
      },
      [`POST /api/panel/chats/${second.id}/read`]: { body: { marked: 2 } },
    });
    openPanel();
    await screen.findByText('Hola, ¿tienen stock?');
    const tabs = screen.getAllByRole('tab');
    expect(tabs.map((tab) => tab.textContent)).toEqual(['+34600111222', '+346009998882']);
    expect(tabs[0]?.getAttribute('aria-selected')).toBe('true');
    fireEvent.click(tabs[1] as HTMLElement);
    expect(await screen.findByText('From the other phone')).toBeTruthy();
  });

  it('marks unread messages read when the chat is shown', async () => {
    const unread = chatSummary({ unread: 1 });
    const server = connectedServer({ [`GET ${MESSAGES}`]: { body: page([message({ body: 'New!' })], unread) } });
    openPanel();
    await screen.findByText('New!');
    await waitFor(() => expect(server.sent('POST', `/api/panel/chats/${CHAT}/read`)).toHaveLength(1));
  });

  it('pins the chat to this deal when it belongs to another', async () => {
    const elsewhere = chatSummary({ links: { personId: 10, dealId: 99, leadId: null } });
    const server = connectedServer({
      'GET /api/panel/context': { body: readyContext({ chats: [elsewhere] }) },
      [`GET ${MESSAGES}`]: { body: page([message({ body: 'Hi' })], elsewhere) },
      [`POST /api/panel/chats/${CHAT}/pin`]: { body: { ok: true } },
    });
    openPanel();
    fireEvent.click(await screen.findByRole('button', { name: 'Pin to this deal' }));
    expect(await screen.findByText('Pinned: this chat now belongs to this deal.')).toBeTruthy();
    expect(server.sent('POST', `/api/panel/chats/${CHAT}/pin`)[0]?.body).toEqual({ dealId: 20 });
  });

  it('shows a new message live when its event arrives, and reconnects with a new ticket and the last id', async () => {
    let messages = [message({ body: 'Hola, ¿tienen stock?' })];
    let ticket = 0;
    const server = connectedServer({
      [`GET ${MESSAGES}`]: () => ({ body: page(messages) }),
      'POST /api/panel/events-ticket': () => ({ body: { ticket: `ticket-${++ticket}`, expiresAt: '' } }),
    });
    openPanel();
    await screen.findByText('Hola, ¿tienen stock?');
    await waitFor(() => expect(FakeEventSource.instances).toHaveLength(1));
    const stream = FakeEventSource.latest();
    // The first stream resumes after the event seq at which the context was read (its liveFrom):
    // an event between that read and the stream is replayed, not lost.
    expect(stream.url).toBe('/api/panel/events?ticket=ticket-1&lastEventId=40');
    stream.open();
    messages = [...messages, message({ body: 'Hi' })];
    stream.emit({ seq: 41, type: 'message.created', payload: { chatId: CHAT }, at: '' }, '41');
    expect(await screen.findByText('Hi')).toBeTruthy();
    // The server closed the stream (a restart): a new ticket, resuming after event 41.
    jest.useFakeTimers();
    try {
      stream.fail();
      expect(stream.closed).toBe(true);
      await jest.advanceTimersByTimeAsync(1100);
    } finally {
      jest.useRealTimers();
    }
    await waitFor(() => expect(FakeEventSource.instances).toHaveLength(2));
    expect(FakeEventSource.latest().url).toBe('/api/panel/events?ticket=ticket-2&lastEventId=41');
    expect(server.sent('POST', '/api/panel/events-ticket')).toHaveLength(2);
  });
});
