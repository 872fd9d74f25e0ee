import type { ChatMessage, ConversationWindow } from '../../../contracts/panel-chat.ts';

const HOUR = 60 * 60 * 1000;

/** "Open · closes in 5 h", "Closes in less than an hour", "Closed" (WhatsApp's 24-hour window). */
export function windowLabel(window: ConversationWindow, now = Date.now()): string {
  if (window.state === 'closed' || window.closesAt === null) return 'Window closed: only templates can be sent';
  const hours = Math.floor((Date.parse(window.closesAt) - now) / HOUR);
  if (hours < 1) return 'Window open: closes in less than an hour';
  return `Window open: closes in ${hours} h`;
}

/** Provider errors in words, with the next step (whatsapp-cloud-api.md error table). */
const FAILURE_REASONS: Record<string, string> = {
  '131047': 'Not sent: more than 24 hours since they last wrote. Send a template instead.',
  '131026': 'Not delivered: this number may not be on WhatsApp, or their app is too old.',
  '130429': 'WhatsApp asked to slow down; Parley retries this message.',
  '131056': 'Too many messages to this person in a short time; Parley retries shortly.',
  '131048': 'Not sent: WhatsApp limited this number because earlier messages were reported as spam.',
  '131049': 'Not delivered: WhatsApp limits marketing messages to this person. Try again tomorrow.',
  '131050': 'Not delivered: this person stopped marketing messages from you.',
  '131051': 'Not sent: WhatsApp does not support this kind of message.',
  '131053': 'Not sent: WhatsApp could not take the attached file.',
  '132000': 'Not sent: the template’s variables do not match it any more. Reload and pick it again.',
  '132001': 'Not sent: this template is not approved in that language.',
  '132015': 'Not sent: this template is paused by WhatsApp for low quality.',
  '132016': 'Not sent: this template was disabled by WhatsApp.',
};

export function failureReason(error: ChatMessage['error']): string {
  if (error === null) return 'Not sent. Try again.';
  return FAILURE_REASONS[String(error.code)] ?? `Not sent: ${error.detail ?? error.title}.`;
}

/** What an outbound message's ticks say, for the eye and for screen readers. */
export function statusLabel(message: ChatMessage): { ticks: string; words: string } {
  switch (message.status) {
    case 'accepted':
      return { ticks: '🕓', words: 'Queued' };
    case 'sent':
      return { ticks: '✓', words: 'Sent' };
    case 'delivered':
      return { ticks: '✓✓', words: 'Delivered' };
    case 'read':
      return { ticks: '✓✓', words: 'Read' };
    case 'failed':
      return { ticks: '⚠', words: failureReason(message.error) };
    default:
      return { ticks: '', words: '' };
  }
}

/** One-line preview of a message (inbox list, quoted replies). */
export function previewOf(message: { type: string; body: string | null }): string {
  if (message.body !== null && message.body !== '') return message.body;
  const labels: Record<string, string> = {
    image: '📷 Photo',
    sticker: 'Sticker',
    audio: '🎤 Voice message',
    video: '🎬 Video',
    document: '📄 Document',
    location: '📍 Location',
    contacts: '👤 Contact card',
    reaction: 'Reaction',
  };
  return labels[message.type] ?? 'Message';
}
