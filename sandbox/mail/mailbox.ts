import type { FastifyInstance } from 'fastify';
import type { SandboxClock } from '../clock.ts';

/** A message Parley sent, as the mailbox keeps it. */
export interface SandboxMail {
  id: number;
  receivedAt: Date;
  from: string;
  to: string;
  subject: string;
  text: string;
}

const KEPT = 200;

/** What a restart keeps (sandbox/persistence/): the messages and the next id. */
export interface MailboxSnapshot {
  messages: SandboxMail[];
  nextId: number;
}

/**
 * The sandbox's mailbox: Parley in sandbox mode posts every mail it sends here instead of to an SMTP
 * server (`POST /mail/messages`), and `GET /mail` shows them, newest first, with clickable links —
 * so sign-up confirmations and password resets work on one machine. Messages live in memory (and
 * in the sandbox's snapshot when it has a data directory).
 */
export function createMailbox(deps: { clock: SandboxClock; restore?: MailboxSnapshot }) {
  const messages: SandboxMail[] = [...(deps.restore?.messages ?? [])];
  let nextId = deps.restore?.nextId ?? 1;

  function receive(mail: Omit<SandboxMail, 'id' | 'receivedAt'>): SandboxMail {
    const stored = { ...mail, id: nextId, receivedAt: deps.clock.now() };
    nextId += 1;
    messages.unshift(stored);
    messages.length = Math.min(messages.length, KEPT);
    return stored;
  }

  async function routes(fastify: FastifyInstance): Promise<void> {
    const text = { type: 'string', maxLength: 20_000 } as const;
    fastify.post(
      '/mail/messages',
      {
        schema: {
          body: {
            type: 'object',
            required: ['from', 'to', 'subject', 'text'],
            properties: { from: text, to: text, subject: text, text, html: text },
          },
        },
      },
      async (request, reply) => {
        const { from, to, subject, text: body } = request.body as Record<string, string>;
        const stored = receive({ from: from ?? '', to: to ?? '', subject: subject ?? '', text: body ?? '' });
        return reply.status(201).send({ id: stored.id });
      },
    );
    fastify.get('/mail/messages', async () => ({ messages }));
    fastify.get('/mail', async (_request, reply) => reply.type('text/html').send(renderMailboxPage(messages)));
  }

  return {
    messages: messages as readonly SandboxMail[],
    receive,
    routes,
    snapshot: (): MailboxSnapshot => ({ messages, nextId }),
  };
}

export type Mailbox = ReturnType<typeof createMailbox>;

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

/** Plain text with its http(s) links made clickable; everything else escaped. */
function linkify(body: string): string {
  return body
    .split(/(https?:\/\/[^\s<>"']+)/g)
    .map((part, index) =>
      index % 2 === 1 ? `<a href="${escapeHtml(part)}">${escapeHtml(part)}</a>` : escapeHtml(part),
    )
    .join('');
}

function renderMailboxPage(messages: readonly SandboxMail[]): string {
  const list =
    messages.length === 0
      ? '<p class="muted">No mail yet. Sign up in Parley, or ask for a password reset, and the mail appears here.</p>'
      : messages
          .map(
            (mail) => `<article class="card mail" data-mail-id="${mail.id}">
  <h2>${escapeHtml(mail.subject)}</h2>
  <p class="muted">To <strong data-mail-to>${escapeHtml(mail.to)}</strong> · from ${escapeHtml(mail.from)} · ${mail.receivedAt.toISOString().replace('T', ' ').slice(0, 19)} UTC</p>
  <pre>${linkify(mail.text)}</pre>
</article>`,
          )
          .join('\n');
  return `<!doctype html>
<html lang="en" data-theme="light"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mailbox · Sandbox</title>
<link rel="stylesheet" href="/sandbox-assets/pipedrive.css">
<style>main{max-width:820px;margin:24px auto;padding:0 16px}.mail pre{white-space:pre-wrap;font:inherit;margin:0}.mail h2{margin:0 0 4px}</style>
</head><body><main>
<section class="card"><h1>Mailbox</h1><p class="muted">Every mail Parley sent in sandbox mode, newest first. Nothing leaves this machine. <a href="/start">Back to Start</a> · <a href="/mail">Refresh</a></p></section>
${list}
</main></body></html>`;
}
