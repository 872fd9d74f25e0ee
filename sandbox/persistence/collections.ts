/** Refills `target` with a restored collection's entries (modules may hold references to `target`). */
export function replaceEntries<K, V>(target: Map<K, V>, source: Map<K, V>): void {
  if (!(source instanceof Map)) throw new Error('the sandbox snapshot lacks a collection');
  target.clear();
  for (const [key, value] of source) target.set(key, value);
}
