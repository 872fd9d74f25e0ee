import type { ChatDeps } from './chat/chat-deps.ts';
import type { Template, TemplateStatus } from './records.ts';

export const TEMPLATE_STATUSES: readonly TemplateStatus[] = ['APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED'];

export interface TemplateStatusChange {
  wabaId: string;
  name: string;
  language: string;
  status: TemplateStatus;
  /** Meta's reason for a rejection or pause (`NONE` otherwise). */
  reason?: string;
}

/**
 * Meta reviewing or re-rating a template (whatsapp-cloud-api.md §1.4): the status changes and a
 * `message_template_status_update` webhook goes to the apps subscribed to the WABA, value
 * `{ event, message_template_id, message_template_name, message_template_language, reason }`.
 * No webhook when the status stays the same.
 */
export function changeTemplateStatus(deps: ChatDeps, change: TemplateStatusChange): Template {
  const { state } = deps;
  const template = state.templates.find(
    (candidate) =>
      candidate.wabaId === change.wabaId && candidate.name === change.name && candidate.language === change.language,
  );
  if (!template) throw new Error(`no template ${change.name} (${change.language}) in WABA ${change.wabaId}`);
  if (!TEMPLATE_STATUSES.includes(change.status)) throw new Error(`unknown template status ${change.status}`);
  if (template.status === change.status) return template;
  template.status = change.status;
  template.rejectedReason = change.status === 'REJECTED' ? (change.reason ?? 'INVALID_FORMAT') : 'NONE';
  const phone = [...state.phones.values()].find((candidate) => candidate.wabaId === change.wabaId);
  if (phone) {
    deps.publish({
      phone,
      kind: 'template_status',
      item: {
        event: change.status,
        message_template_id: Number(template.id),
        message_template_name: template.name,
        message_template_language: template.language,
        reason: change.reason ?? (change.status === 'REJECTED' ? template.rejectedReason : 'NONE'),
      },
    });
  }
  return template;
}
