import { AUDIT_ACTIONS, actionsOfGroup, AUDIT_GROUPS, type AuditAction } from '../../contracts/audit-actions.ts';
import {
  actorName,
  describeAuditEntry,
  sentenceText,
  type AuditEntryLike,
  type AuditWords,
} from '../../extensions/pages/dashboard/audit/audit-sentences.ts';

const MEMBER = 'member:0b7c3a52-5d0e-4c53-9a43-1b2c3d4e5f60';
const OTHER_MEMBER = '9f1e2d3c-4b5a-4978-8867-5a4b3c2d1e0f';
const CHAT = '3a1f9c2e-7b6d-4e5f-8a9b-0c1d2e3f4a5b';
const CHANNEL = '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b';
const LEAD = 'a3b1c2d4-0000-4000-8000-000000000001';
const SAM = 'pipedrive_user:1:2';

const words: AuditWords = {
  names: {
    [MEMBER]: 'Ada Admin',
    [`member:${OTHER_MEMBER}`]: 'Otto Other',
    [SAM]: 'Sam Seller',
    'pipedrive_user:1:3': 'Rita Rep',
    [`chat:${CHAT}`]: 'Maria Silva (+447700900123)',
    [`channel:${CHANNEL}`]: 'Sales line (+15550001111)',
  },
  pipedriveUrl: 'https://acme.pipedrive.com',
};

const onChat = { subjectType: 'chat', subjectId: CHAT };
const onChannel = { subjectType: 'channel', subjectId: CHANNEL };
const transcriptDetail = {
  day: '2026-11-30',
  part: 1,
  messages: 12,
  mode: 'note',
  remoteId: 501,
  anchors: { personId: 7, dealId: 42, leadId: null },
  jobId: 'j1',
};
const error = { code: 'pipedrive.rejected', message: 'Pipedrive refused the note' };

/**
 * One entry per event, with the detail the server records for it (see the `audit.record` calls).
 * Typed by the catalogue: an event added there without a sample here does not compile.
 */
const SAMPLES: Record<AuditAction, Partial<AuditEntryLike>> = {
  'organization.connected': { actor: MEMBER, detail: { via: 'marketplace', createdWorkspace: true } },
  'organization.disconnected': { actor: MEMBER, detail: { endedConnections: 3, purgeAfterDays: 30 } },
  'organization.uninstalled': { actor: SAM, detail: { endedConnections: 1, purgeAfterDays: 30 } },
  'personal.connected': { actor: MEMBER, detail: { pipedriveUserId: 1 } },
  'personal.disconnected': { actor: MEMBER, detail: { pipedriveUserId: 2 } },
  'personal.uninstalled': { actor: SAM, subjectType: 'connection', subjectId: OTHER_MEMBER },
  'connection.refused': { actor: SAM, detail: { code: 'connections.not_pipedrive_admin' } },
  'connection.reauth_required': {
    actor: 'pipedrive',
    detail: { reason: 'refresh_refused', pipedriveUserId: 2, isOrgConnection: true },
  },
  'grant.revoked': { actor: 'system', detail: { pipedriveUserId: 3 } },
  'app.sharing_changed': { actor: SAM, detail: { isShared: true } },
  'company.purged': { actor: 'system', subjectType: 'company', subjectId: '1' },
  'settings.updated': { actor: SAM, detail: { autoCreatePersons: true, createOnNewChat: 'deal' } },
  'pipedrive.webhooks_subscribed': { actor: 'system', detail: { webhookIds: [1, 2, 3, 4] } },
  'pipedrive.webhooks_unsubscribed': { actor: 'system', detail: { deleted: 4, of: 4 } },
  'invitation.created': { actor: MEMBER, detail: { email: 'sam@acme.test', role: 'member' } },
  'invitation.accepted': { actor: `member:${OTHER_MEMBER}`, detail: { email: 'otto@acme.test' } },
  'join_request.created': { actor: SAM, detail: { email: 'sam@acme.test' } },
  'join_request.approved': { actor: MEMBER, detail: { email: 'sam@acme.test' } },
  'join_request.declined': { actor: MEMBER, detail: { email: 'sam@acme.test' } },
  'member.role_changed': { actor: MEMBER, detail: { memberId: OTHER_MEMBER, from: 'member', to: 'admin' } },
  'member.removed': { actor: MEMBER, detail: { memberId: OTHER_MEMBER } },
  'whatsapp.channel_added': {
    actor: MEMBER,
    ...onChannel,
    detail: { phoneNumber: '+15550001111', phoneNumberId: '1099', wabaId: '2000' },
  },
  'whatsapp.channel_updated': { actor: MEMBER, ...onChannel, detail: { fields: ['displayName', 'appSecret'] } },
  'whatsapp.channel_token_rotated': { actor: MEMBER, ...onChannel },
  'whatsapp.channel_removed': { actor: MEMBER, ...onChannel, detail: { phoneNumber: '+15550001111' } },
  'whatsapp.webhook_error': { actor: 'system', ...onChannel, detail: { error: { code: 131000, title: 'Something' } } },
  'sync.person_linked': { actor: 'system', ...onChat, detail: { personId: 7, via: 'phone_search' } },
  'sync.person_created': { actor: 'system', ...onChat, detail: { personId: 7, ownerId: 3, name: 'Maria Silva' } },
  'sync.deal_created': { actor: 'system', ...onChat, detail: { dealId: 42, personId: 7 } },
  'sync.deal_linked': { actor: 'system', ...onChat, detail: { dealId: 42, personId: 7 } },
  'sync.lead_created': { actor: 'system', ...onChat, detail: { leadId: LEAD, personId: 7 } },
  'sync.lead_linked': { actor: 'system', ...onChat, detail: { leadId: LEAD, personId: 7 } },
  'sync.unmatched': { actor: 'system', ...onChat, detail: { reason: 'several_matches', personIds: [7, 8] } },
  'sync.unmatched_resolved': {
    actor: MEMBER,
    ...onChat,
    detail: { personId: 7, reason: 'several_matches', createdNew: false },
  },
  'chat.pinned_to_deal': { actor: SAM, ...onChat, detail: { dealId: 42, previousDealId: null } },
  'sync.person_unlinked': { actor: 'pipedrive', subjectType: 'person', subjectId: '7', detail: { chats: 2 } },
  'sync.person_relinked': {
    actor: 'pipedrive',
    subjectType: 'person',
    subjectId: '7',
    detail: { chats: 1, mergedTo: 9 },
  },
  'sync.phone_cache_updated': {
    actor: 'pipedrive',
    subjectType: 'person',
    subjectId: '7',
    detail: { personId: 7, numbers: 2 },
  },
  'sync.deal_unlinked': { actor: 'pipedrive', subjectType: 'deal', subjectId: '42', detail: { chats: 1 } },
  'sync.deal_closed': {
    actor: 'pipedrive',
    subjectType: 'deal',
    subjectId: '42',
    detail: { status: 'won', chats: 1 },
  },
  'sync.lead_unlinked': { actor: 'pipedrive', subjectType: 'lead', subjectId: LEAD, detail: { chats: 1 } },
  'transcript.note_created': { actor: 'system', ...onChat, detail: transcriptDetail },
  'transcript.note_updated': { actor: 'system', ...onChat, detail: transcriptDetail },
  'transcript.note_missing': { actor: 'system', ...onChat, detail: transcriptDetail },
  'transcript.note_recreated': { actor: 'system', ...onChat, detail: transcriptDetail },
  'transcript.note_found_after_retry': { actor: 'system', ...onChat, detail: transcriptDetail },
  'transcript.activity_created': { actor: 'system', ...onChat, detail: { ...transcriptDetail, mode: 'activity' } },
  'transcript.activity_updated': { actor: 'system', ...onChat, detail: { ...transcriptDetail, mode: 'activity' } },
  'transcript.activity_missing': { actor: 'system', ...onChat, detail: { ...transcriptDetail, mode: 'activity' } },
  'transcript.activity_recreated': { actor: 'system', ...onChat, detail: { ...transcriptDetail, mode: 'activity' } },
  'transcript.activity_found_after_retry': {
    actor: 'system',
    ...onChat,
    detail: { ...transcriptDetail, mode: 'activity' },
  },
  'activity_type.ready': { actor: 'system', ...onChat, detail: { key: 'whatsapp_chat' } },
  'sync.skipped': { actor: 'system', ...onChat, detail: { reason: 'group_chat' } },
  'sync.deferred': {
    actor: 'system',
    ...onChat,
    detail: { jobId: 'j1', reason: 'budget_paused', until: '2026-12-01T00:00:00.000Z' },
  },
  'sync.retrying': { actor: 'system', ...onChat, detail: { jobId: 'j1', error, attempt: 2 } },
  'sync.left_to_retry': { actor: 'system', ...onChat, detail: { jobId: 'j1', error } },
  'sync.failed': {
    actor: 'system',
    ...onChat,
    detail: { jobId: 'j1', error, attempt: 6, deadLetterQueue: 'sync.chat.dead' },
  },
  'sync.dead_lettered': { actor: 'system', ...onChat, detail: { jobId: 'j1', error } },
  'sync.replayed': { actor: MEMBER, ...onChat, detail: { deadLetterId: 'd1', reason: 'pipedrive_refused' } },
  'sync.reconciled': { actor: 'system', detail: { chatsQueued: 5 } },
};

const entryOf = (action: string, sample: Partial<AuditEntryLike> = {}): AuditEntryLike => ({
  actor: 'system',
  subjectType: null,
  subjectId: null,
  detail: {},
  ...sample,
  action,
});

const sentence = (action: AuditAction, overrides: Partial<AuditWords> = {}) =>
  describeAuditEntry(entryOf(action, SAMPLES[action]), { ...words, ...overrides });

describe('audit log sentences', () => {
  it.each(Object.keys(AUDIT_ACTIONS) as AuditAction[])('%s reads as a sentence without ids or raw keys', (action) => {
    const text = sentenceText(sentence(action));
    expect(text).toMatch(/^[A-Z].*\.$/);
    expect(text).not.toContain(action);
    expect(text).not.toMatch(/undefined|null|NaN|\[object|member:|pipedrive_user:/);
    // Internal ids (members, chats, numbers, leads) never show; names do.
    for (const id of [OTHER_MEMBER, CHAT, CHANNEL, LEAD, MEMBER]) expect(text).not.toContain(id);
  });

  it('names people instead of printing their ids', () => {
    expect(sentenceText(sentence('invitation.created'))).toBe('Ada Admin invited sam@acme.test as member.');
    expect(sentenceText(sentence('member.removed'))).toBe('Ada Admin removed Otto Other from the workspace.');
    expect(sentenceText(sentence('personal.disconnected'))).toBe(
      'Ada Admin ended Sam Seller’s personal Pipedrive connection.',
    );
    expect(sentenceText(sentence('grant.revoked'))).toBe('Parley revoked Rita Rep’s access at Pipedrive.');
  });

  it('links the Pipedrive records it mentions, at the company’s Pipedrive address', () => {
    expect(sentence('sync.deal_created')).toEqual([
      'Parley created ',
      { text: 'deal 42', href: 'https://acme.pipedrive.com/deal/42' },
      ' for the chat with Maria Silva (+447700900123)',
      '.',
    ]);
    expect(sentence('sync.person_linked')).toContainEqual({
      text: 'person 7',
      href: 'https://acme.pipedrive.com/person/7',
    });
    expect(sentence('sync.lead_created')).toContainEqual({
      text: 'lead',
      href: `https://acme.pipedrive.com/leads/inbox/${LEAD}`,
    });
    // A transcript links the deal it is written on.
    expect(sentence('transcript.note_created')).toContainEqual({
      text: 'deal 42',
      href: 'https://acme.pipedrive.com/deal/42',
    });
    // A deleted record is mentioned, not linked.
    expect(sentence('sync.deal_unlinked').some((part) => typeof part !== 'string')).toBe(false);
  });

  it('mentions records without links when no Pipedrive company is connected', () => {
    const parts = sentence('sync.deal_created', { pipedriveUrl: null });
    expect(parts.every((part) => typeof part === 'string')).toBe(true);
    expect(sentenceText(parts)).toBe('Parley created deal 42 for the chat with Maria Silva (+447700900123).');
  });

  it('falls back to what kind of actor it was when the name is no longer known', () => {
    expect(actorName('member:11111111-2222-4333-8444-555555555555', {})).toBe('A former member');
    expect(actorName('pipedrive_user:1:77', {})).toBe('Pipedrive user 77');
    expect(actorName('system', {})).toBe('Parley');
    expect(actorName('pipedrive', {})).toBe('Pipedrive');
    expect(sentenceText(sentence('sync.person_linked', { names: {} }))).toBe(
      'Parley linked a chat to person 7, found by its phone number.',
    );
  });

  it('reads an event it does not know as a sane sentence instead of failing', () => {
    expect(sentenceText(describeAuditEntry(entryOf('something.new', { actor: MEMBER }), words))).toBe(
      'Ada Admin recorded “something.new”.',
    );
    // Odd details of a known event do not leak "undefined" either.
    const odd = describeAuditEntry(entryOf('sync.deal_created', { detail: { dealId: { nested: true } } }), words);
    expect(sentenceText(odd)).toBe('Parley created a deal for a chat.');
  });

  it('puts every event in exactly one group of the "what" filter', () => {
    const grouped = (Object.keys(AUDIT_GROUPS) as (keyof typeof AUDIT_GROUPS)[]).flatMap(actionsOfGroup);
    expect(grouped.sort()).toEqual(Object.keys(AUDIT_ACTIONS).sort());
  });
});
