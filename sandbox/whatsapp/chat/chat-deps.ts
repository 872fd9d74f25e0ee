import type { WhatsAppState } from '../state.ts';
import type { EmulatorTimers } from '../timers.ts';
import type { WebhookEvent } from '../webhooks/payloads.ts';

/** What the chat flows (business → customer and back) need. */
export interface ChatDeps {
  state: WhatsAppState;
  timers: EmulatorTimers;
  publish: (event: WebhookEvent) => void;
}
