import { randomUUID } from 'node:crypto';
import type { Tx } from '../../db/client.ts';
import { createErrorFactory } from '../../errors.ts';
import type { JobQueue } from '../../jobs/job-queue.ts';
import { sendMailQueue } from '../../jobs/queues.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { MailTransport, OutgoingMail } from './mail-transport.ts';

export const createMailDisabledError = createErrorFactory({
  code: 'mail.disabled',
  statusCode: 503,
  message:
    'This Parley sends no email (its operator has not set SMTP_URL), so it cannot confirm addresses. Sign in with Pipedrive instead.',
});

/** What a `mail.send` job carries: the message, encrypted (its links are secrets), bound to its id. */
export interface QueuedMail {
  mailId: string;
  ciphertext: string;
}

const aadOf = (mailId: string) => `mail:${mailId}`;

/**
 * Account mail, queued durably: `enqueue` adds a `mail.send` job in the caller's transaction, so a
 * mail exists exactly when the token it carries was committed, and a slow or failing SMTP server
 * neither blocks the request nor loses the mail (the job retries). Bodies are never logged.
 */
export function createMailService(deps: {
  jobs: JobQueue;
  secretBox: SecretBox;
  from: string;
  transport: MailTransport | undefined;
}) {
  const open = (queued: QueuedMail): OutgoingMail =>
    JSON.parse(deps.secretBox.decrypt(queued.ciphertext, aadOf(queued.mailId))) as OutgoingMail;

  return {
    /** False when Parley has no way to send mail (production without SMTP_URL). */
    enabled: deps.transport !== undefined,

    /** Throws `mail.disabled` when mail is off, so flows that depend on a mailed link say so. */
    requireEnabled(): void {
      if (deps.transport === undefined) throw createMailDisabledError();
    },

    async enqueue(tx: Tx, mail: OutgoingMail): Promise<void> {
      if (deps.transport === undefined) throw createMailDisabledError();
      const mailId = randomUUID();
      const ciphertext = deps.secretBox.encrypt(JSON.stringify(mail), aadOf(mailId));
      await deps.jobs.send(sendMailQueue, { mailId, ciphertext }, { tx });
    },

    /** Opens a queued mail (the job handler, and tests reading the outbox). */
    open,

    async deliver(queued: QueuedMail): Promise<void> {
      if (deps.transport === undefined) throw createMailDisabledError();
      await deps.transport.send({ ...open(queued), from: deps.from });
    },
  };
}

export type MailService = ReturnType<typeof createMailService>;
