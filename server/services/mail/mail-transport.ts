import type { Transporter } from 'nodemailer';
import type { MailConfig } from '../../config.ts';

/** A rendered message, ready to hand to a transport. Its links are secrets: never log it. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Hands a message to whatever delivers it. Throws when delivery failed (the job then retries). */
export interface MailTransport {
  send(mail: OutgoingMail & { from: string }): Promise<void>;
}

const SANDBOX_TIMEOUT_MS = 5000;

/**
 * SMTP through nodemailer, or — in sandbox mode — an HTTP post to the sandbox's mailbox, which
 * shows what Parley sent. `undefined` when mail is off.
 */
export function createMailTransport(config: MailConfig): MailTransport | undefined {
  switch (config.transport) {
    case 'smtp': {
      // Loaded at the first message: nodemailer is ~5 MB of heap and a tenth of a second of start
      // that `npm start` (mail off, or the sandbox's mailbox) never uses (issue 13).
      let smtp: Promise<Transporter> | undefined;
      return {
        async send(mail) {
          // nodemailer reads host, port, TLS and credentials from the URL (smtps:// is implicit TLS).
          smtp ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(config.smtpUrl));
          await (await smtp).sendMail(mail);
        },
      };
    }
    case 'sandbox':
      return {
        async send(mail) {
          const response = await fetch(config.inboxUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(mail),
            signal: AbortSignal.timeout(SANDBOX_TIMEOUT_MS),
          });
          if (!response.ok) throw new Error(`the sandbox mailbox answered ${response.status}`);
        },
      };
    case 'disabled':
      return undefined;
  }
}
