import { AUDIT_ACTIONS, type AuditAction } from '../../../../contracts/audit-actions.ts';
import { formatDate } from '../../../src/format/date-time.ts';

/**
 * The vocabulary of the audit log's sentences (audit-sentences.ts): names for actors and the ids
 * entries mention, links to Pipedrive records, and reasons in words. Pure, no DOM.
 */

/** A piece of a sentence: text, or text linking somewhere (a Pipedrive deal, person or lead). */
export type SentencePart = string | { text: string; href: string };

export interface AuditEntryLike {
  actor: string;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  detail: Record<string, unknown>;
}

export interface AuditWords {
  /** From the API: `member:<id>`, `pipedrive_user:<companyId>:<userId>`, `chat:<id>`, `channel:<id>` → words. */
  names: Record<string, string>;
  /** The company's Pipedrive address (`https://acme.pipedrive.com`); null: mention records without links. */
  pipedriveUrl: string | null;
}

const PIPEDRIVE_USER = /^pipedrive_user:(\d+):(\d+)$/;

/** Who did it, in words: a name when known, else what kind of someone it was. */
export function actorName(actor: string, names: Record<string, string>): string {
  const known = names[actor];
  if (known !== undefined) return known;
  if (actor === 'system') return 'Parley';
  if (actor === 'pipedrive') return 'Pipedrive';
  if (actor.startsWith('member:')) return 'A former member';
  const user = PIPEDRIVE_USER.exec(actor);
  if (user !== null) return `Pipedrive user ${user[2]}`;
  return actor;
}

/** The same sentence as plain text (tests, titles, screen readers' summaries). */
export function sentenceText(parts: readonly SentencePart[]): string {
  return parts.map((part) => (typeof part === 'string' ? part : part.text)).join('');
}

/** Whether the catalogue knows this event (an older or newer Parley may have written others). */
export function isKnownAction(action: string): action is AuditAction {
  return Object.hasOwn(AUDIT_ACTIONS, action);
}

export type Detail = Record<string, unknown>;

export const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
export const count = (value: unknown, one: string, many = `${one}s`): string =>
  typeof value === 'number' ? `${value} ${value === 1 ? one : many}` : `some ${many}`;
export const noLongerLinked = (chats: unknown): string =>
  `${count(chats, 'chat')} no longer ${chats === 1 ? 'links' : 'link'} to it`;

/** The helpers each sentence builds from: names, record links, common phrases. */
export function wordsFor(entry: AuditEntryLike, words: AuditWords) {
  const { names, pipedriveUrl } = words;
  const detail = entry.detail;
  const companyId = PIPEDRIVE_USER.exec(entry.actor)?.[1];
  const record = (kind: 'person' | 'deal' | 'lead', id: unknown, linked = true): SentencePart => {
    const shown = text(id);
    // Leads have no number people know them by; sentences put the article before "lead".
    if (shown === undefined) return kind === 'lead' ? 'lead' : `a ${kind}`;
    const label = kind === 'lead' ? 'lead' : `${kind} ${shown}`;
    if (!linked || pipedriveUrl === null) return label;
    const path =
      kind === 'lead' ? `/leads/inbox/${encodeURIComponent(shown)}` : `/${kind}/${encodeURIComponent(shown)}`;
    return { text: label, href: `${pipedriveUrl}${path}` };
  };
  const pipedriveUser = (userId: unknown): string => {
    const id = text(userId);
    if (id === undefined) return 'a Pipedrive user';
    for (const [key, name] of Object.entries(names)) {
      const match = PIPEDRIVE_USER.exec(key);
      if (match?.[2] === id && (companyId === undefined || match[1] === companyId)) return name;
    }
    return `Pipedrive user ${id}`;
  };
  const member = (memberId: unknown): string => {
    const id = text(memberId);
    return (id === undefined ? undefined : names[`member:${id}`]) ?? 'a former member';
  };
  const chat = (): string => {
    const name = entry.subjectId === null ? undefined : names[`chat:${entry.subjectId}`];
    return name === undefined ? 'a chat' : `the chat with ${name}`;
  };
  const channel = (): string => {
    const name = entry.subjectId === null ? undefined : names[`channel:${entry.subjectId}`];
    return name ?? text(detail['phoneNumber']) ?? 'a WhatsApp number';
  };
  /** A transcript's anchor: the deal or lead when there is one, else the person. */
  const anchor = (): SentencePart[] => {
    const anchors = (typeof detail['anchors'] === 'object' && detail['anchors'] !== null ? detail['anchors'] : {}) as {
      personId?: unknown;
      dealId?: unknown;
      leadId?: unknown;
    };
    if (text(anchors.dealId) !== undefined) return [record('deal', anchors.dealId)];
    if (text(anchors.leadId) !== undefined) return ['the ', record('lead', anchors.leadId)];
    return [record('person', anchors.personId)];
  };
  const day = (): string => {
    const value = text(detail['day']);
    // Transcript days are UTC calendar days.
    return value === undefined ? 'a day' : formatDate(`${value}T00:00:00Z`, { timeZone: 'UTC' });
  };
  const errorText = (): string => {
    const error = detail['error'];
    if (typeof error !== 'object' || error === null) return 'an error';
    const { message, title, code } = error as { message?: unknown; title?: unknown; code?: unknown };
    return text(message) ?? text(title) ?? text(code) ?? 'an error';
  };
  const subject = () => entry.subjectId;
  return { record, pipedriveUser, member, chat, channel, anchor, day, errorText, subject };
}

export const SKIP_REASONS: Record<string, string> = {
  pipedrive_not_connected: 'Pipedrive is not connected',
  reauth_required: 'the organization’s Pipedrive connection must be connected again',
  'pipedrive.reauth_required': 'the organization’s Pipedrive connection must be connected again',
  'connections.org_not_connected': 'Pipedrive is not connected',
  group_chat: 'it is a group chat, and group chats are skipped',
  excluded_number: 'the number is on the exclusion list',
  no_person_and_auto_create_off: 'no Pipedrive person has this number and creating persons is off',
  chat_not_found: 'the chat no longer exists',
};
export const UNMATCHED_REASONS: Record<string, string> = {
  several_matches: 'several Pipedrive persons have this number',
  no_phone: 'the contact shares no phone number',
  group: 'it is a group chat',
};
export const LINKED_VIA: Record<string, string> = {
  pinned: ', as pinned by hand',
  cache: ', by its phone number',
  phone_search: ', found by its phone number',
  earlier_attempt: ', found after an interrupted attempt',
};
export const CHANNEL_FIELDS: Record<string, string> = {
  displayName: 'the name',
  ownerMemberId: 'the owner',
  appSecret: 'the app secret',
};
export const REFUSAL_REASONS: Record<string, string> = {
  'connections.not_pipedrive_admin': 'only a Pipedrive admin can connect the organization',
  'connections.company_linked_elsewhere': 'the Pipedrive company is connected to another workspace',
  'connections.workspace_has_other_company': 'this workspace is connected to another Pipedrive company',
  'connections.wrong_pipedrive_user': 'it came from a different Pipedrive user',
  'connections.org_not_connected': 'the organization is not connected yet',
};

export type Words = ReturnType<typeof wordsFor>;
