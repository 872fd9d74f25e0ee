import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { MailboxSnapshot } from '../mail/mailbox.ts';
import type { PipedriveSnapshot } from '../pipedrive/persistence.ts';
import type { WhatsAppIdentities, WhatsAppSnapshot } from '../whatsapp/persistence.ts';
import { decodeSnapshot, encodeSnapshot } from './codec.ts';

/**
 * The sandbox's memory across restarts, in `DATA_DIR/sandbox/` (mode 0700):
 * - `identities.json`: the WhatsApp ids, secrets and tokens Parley stores. Written once when first
 *   minted and only read afterwards. Damaged → the sandbox refuses to start rather than mint new
 *   ones silently (everything pasted into Parley would stop working).
 * - `state.json`: a snapshot of everything else (Pipedrive records and grants, sign-ins, chats,
 *   mail). Written whole, atomically (temporary file, fsync, rename), at most once per
 *   `debounceMs` after a change, and on close. Damaged or of another version → moved aside as
 *   `state.json.damaged-<time>` and the sandbox starts from its seed data again.
 * Both files are mode 0600: they hold access tokens, app secrets and session ids.
 *
 * Changes are not tracked field by field: the sandbox reports "something may have changed" after
 * every HTTP request and every emulated timer, and a save whose text equals the last one written
 * is skipped, so the customer phone's polling costs a serialization a second, not a disk write.
 */
export interface SandboxSnapshot {
  pipedrive: PipedriveSnapshot;
  whatsapp: WhatsAppSnapshot;
  mail: MailboxSnapshot;
}

export interface SandboxStore {
  readonly directory: string;
  readIdentities(): WhatsAppIdentities | undefined;
  writeIdentities(identities: WhatsAppIdentities): void;
  readSnapshot(): SandboxSnapshot | undefined;
  /** Moves an unusable `state.json` aside (kept for inspection), so the next start is fresh. */
  discardSnapshot(reason: string): void;
  /** From now on, `changed()` saves what `take` returns. */
  track(take: () => SandboxSnapshot): void;
  /** Something may have changed: save within `debounceMs`. */
  changed(): void;
  /** Saves now if anything differs from the last save. */
  flush(): void;
  close(): void;
}

const SNAPSHOT_VERSION = 1;
const IDENTITIES_FILE = 'identities.json';
const STATE_FILE = 'state.json';

export function openSandboxStore(options: {
  dataDir: string;
  logger?: FastifyBaseLogger | undefined;
  debounceMs?: number;
  now?: () => Date;
}): SandboxStore {
  const directory = path.join(options.dataDir, 'sandbox');
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const debounceMs = options.debounceMs ?? 1000;
  const now = options.now ?? (() => new Date());
  let take: (() => SandboxSnapshot) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let lastWritten: string | undefined;

  const file = (name: string) => path.join(directory, name);

  function save(): void {
    timer = undefined;
    if (take === undefined) return;
    try {
      const text = encodeSnapshot({ version: SNAPSHOT_VERSION, savedAt: now(), ...take() });
      // savedAt differs on every save: compare what follows it.
      const content = text.slice(text.indexOf(',"pipedrive"'));
      if (content === lastWritten) return;
      writeAtomically(file(STATE_FILE), text);
      lastWritten = content;
    } catch (error) {
      // The next change tries again; the sandbox keeps serving meanwhile.
      options.logger?.error({ err: error }, 'sandbox: saving its state failed');
    }
  }

  return {
    directory,
    readIdentities() {
      const text = readIfExists(file(IDENTITIES_FILE));
      if (text === undefined) return undefined;
      const parsed = safeDecode(text);
      if (!isIdentities(parsed))
        throw new Error(
          `${file(IDENTITIES_FILE)} is damaged. Restore it from a backup, or delete it to mint new WhatsApp credentials (then paste them into Parley again).`,
        );
      return parsed;
    },
    writeIdentities(identities) {
      writeAtomically(file(IDENTITIES_FILE), encodeSnapshot(identities));
    },
    readSnapshot() {
      const text = readIfExists(file(STATE_FILE));
      if (text === undefined) return undefined;
      const parsed = safeDecode(text);
      if (isSnapshot(parsed)) return parsed;
      this.discardSnapshot('unreadable, or of another version');
      return undefined;
    },
    discardSnapshot(reason) {
      const aside = `${file(STATE_FILE)}.damaged-${now().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(file(STATE_FILE), aside);
      options.logger?.warn(
        { file: aside, reason },
        'sandbox: its saved state was moved aside; starting from the seed data',
      );
    },
    track(takeSnapshot) {
      take = takeSnapshot;
    },
    changed() {
      if (take === undefined || timer !== undefined) return;
      timer = setTimeout(save, debounceMs);
      timer.unref();
    },
    flush() {
      if (timer !== undefined) clearTimeout(timer);
      save();
    },
    close() {
      this.flush();
      take = undefined;
    },
  };
}

function writeAtomically(target: string, text: string): void {
  const temporary = `${target}.${process.pid}.tmp`;
  const descriptor = openSync(temporary, 'w', 0o600);
  try {
    writeSync(descriptor, text);
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
  renameSync(temporary, target);
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function safeDecode(text: string): unknown {
  try {
    return decodeSnapshot(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isIdentities(value: unknown): value is WhatsAppIdentities {
  return (
    isRecord(value) &&
    Array.isArray(value['businesses']) &&
    value['businesses'].every(
      (business) =>
        isRecord(business) &&
        ['appId', 'appSecret', 'wabaId', 'phoneNumberId', 'accessToken', 'messageTemplateNamespace'].every(
          (key) => typeof business[key] === 'string' && business[key] !== '',
        ),
    ) &&
    typeof value['bsuidKey'] === 'string' &&
    typeof value['mediaUrlKey'] === 'string'
  );
}

function isSnapshot(value: unknown): value is SandboxSnapshot {
  return (
    isRecord(value) &&
    value['version'] === SNAPSHOT_VERSION &&
    isRecord(value['pipedrive']) &&
    isRecord(value['whatsapp']) &&
    isRecord(value['mail'])
  );
}
