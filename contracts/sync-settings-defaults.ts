import type { SyncSettings } from './panel.schemas.ts';

// A file of its own, free of TypeBox values, so browser code and DOM tests can import it.
/** What a company starts with until an admin saves the settings page (the panel shows them too). */
export const DEFAULT_SYNC_SETTINGS: SyncSettings = {
  autoCreatePersons: true,
  skipGroups: true,
  exclusions: [],
  createOnNewChat: 'nothing',
  dealPipelineId: null,
  dealStageId: null,
  dealTitleTemplate: 'WhatsApp: {{contact_name}}',
  leadTitleTemplate: 'WhatsApp: {{contact_name}}',
  leadLabelId: null,
  ownerRule: 'channel_owner',
  fixedOwnerUserId: null,
  timelineMode: 'note',
};
