import { startSandbox } from '../../sandbox/index.ts';
import { createCapturingLogger } from '../helpers/test-logger.ts';
import { createTestApp } from '../helpers/test-app.ts';
import { TEST_SECRETS } from '../helpers/test-config.ts';

interface LogLine {
  level: number;
  msg: string;
  req?: { url?: string };
}

const DEBUG = 20;
const INFO = 30;

/**
 * A small session at a terminal: Parley answers a health check, a page with a credential in its
 * query, an API call and Pipedrive's uninstall callback (an event worth a line), while the sandbox's
 * customer phone polls its chat. Returns every line both processes logged at `level`.
 */
async function runScenario(level: 'info' | 'debug'): Promise<LogLine[]> {
  const parleyLogs = createCapturingLogger(level);
  const sandboxLogs = createCapturingLogger(level);
  const testApp = await createTestApp({ logger: parleyLogs.logger });
  const sandbox = await startSandbox({ port: 0, logger: sandboxLogs.logger });
  try {
    await testApp.app.inject({ method: 'GET', url: '/livez' });
    await testApp.app.inject({ method: 'GET', url: '/login?code=oauth-code-never-logged&next=%2Fteam' });
    await testApp.app.inject({ method: 'GET', url: '/api/session' });
    const basic = Buffer.from(`${TEST_SECRETS.clientId}:${TEST_SECRETS.clientSecret}`).toString('base64');
    const uninstall = await testApp.app.inject({
      method: 'DELETE',
      url: '/oauth/callback',
      headers: { authorization: `Basic ${basic}` },
      payload: { client_id: TEST_SECRETS.clientId, company_id: 424242, user_id: 7 },
    });
    expect(uninstall.statusCode).toBe(200);
    for (let poll = 0; poll < 5; poll += 1) await fetch(`${sandbox.url}/whatsapp/phone/chat?customer=1`);
  } finally {
    await sandbox.close();
    await testApp.close();
  }
  const text = parleyLogs.text() + sandboxLogs.text();
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LogLine);
}

const requestLines = (lines: LogLine[]) => lines.filter((line) => line.req !== undefined);

describe('quiet logs by default', () => {
  it('at info: the meaningful event is one readable line, and no request or poll is logged', async () => {
    const lines = await runScenario('info');
    expect(requestLines(lines)).toEqual([]);
    expect(lines.some((line) => /request|GET |DELETE /.test(line.msg))).toBe(false);
    expect(lines.filter((line) => line.msg === 'Pipedrive uninstall callback')).toHaveLength(1);
    expect(lines.every((line) => line.level >= INFO)).toBe(true);
  });

  it('at debug: one line per request, polls included, with credentials redacted', async () => {
    const lines = await runScenario('debug');
    const requests = requestLines(lines);
    expect(requests.every((line) => line.level === DEBUG)).toBe(true);
    const messages = requests.map((line) => line.msg);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^GET \/api\/session 401 \d+ ms$/),
        expect.stringMatching(/^DELETE \/oauth\/callback 200 \d+ ms$/),
      ]),
    );
    expect(messages.filter((message) => message.startsWith('GET /whatsapp/phone/chat'))).toHaveLength(5);
    // One line per request, not Fastify's two ("incoming request" and "request completed").
    expect(messages.filter((message) => message.startsWith('GET /api/session'))).toHaveLength(1);
    // Health probes stay silent even at debug (their routes log at warn and above).
    expect(messages.filter((message) => message.startsWith('GET /livez'))).toEqual([]);
    const login = requests.find((line) => line.msg.startsWith('GET /login'));
    expect(login?.msg).toContain('code=%5Bredacted%5D');
    expect(JSON.stringify(lines)).not.toContain('oauth-code-never-logged');
  });
});
