/**
 * Waits until `condition` holds (polling every 25 ms), failing after `timeoutMs`. For effects
 * that happen in another process or worker (a job ran, a webhook arrived): it returns as soon as
 * the condition is true, never after a fixed delay.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  options: { timeoutMs?: number; message?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${options.message ?? condition.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
