/**
 * The value of a read started alongside others (`Promise.allSettled`), or its error thrown: for
 * reads sent together whose errors must still surface in the order the answer checks them.
 */
export function settledValue<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}
