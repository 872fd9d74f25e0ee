import { readFileSync } from 'node:fs';
import { TEST_SECRETS } from './test-config.ts';

/**
 * What must never appear in a log line (reliability.md U7): the configured secrets, anything
 * shaped like the tokens tests and the sandbox issue (OAuth access and refresh tokens, JWTs), and
 * invitation tokens and parked-install ids in the URLs that carry them.
 */
const SECRET_PATTERNS: { name: string; pattern: RegExp }[] = [
  ...Object.entries(TEST_SECRETS).map(([name, value]) => ({
    name,
    pattern: new RegExp(value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
  })),
  { name: 'access token', pattern: /v1u:[A-Za-z0-9_-]{8,}/ },
  { name: 'refresh token', pattern: /\brt-[0-9a-f]{16}\b/ },
  { name: 'JWT', pattern: /eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}/ },
  // Mailed links (sign-up confirmation, reset, new address) and the bodies that carry them.
  { name: 'mailed link token', pattern: /#token=[A-Za-z0-9_-]{20,}/ },
  { name: 'mail body', pattern: /The link works once/ },
  // Bearer secrets that travel in URLs: invitation links and parked installs (issue 7, finding 4).
  { name: 'invitation token', pattern: /\/(?:invite|api\/invitations)\/(?!\[redacted\])[A-Za-z0-9_-]{16,}/ },
  { name: 'invitation token', pattern: /[?&]invite=(?!%5Bredacted%5D)[A-Za-z0-9_-]{16,}/i },
  {
    name: 'parked-install id',
    pattern:
      /(?:\/oauth\/resume\/|[?&]resume=)(?!\[redacted\]|%5Bredacted%5D)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i,
  },
];

/** Returns one line per finding (secret name and the log line number), empty when clean. */
export function scanLogForSecrets(file: string): string[] {
  const findings: string[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      for (const { name, pattern } of SECRET_PATTERNS)
        if (pattern.test(line)) findings.push(`${name} on line ${index + 1}: ${line.slice(0, 300)}`);
    });
  return findings;
}
