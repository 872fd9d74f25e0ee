import type { AuditAction } from '../../../../contracts/audit-actions.ts';
import { formatDateTime } from '../../../src/format/date-time.ts';
import {
  actorName,
  CHANNEL_FIELDS,
  count,
  isKnownAction,
  LINKED_VIA,
  noLongerLinked,
  REFUSAL_REASONS,
  SKIP_REASONS,
  text,
  UNMATCHED_REASONS,
  wordsFor,
  type AuditEntryLike,
  type AuditWords,
  type Detail,
  type SentencePart,
  type Words,
} from './audit-words.ts';

export { actorName, sentenceText, type AuditEntryLike, type AuditWords, type SentencePart } from './audit-words.ts';

/**
 * The audit log in words: one sentence per entry, naming people instead of ids and linking the
 * Pipedrive records it mentions. Pure (no DOM), so it is unit-tested event by event; the page
 * renders the parts.
 */

type Sentence = (actor: string, detail: Detail, words: Words) => SentencePart[];

const transcript =
  (mode: 'note' | 'activity', what: 'created' | 'updated' | 'missing' | 'recreated' | 'found_after_retry'): Sentence =>
  (actor, detail, w) => {
    const kind = mode === 'note' ? 'note' : 'done activity';
    const messages = detail['messages'] === undefined ? '' : ` (${count(detail['messages'], 'message')})`;
    const part = typeof detail['part'] === 'number' && detail['part'] > 1 ? `, part ${detail['part']},` : '';
    switch (what) {
      case 'created':
        return [
          `${actor} wrote the transcript of ${w.chat()} for ${w.day()}${part} as a ${kind} on `,
          ...w.anchor(),
          messages,
        ];
      case 'updated':
        return [
          `${actor} updated the ${kind} on `,
          ...w.anchor(),
          ` with the transcript of ${w.chat()} for ${w.day()}${part}`,
          messages,
        ];
      case 'missing':
        return [
          `The transcript ${kind} of ${w.chat()} for ${w.day()}${part} was deleted in Pipedrive; ${actor} writes it again`,
        ];
      case 'recreated':
        return [
          `${actor} wrote the deleted transcript of ${w.chat()} for ${w.day()}${part} again, as a new ${kind} on `,
          ...w.anchor(),
          messages,
        ];
      case 'found_after_retry':
        return [
          `${actor} found the transcript ${kind} of ${w.chat()} for ${w.day()}${part} that an interrupted attempt had written on `,
          ...w.anchor(),
          ' and updated it',
        ];
    }
  };

/** One sentence per event of the catalogue: the compiler insists every event has one. */
const SENTENCES: Record<AuditAction, Sentence> = {
  'organization.connected': (actor, d) =>
    d['via'] === 'marketplace'
      ? [
          `${actor} installed Parley from the Pipedrive Marketplace, connecting the organization${d['createdWorkspace'] === true ? ' and creating this workspace' : ''}`,
        ]
      : [`${actor} connected the Pipedrive organization from the dashboard`],
  'organization.disconnected': (actor, d) => [
    `${actor} disconnected the Pipedrive organization, ending ${count(d['endedConnections'], 'connection')}; its Pipedrive data is deleted after ${count(d['purgeAfterDays'], 'day')} unless it reconnects`,
  ],
  'organization.uninstalled': (actor, d) => [
    `${actor} uninstalled Parley in Pipedrive, which disconnected the organization (${count(d['endedConnections'], 'connection')} ended); its Pipedrive data is deleted after ${count(d['purgeAfterDays'], 'day')} unless it reconnects`,
  ],
  'personal.connected': (actor) => [`${actor} connected their own Pipedrive account`],
  'personal.disconnected': (actor, d, w) => {
    const whose = w.pipedriveUser(d['pipedriveUserId']);
    return [`${actor} ended ${whose === actor ? 'their own' : `${whose}’s`} personal Pipedrive connection`];
  },
  'personal.uninstalled': (actor) => [`${actor} uninstalled Parley from their own Pipedrive account`],
  'connection.refused': (actor, d) => {
    const code = text(d['code']);
    const reason = code === undefined ? undefined : (REFUSAL_REASONS[code] ?? `reason: ${code}`);
    return [`Parley refused a Pipedrive connection by ${actor}${reason === undefined ? '' : `: ${reason}`}`];
  },
  'connection.reauth_required': (_actor, d, w) => [
    `Pipedrive stopped accepting ${w.pipedriveUser(d['pipedriveUserId'])}’s ${d['isOrgConnection'] === true ? 'organization' : 'personal'} connection; it must be connected again`,
  ],
  'grant.revoked': (_actor, d, w) => [`Parley revoked ${w.pipedriveUser(d['pipedriveUserId'])}’s access at Pipedrive`],
  'app.sharing_changed': (actor, d) => [
    d['isShared'] === true
      ? `${actor} shared Parley with other users in Pipedrive`
      : `${actor} made Parley private to themselves in Pipedrive`,
  ],
  'company.purged': () => [
    'Parley deleted the disconnected Pipedrive company’s data (links to persons, deals and leads) after the retention period',
  ],
  'settings.updated': (actor) => [`${actor} changed the sync settings`],
  'pipedrive.webhooks_subscribed': (_actor, d) => [
    `Parley subscribed to Pipedrive’s notices of changed and deleted persons, deals and leads (${count(Array.isArray(d['webhookIds']) ? d['webhookIds'].length : undefined, 'webhook')})`,
  ],
  'pipedrive.webhooks_unsubscribed': (_actor, d) => [
    `Parley removed ${typeof d['deleted'] === 'number' ? d['deleted'] : 'its'} of ${count(d['of'], 'webhook')} from Pipedrive`,
  ],
  'invitation.created': (actor, d) => [
    `${actor} invited ${text(d['email']) ?? 'someone'}${text(d['role']) === undefined ? '' : ` as ${text(d['role'])}`}`,
  ],
  'invitation.accepted': (actor, d) => [
    `${actor} accepted the invitation${text(d['email']) === undefined ? '' : ` for ${text(d['email'])}`} and joined the workspace`,
  ],
  'join_request.created': (actor, d) => [
    `${actor} asked to join the workspace${text(d['email']) === undefined ? '' : ` (${text(d['email'])})`}`,
  ],
  'join_request.approved': (actor, d) => [`${actor} let ${text(d['email']) ?? 'someone'} join the workspace`],
  'join_request.declined': (actor, d) => [`${actor} declined ${text(d['email']) ?? 'someone'}’s request to join`],
  'member.role_changed': (actor, d, w) => [
    `${actor} made ${w.member(d['memberId'])} ${text(d['to']) === undefined ? 'something else' : `an ${text(d['to']) === 'member' ? 'ordinary member' : text(d['to'])}`}${text(d['from']) === undefined ? '' : ` (was ${text(d['from'])})`}`,
  ],
  'member.removed': (actor, d, w) => [`${actor} removed ${w.member(d['memberId'])} from the workspace`],
  'whatsapp.channel_added': (actor, _d, w) => [`${actor} added the WhatsApp number ${w.channel()}`],
  'whatsapp.channel_updated': (actor, d, w) => {
    const fields = Array.isArray(d['fields'])
      ? d['fields'].map((field) => CHANNEL_FIELDS[String(field)] ?? String(field))
      : [];
    return [`${actor} changed ${fields.length === 0 ? 'the settings' : fields.join(' and ')} of ${w.channel()}`];
  },
  'whatsapp.channel_token_rotated': (actor, _d, w) => [`${actor} replaced the access token of ${w.channel()}`],
  'whatsapp.channel_removed': (actor, _d, w) => [`${actor} removed the WhatsApp number ${w.channel()}`],
  'whatsapp.webhook_error': (_actor, _d, w) => [`WhatsApp reported a problem with ${w.channel()}: ${w.errorText()}`],
  'sync.person_linked': (actor, d, w) => [
    `${actor} linked ${w.chat()} to `,
    w.record('person', d['personId']),
    LINKED_VIA[text(d['via']) ?? ''] ?? '',
  ],
  'sync.person_created': (actor, d, w) => [
    `${actor} created `,
    w.record('person', d['personId']),
    ` in Pipedrive for ${w.chat()}${d['ownerId'] === undefined || d['ownerId'] === null ? '' : `, owned by ${w.pipedriveUser(d['ownerId'])}`}`,
  ],
  'sync.deal_created': (actor, d, w) => [`${actor} created `, w.record('deal', d['dealId']), ` for ${w.chat()}`],
  'sync.deal_linked': (actor, d, w) => [`${actor} linked ${w.chat()} to its open `, w.record('deal', d['dealId'])],
  'sync.lead_created': (actor, d, w) => [`${actor} created a `, w.record('lead', d['leadId']), ` for ${w.chat()}`],
  'sync.lead_linked': (actor, d, w) => [`${actor} linked ${w.chat()} to its open `, w.record('lead', d['leadId'])],
  'sync.unmatched': (_actor, d, w) => [
    `Parley could not choose a Pipedrive person for ${w.chat()} (${UNMATCHED_REASONS[text(d['reason']) ?? ''] ?? 'no clear match'}); it waits under Unmatched chats`,
  ],
  'sync.unmatched_resolved': (actor, d, w) => [
    `${actor} ${d['createdNew'] === true ? 'created' : 'chose'} `,
    w.record('person', d['personId']),
    ` for ${w.chat()}`,
  ],
  'chat.pinned_to_deal': (actor, d, w) => [`${actor} pinned ${w.chat()} to `, w.record('deal', d['dealId'])],
  'sync.person_unlinked': (actor, d, w) => [
    `${actor}: `,
    w.record('person', w.subject(), false),
    ` was deleted, so ${noLongerLinked(d['chats'])}`,
  ],
  'sync.person_relinked': (actor, d, w) => [
    `${actor}: `,
    w.record('person', w.subject(), false),
    ' was merged into ',
    w.record('person', d['mergedTo']),
    `; ${count(d['chats'], 'chat')} moved with it`,
  ],
  'sync.phone_cache_updated': (actor, d, w) => [
    `${actor}: the phone numbers of `,
    w.record('person', d['personId']),
    ` changed; Parley now matches chats to its ${count(d['numbers'], 'number')}`,
  ],
  'sync.deal_closed': (actor, d, w) => [
    `${actor}: `,
    w.record('deal', w.subject()),
    ` was marked ${d['status'] === 'lost' ? 'lost' : 'won'}, so ${noLongerLinked(d['chats'])}`,
  ],
  'sync.deal_unlinked': (actor, d, w) => [
    `${actor}: `,
    w.record('deal', w.subject(), false),
    ` was deleted, so ${noLongerLinked(d['chats'])}`,
  ],
  'sync.lead_unlinked': (actor, d) => [`${actor}: a lead was deleted, so ${noLongerLinked(d['chats'])}`],
  'transcript.note_created': transcript('note', 'created'),
  'transcript.note_updated': transcript('note', 'updated'),
  'transcript.note_missing': transcript('note', 'missing'),
  'transcript.note_recreated': transcript('note', 'recreated'),
  'transcript.note_found_after_retry': transcript('note', 'found_after_retry'),
  'transcript.activity_created': transcript('activity', 'created'),
  'transcript.activity_updated': transcript('activity', 'updated'),
  'transcript.activity_missing': transcript('activity', 'missing'),
  'transcript.activity_recreated': transcript('activity', 'recreated'),
  'transcript.activity_found_after_retry': transcript('activity', 'found_after_retry'),
  'activity_type.ready': (actor) => [`${actor} set up the “WhatsApp chat” activity type in Pipedrive`],
  'sync.skipped': (actor, d, w) => {
    const reason = text(d['reason']);
    return [
      `${actor} did not sync ${w.chat()} to Pipedrive: ${(reason === undefined ? undefined : SKIP_REASONS[reason]) ?? reason ?? 'no reason given'}`,
    ];
  },
  'sync.deferred': (actor, d, w) => {
    const until = text(d['until']);
    const why =
      d['reason'] === 'budget_paused'
        ? 'the company’s daily Pipedrive API budget is used up'
        : 'Pipedrive asked Parley to slow down';
    return [
      `${actor} postponed syncing ${w.chat()}${until === undefined ? '' : ` until ${formatDateTime(until)}`}: ${why}`,
    ];
  },
  'sync.retrying': (actor, d, w) => [
    `Syncing ${w.chat()} failed (attempt ${text(d['attempt']) ?? '?'}: ${w.errorText()}); ${actor} tries again`,
  ],
  'sync.left_to_retry': (actor, _d, w) => [
    `Syncing ${w.chat()} failed (${w.errorText()}); ${actor} leaves it to the retry already waiting for this chat`,
  ],
  'sync.failed': (_actor, d, w) => [
    `Syncing ${w.chat()} failed for good after ${count(d['attempt'], 'attempt')} (${w.errorText()}); an admin can replay it`,
  ],
  'sync.dead_lettered': (_actor, _d, w) => [
    `Pipedrive refused the sync of ${w.chat()} (${w.errorText()}); an admin can replay it`,
  ],
  'sync.replayed': (actor, _d, w) => [`${actor} replayed the failed sync of ${w.chat()}`],
  'sync.reconciled': (actor, d) => [
    `${actor} queued ${count(d['chatsQueued'], 'chat')} whose messages changed while Pipedrive was not connected`,
  ],
};

/** The entry as a sentence; an event this page does not know still reads sensibly. */
export function describeAuditEntry(entry: AuditEntryLike, words: AuditWords): SentencePart[] {
  const actor = actorName(entry.actor, words.names);
  if (!isKnownAction(entry.action)) return [`${actor} recorded “${entry.action}”`, '.'];
  return [...SENTENCES[entry.action](actor, entry.detail, wordsFor(entry, words)), '.'];
}
