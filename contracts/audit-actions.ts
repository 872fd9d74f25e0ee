/**
 * Every event the audit log records, and the group the dashboard's "what" filter puts it in. Plain
 * data (no TypeBox), read by the server (`AuditEntry.action` is typed by it, so an event missing
 * here does not compile) and by the dashboard (each event has a sentence, `audit-sentences.ts`).
 */
export const AUDIT_ACTIONS = {
  // Pipedrive connections
  'organization.connected': 'connections',
  'organization.disconnected': 'connections',
  'organization.uninstalled': 'connections',
  'personal.connected': 'connections',
  'personal.disconnected': 'connections',
  'personal.uninstalled': 'connections',
  'connection.refused': 'connections',
  'connection.reauth_required': 'connections',
  'grant.revoked': 'connections',
  'app.sharing_changed': 'connections',
  'company.purged': 'connections',
  'settings.updated': 'connections',
  'pipedrive.webhooks_subscribed': 'connections',
  'pipedrive.webhooks_unsubscribed': 'connections',
  // Team
  'invitation.created': 'team',
  'invitation.accepted': 'team',
  'join_request.created': 'team',
  'join_request.approved': 'team',
  'join_request.declined': 'team',
  'member.role_changed': 'team',
  'member.removed': 'team',
  // WhatsApp numbers
  'whatsapp.channel_added': 'whatsapp',
  'whatsapp.channel_updated': 'whatsapp',
  'whatsapp.channel_token_rotated': 'whatsapp',
  'whatsapp.channel_removed': 'whatsapp',
  'whatsapp.webhook_error': 'whatsapp',
  // Matching chats to Pipedrive records
  'sync.person_linked': 'matching',
  'sync.person_created': 'matching',
  'sync.deal_created': 'matching',
  'sync.deal_linked': 'matching',
  'sync.lead_created': 'matching',
  'sync.lead_linked': 'matching',
  'sync.unmatched': 'matching',
  'sync.unmatched_resolved': 'matching',
  'chat.pinned_to_deal': 'matching',
  'sync.person_unlinked': 'matching',
  'sync.person_relinked': 'matching',
  'sync.phone_cache_updated': 'matching',
  'sync.deal_unlinked': 'matching',
  'sync.deal_closed': 'matching',
  'sync.lead_unlinked': 'matching',
  // Writing transcripts to Pipedrive
  'transcript.note_created': 'transcripts',
  'transcript.note_updated': 'transcripts',
  'transcript.note_missing': 'transcripts',
  'transcript.note_recreated': 'transcripts',
  'transcript.note_found_after_retry': 'transcripts',
  'transcript.activity_created': 'transcripts',
  'transcript.activity_updated': 'transcripts',
  'transcript.activity_missing': 'transcripts',
  'transcript.activity_recreated': 'transcripts',
  'transcript.activity_found_after_retry': 'transcripts',
  'activity_type.ready': 'transcripts',
  // The sync jobs themselves
  'sync.skipped': 'jobs',
  'sync.deferred': 'jobs',
  'sync.retrying': 'jobs',
  'sync.left_to_retry': 'jobs',
  'sync.failed': 'jobs',
  'sync.dead_lettered': 'jobs',
  'sync.replayed': 'jobs',
  'sync.reconciled': 'jobs',
} as const;

export type AuditAction = keyof typeof AUDIT_ACTIONS;
export type AuditGroup = (typeof AUDIT_ACTIONS)[AuditAction];

/** The "what" filter's choices, in the order the dashboard lists them. */
export const AUDIT_GROUPS: Record<AuditGroup, string> = {
  connections: 'Pipedrive connections and settings',
  team: 'Team and invitations',
  whatsapp: 'WhatsApp numbers',
  matching: 'Chats matched to Pipedrive records',
  transcripts: 'Transcripts written to Pipedrive',
  jobs: 'Sync jobs (skips, retries, failures)',
};

export function actionsOfGroup(group: AuditGroup): AuditAction[] {
  return (Object.keys(AUDIT_ACTIONS) as AuditAction[]).filter((action) => AUDIT_ACTIONS[action] === group);
}
