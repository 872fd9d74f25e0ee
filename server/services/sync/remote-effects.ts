import type { IdentityRepository } from '../../db/repositories/identity.repository.ts';

/**
 * A Pipedrive create that must happen once per chat, though the job may die at any point:
 * `pending` is written before the call and `done` with the remote id after it. A retry finds
 * `done` and reuses the id; finding `pending` means an earlier attempt may have reached Pipedrive
 * (killed after the 201, before the commit), so it looks there first (`lookup`) before creating.
 */
export async function createOnce<Id extends string | number>(
  repository: IdentityRepository,
  effect: { companyId: number; chatId: string; kind: string },
  steps: { lookup: () => Promise<Id | undefined>; create: () => Promise<Id>; parse: (remoteId: string) => Id },
): Promise<{ id: Id; created: boolean }> {
  const previous = await repository.findEffect(effect.companyId, effect.chatId, effect.kind);
  if (previous?.state === 'done' && previous.remoteId !== null)
    return { id: steps.parse(previous.remoteId), created: false };
  if (previous?.state === 'pending') {
    const found = await steps.lookup();
    if (found !== undefined) {
      await repository.markEffectDone(effect.companyId, effect.chatId, effect.kind, String(found));
      return { id: found, created: false };
    }
  }
  await repository.markEffectPending(effect.companyId, effect.chatId, effect.kind);
  const id = await steps.create();
  await repository.markEffectDone(effect.companyId, effect.chatId, effect.kind, String(id));
  return { id, created: true };
}

/**
 * A record found by looking before creating (a person by phone, the person's open deal or lead)
 * may be the one an earlier, killed attempt created after writing `pending`: settle that effect
 * with the found id, so it does not stay `pending` forever (found by the chaos run).
 */
export async function settleIfPending(
  repository: IdentityRepository,
  effect: { companyId: number; chatId: string; kind: string },
  remoteId: string | number,
): Promise<void> {
  const previous = await repository.findEffect(effect.companyId, effect.chatId, effect.kind);
  if (previous?.state === 'pending')
    await repository.markEffectDone(effect.companyId, effect.chatId, effect.kind, String(remoteId));
}
