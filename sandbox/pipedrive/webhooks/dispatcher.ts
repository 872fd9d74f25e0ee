import { randomUUID } from 'node:crypto';
import type { SandboxClock } from '../../clock.ts';
import type { PipedriveState, User, Webhook } from '../state.ts';
import { createDeliverer } from './delivery.ts';
import type { ChangeEvent } from './payloads.ts';

export interface WebhookDispatcher {
  /**
   * Fans a change out to the company's matching webhooks. `isVisibleTo` decides which users may see
   * the object: a webhook only gets events its user may see (its `user_id`), and
   * `meta.permitted_user_ids` lists the users who may.
   */
  emit(event: ChangeEvent, isVisibleTo: (user: User) => boolean): void;
  /** Resolves when no delivery attempt is in flight (tests). */
  settle(): Promise<void>;
}

export function createWebhookDispatcher(state: PipedriveState, clock: SandboxClock): WebhookDispatcher {
  const deliverer = createDeliverer(state, clock);
  return {
    emit(event, isVisibleTo) {
      const company = state.companies.get(event.companyId);
      if (!company) return;
      const permittedUserIds = [...state.users.values()]
        .filter((user) => user.companyId === company.id && user.active && isVisibleTo(user))
        .map((user) => user.id);
      const correlationId = randomUUID();
      const timestamp = clock.now();
      for (const webhook of state.webhooks.values()) {
        if (!matches(webhook, event)) continue;
        const owner = state.users.get(webhook.userId);
        if (!owner?.active || !isVisibleTo(owner)) continue;
        deliverer.deliver({
          webhookId: webhook.id,
          company,
          event,
          eventId: randomUUID(),
          correlationId,
          timestamp,
          permittedUserIds,
        });
      }
    },
    settle: () => deliverer.settle(),
  };
}

function matches(webhook: Webhook, event: ChangeEvent): boolean {
  return (
    webhook.companyId === event.companyId &&
    webhook.isActive &&
    (webhook.eventAction === '*' || webhook.eventAction === event.action) &&
    (webhook.eventObject === '*' || webhook.eventObject === event.entity)
  );
}
