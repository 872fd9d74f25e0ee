import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startSandbox, type Sandbox } from '../../sandbox/index.ts';
import type { WorkerRunner } from '../../server/jobs/worker-runner.ts';
import {
  createMailTransport,
  type MailTransport,
  type OutgoingMail,
} from '../../server/services/mail/mail-transport.ts';
import { createBrowser } from '../helpers/browser-session.ts';
import { startTestWorkers } from '../helpers/connected-company.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { waitFor } from '../helpers/wait-for.ts';

/** The smallest SMTP server nodemailer will talk to: it accepts every message and keeps its DATA. */
async function startFakeSmtpServer(): Promise<{ url: string; messages: string[]; close(): Promise<void> }> {
  const messages: string[] = [];
  const server: Server = createServer((socket) => {
    let buffer = '';
    let data: string | undefined;
    socket.write('220 fake.smtp ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let newline = buffer.indexOf('\r\n');
      while (newline !== -1) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 2);
        if (data !== undefined) {
          if (line === '.') {
            messages.push(data);
            data = undefined;
            socket.write('250 queued\r\n');
          } else data += `${line}\n`;
        } else if (/^(EHLO|HELO)/i.test(line)) socket.write('250 fake.smtp\r\n');
        else if (/^DATA/i.test(line)) {
          data = '';
          socket.write('354 go ahead\r\n');
        } else if (/^QUIT/i.test(line)) socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
        newline = buffer.indexOf('\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const signUp = (testApp: TestApp, email: string) =>
  createBrowser(testApp.app).post('/api/auth/signup', {
    email,
    password: 'a long enough password',
    name: 'New',
    workspaceName: 'New team',
  });

describe('account mail: queued with its token, delivered by the worker', () => {
  let testApp: TestApp | undefined;
  let workers: WorkerRunner | undefined;

  afterEach(async () => {
    await workers?.stop();
    await testApp?.close();
    workers = undefined;
    testApp = undefined;
  });

  it('delivers over SMTP_URL with MAIL_FROM, and the job is gone afterwards', async () => {
    const smtp = await startFakeSmtpServer();
    try {
      testApp = await createTestApp({
        config: { mail: { transport: 'smtp', smtpUrl: smtp.url, from: 'Parley <parley@example.test>' } },
      });
      expect((await signUp(testApp, 'new@example.test')).statusCode).toBe(202);
      workers = await startTestWorkers(testApp);
      const raw = await waitFor(() => smtp.messages[0], { message: 'the SMTP server received the mail' });
      expect(raw).toMatch(/^From: Parley <parley@example\.test>$/m);
      expect(raw).toMatch(/^To: new@example\.test$/m);
      expect(raw).toMatch(/^Subject: Confirm your email for Parley$/m);
      expect(raw.replace(/=\n/g, '')).toContain('http://localhost:3000/verify-email#token=');
      const app = testApp;
      await waitFor(async () => {
        const { rows } = await app.database.pool.query(
          "select state from pgboss.job where name = 'mail.send' and state <> 'completed'",
        );
        return rows.length === 0;
      });
    } finally {
      await smtp.close();
    }
  });

  it('a failing SMTP server neither blocks the request nor loses the mail: the job retries', async () => {
    const sent: OutgoingMail[] = [];
    let failures = 0;
    const flaky: MailTransport = {
      async send(mail) {
        if (failures < 1) {
          failures += 1;
          throw new Error('421 service not available');
        }
        sent.push(mail);
      },
    };
    testApp = await createTestApp({ mailTransport: flaky });
    workers = await startTestWorkers(testApp);
    expect((await signUp(testApp, 'new@example.test')).statusCode).toBe(202);
    await waitFor(() => failures === 1, { message: 'the first delivery failed' });
    const delivered = await waitFor(() => sent[0], { timeoutMs: 40_000, message: 'the retry delivered the mail' });
    expect(delivered).toMatchObject({ to: 'new@example.test', subject: 'Confirm your email for Parley' });
    expect(sent).toHaveLength(1);
  }, 60_000);

  it('nothing is queued when the request fails: the mail and its token commit together', async () => {
    testApp = await createTestApp();
    const weak = await createBrowser(testApp.app).post('/api/auth/signup', {
      email: 'new@example.test',
      password: 'short',
      name: 'New',
      workspaceName: 'New',
    });
    expect(weak.statusCode).toBe(400);
    const { rows } = await testApp.database.pool.query("select 1 from pgboss.job where name = 'mail.send'");
    expect(rows).toEqual([]);
    expect((await testApp.database.pool.query('select 1 from email_tokens')).rows).toEqual([]);
  });

  it('without SMTP_URL outside the sandbox, flows that need mail say so clearly', async () => {
    testApp = await createTestApp({ config: { mail: { transport: 'disabled', from: 'Parley <p@example.test>' } } });
    const response = await signUp(testApp, 'new@example.test');
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ error: { code: 'mail.disabled' } });
    const reset = await createBrowser(testApp.app).post('/api/auth/password-reset', { email: 'a@example.test' });
    expect(reset.json()).toMatchObject({ error: { code: 'mail.disabled' } });
  });
});

describe('sandbox mailbox', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
  });

  afterAll(async () => {
    await sandbox.close();
  });

  it('receives what Parley sends in sandbox mode and lists it newest first, links clickable', async () => {
    const transport = createMailTransport({
      transport: 'sandbox',
      inboxUrl: `${sandbox.url}/mail/messages`,
      from: 'Parley <parley@localhost>',
    });
    const mail = (subject: string, link: string) => ({
      from: 'Parley <parley@localhost>',
      to: 'new@example.test',
      subject,
      text: `Hello.\n\nConfirm: ${link}\n\n<script>alert(1)</script>`,
      html: '',
    });
    await transport?.send(mail('First', 'http://localhost:3000/verify-email#token=first'));
    await transport?.send(mail('Second', 'http://localhost:3000/verify-email#token=second'));
    expect(sandbox.mailbox.messages.map((m) => m.subject)).toEqual(['Second', 'First']);
    const page = await (await fetch(`${sandbox.url}/mail`)).text();
    expect(page.indexOf('Second')).toBeLessThan(page.indexOf('First'));
    expect(page).toContain(
      '<a href="http://localhost:3000/verify-email#token=second">http://localhost:3000/verify-email#token=second</a>',
    );
    expect(page).not.toContain('<script>alert(1)</script>');
    const refused = await fetch(`${sandbox.url}/mail/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"to":"x"}',
    });
    expect(refused.status).toBe(400);
  });
});
