import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { GeneratedSecrets } from './config.ts';
import { generateKeyRingText } from './services/crypto/key-ring.ts';

const FILE_NAME = 'secrets.json';

/**
 * Secrets for a self-contained install (embedded database or sandbox), minted on first start and
 * kept in DATA_DIR (mode 0600) so that data encrypted before a restart stays readable after it.
 */
export function loadOrCreateGeneratedSecrets(dataDir: string): GeneratedSecrets {
  const file = path.join(dataDir, FILE_NAME);
  const existing = readSecretsFile(file);
  if (existing !== undefined) return existing;

  const secrets: GeneratedSecrets = {
    encryptionKeys: generateKeyRingText(),
    sessionSecret: randomBytes(32).toString('base64url'),
    pipedriveClientId: `parley-sandbox-${randomBytes(6).toString('hex')}`,
    pipedriveClientSecret: randomBytes(24).toString('base64url'),
  };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
  return secrets;
}

function readSecretsFile(file: string): GeneratedSecrets | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<GeneratedSecrets>;
  const keys: (keyof GeneratedSecrets)[] = [
    'encryptionKeys',
    'sessionSecret',
    'pipedriveClientId',
    'pipedriveClientSecret',
  ];
  for (const key of keys) {
    if (typeof parsed[key] !== 'string' || parsed[key] === '') {
      throw new Error(
        `${file} is damaged: "${key}" is missing. Restore it from a backup; deleting it makes stored secrets unreadable.`,
      );
    }
  }
  return parsed as GeneratedSecrets;
}
