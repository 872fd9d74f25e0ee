import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { scanLogForSecrets } from '../helpers/log-scan.ts';
import { TEST_SECRETS } from '../helpers/test-config.ts';

describe('the suite log scan', () => {
  const scan = (lines: string[]) => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'parley-scan-')), 'suite.log');
    writeFileSync(file, lines.join('\n'));
    return scanLogForSecrets(file);
  };

  it('finds configured secrets, OAuth tokens and JWTs', () => {
    const findings = scan([
      '{"msg":"fine","url":"/oauth/callback?code=%5Bredacted%5D"}',
      `{"config":"${TEST_SECRETS.clientSecret}"}`,
      '{"token":"v1u:AQIBAHh0ZXN0"}',
      '{"grant":"rt-0123456789abcdef"}',
      '{"h":"eyJhbGciOiJIUzI1NiJ9.eyJ1c2VySWQiOjF9.sig"}',
    ]);
    expect(findings.map((finding) => finding.split(' on line')[0])).toEqual([
      'clientSecret',
      'access token',
      'refresh token',
      'JWT',
    ]);
  });

  it('passes a clean log', () => {
    expect(scan(['{"msg":"request completed","statusCode":200}'])).toEqual([]);
  });
});
