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

  it('finds invitation tokens and parked-install ids in logged URLs (finding 4)', () => {
    const parked = '0b0c8a4e-5f21-4c3e-9a57-2f0e3f6d9b11';
    const findings = scan([
      '{"req":{"url":"/invite/Qk1xZ3V0aGVyZS1pcy1hLXRva2Vu"}}',
      '{"req":{"url":"/api/invitations/Qk1xZ3V0aGVyZS1pcy1hLXRva2Vu/accept"}}',
      '{"req":{"url":"/login?invite=Qk1xZ3V0aGVyZS1pcy1hLXRva2Vu"}}',
      `{"req":{"url":"/oauth/resume/${parked}"}}`,
      `{"req":{"url":"/login?resume=${parked}&email=a%40b.c"}}`,
    ]);
    expect(findings.map((finding) => finding.split(' on line')[0])).toEqual([
      'invitation token',
      'invitation token',
      'invitation token',
      'parked-install id',
      'parked-install id',
    ]);
  });

  it('passes a clean log, including redacted invitation and parked-install URLs', () => {
    expect(
      scan([
        '{"msg":"request completed","statusCode":200}',
        '{"req":{"url":"/invite/[redacted]"}}',
        '{"req":{"url":"/api/invitations/[redacted]/accept"}}',
        '{"req":{"url":"/oauth/resume/[redacted]"}}',
        '{"req":{"url":"/login?resume=%5Bredacted%5D&email=a%40b.c"}}',
      ]),
    ).toEqual([]);
  });
});
