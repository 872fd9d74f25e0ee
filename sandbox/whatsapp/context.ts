import type { ChatDeps } from './chat/chat-deps.ts';
import type { WebhookDispatcher } from './webhooks/dispatcher.ts';

/** What the emulator's route modules share. */
export interface WhatsAppContext extends ChatDeps {
  dispatcher: WebhookDispatcher;
  /** Origin of the sandbox (known once it listens); read per request. */
  baseUrl(): string;
  /** Key of the HMAC that makes media download URLs unguessable and short-lived. */
  mediaUrlKey: string;
}
