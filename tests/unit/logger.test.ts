import { redactUrl } from '../../server/logger.ts';
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
