import type { SyncSettings } from './panel.schemas.ts';

// A file of its own, free of TypeBox values, so browser code and DOM tests can import it.

/** The choices of "update the timeline at most every" (seconds; 0 = as messages arrive). */
export const TIMELINE_UPDATE_INTERVALS: readonly SyncSettings['timelineUpdateIntervalSeconds'][] = [0, 30, 120, 600];

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
  timelineUpdateIntervalSeconds: 30,
};
