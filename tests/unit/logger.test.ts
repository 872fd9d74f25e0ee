import { jest } from '@jest/globals';
import Fastify from 'fastify';
import { lazyRequestLogger, QuietRequestLogs, redactUrl } from '../../server/logger.ts';
import { createCapturingLogger } from '../helpers/test-logger.ts';

const captureLogs = () => createCapturingLogger('info');

describe('logger redaction', () => {
  it('never writes tokens, secrets or credential headers', () => {
    const { logger, text } = captureLogs();
    logger.info(
      {
        req: {
          method: 'GET',
          url: '/x?token=eyJhbGciOi.jwt&view=details',
          headers: { authorization: 'Bearer live-access-token' },
        },
      },
      'request',
    );
    logger.info(
      { grant: { access_token: 'at-123', refresh_token: 'rt-456', api_domain: 'https://acme.pipedrive.com' } },
      'token response',
    );
    logger.info(
      {
        connection: { accessToken: 'at-789', refreshToken: 'rt-000' },
        channel: { appSecret: 'app-secret', verifyToken: 'verify' },
      },
      'saved',
    );

    const output = text();
    for (const secret of [
      'eyJhbGciOi',
      'live-access-token',
      'at-123',
      'rt-456',
      'at-789',
      'rt-000',
      'app-secret',
      '"verify"',
    ]) {
      expect(output).not.toContain(secret);
    }
    expect(output).toContain('https://acme.pipedrive.com');
    expect(output).toContain('view=details');
  });

  it('redacts credential query parameters but keeps the rest of the URL', () => {
    expect(redactUrl('/oauth/callback?code=abc&state=def&other=1')).toBe(
      '/oauth/callback?code=%5Bredacted%5D&state=%5Bredacted%5D&other=1',
    );
    expect(redactUrl('/livez')).toBe('/livez');
  });
});

describe('request loggers made on first use', () => {
  async function appLoggingAt(level: 'debug' | 'info') {
    const capture = createCapturingLogger(level);
    const app = Fastify({
      loggerInstance: capture.logger,
      logController: new QuietRequestLogs(),
      childLoggerFactory: lazyRequestLogger,
      genReqId: () => 'req-42',
    });
    app.get('/quiet', async (request) => {
      request.log.debug({ detail: 1 }, 'debug line');
      return 'ok';
    });
    app.get('/loud', async (request) => {
      request.log.info({ channel: { appSecret: 'app-secret' } }, 'info line');
      return 'ok';
    });
    app.get('/verbose', { logLevel: 'debug' }, async (request) => {
      request.log.debug('route-level debug line');
      return 'ok';
    });
    await app.ready();
    return { app, ...capture };
  }

  it('writes the same lines as an eager child: bound to the request id, redacted, level-gated', async () => {
    const { app, text } = await appLoggingAt('info');
    await app.inject({ url: '/quiet' });
    await app.inject({ url: '/loud' });
    await app.inject({ url: '/verbose' });
    const lines = text()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line['msg'])).toEqual([
      'info line',
      'route-level debug line',
      expect.stringMatching(/^GET \/verbose 200 \d+ ms$/),
    ]);
    for (const line of lines) expect(line['reqId']).toBe('req-42');
    expect(text()).not.toContain('app-secret');
    await app.close();
  });

  it('makes no child logger for a request that logs nothing at an enabled level', async () => {
    const { app, logger, text } = await appLoggingAt('info');
    const child = jest.spyOn(logger, 'child');
    await app.inject({ url: '/quiet' });
    expect(child).not.toHaveBeenCalled();
    expect(text()).toBe('');
    await app.inject({ url: '/loud' });
    expect(child).toHaveBeenCalledTimes(1);
    await app.close();
  });

  it('writes debug lines, and the request summary, when the logger is at debug', async () => {
    const { app, text } = await appLoggingAt('debug');
    await app.inject({ url: '/quiet' });
    expect(text()).toContain('"msg":"debug line"');
    expect(text()).toMatch(/"msg":"GET \/quiet 200 \d+ ms"/);
    await app.close();
  });
});
