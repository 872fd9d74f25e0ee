import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadOrCreateGeneratedSecrets } from '../../server/generated-secrets.ts';
import { parseKeyRing } from '../../server/services/crypto/key-ring.ts';

describe('loadOrCreateGeneratedSecrets', () => {
  it('mints secrets once, privately, and returns the same ones after a restart', () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'parley-secrets-')), 'nested');
    const first = loadOrCreateGeneratedSecrets(dataDir);
    const second = loadOrCreateGeneratedSecrets(dataDir);

    expect(second).toEqual(first);
    expect(parseKeyRing(first.encryptionKeys)).toHaveLength(1);
    expect(first.sessionSecret.length).toBeGreaterThanOrEqual(32);
    expect(statSync(path.join(dataDir, 'secrets.json')).mode & 0o777).toBe(0o600);
  });

  it('refuses a damaged file instead of silently replacing the keys that decrypt stored data', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-secrets-'));
    writeFileSync(path.join(dataDir, 'secrets.json'), JSON.stringify({ sessionSecret: 'x' }));
    expect(() => loadOrCreateGeneratedSecrets(dataDir)).toThrow(/damaged: "encryptionKeys" is missing/);
    expect(readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')).toContain('sessionSecret');
  });
});
