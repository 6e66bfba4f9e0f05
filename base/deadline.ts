/**
 * Races `call` against a deadline of `ms` milliseconds. When the deadline comes first, the signal
 * handed to `call` is aborted, so that a client that honours it stops its work, and then the returned
 * promise rejects with `makeError()`: always that error, even when `call` rejects at once as it sees
 * the abort (an SDK's own AbortError), so callers can classify a timeout by one error. The race stops
 * the wait even for a call that ignores the signal. A deadline already passed (`ms <= 0`) aborts the
 * signal before `call` starts. The timer is cleared as soon as either side settles, so it never holds
 * the process open. This room imports nothing (base/result.ts).
 */
export function withDeadline<T>(
  call: (signal: AbortSignal) => Promise<T>,
  ms: number,
  makeError: () => Error,
): Promise<T> {
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expire = () => {
      if (settled) return;
      settled = true;
      const error = makeError();
      controller.abort(error);
      reject(error);
    };
    if (ms <= 0) expire();
    else timer = setTimeout(expire, ms);
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      finish();
    };
    // A call that throws before it returns a promise fails the same way as one that rejects.
    new Promise<T>((started) => started(call(controller.signal))).then(
      (value) => settle(() => resolve(value)),
      (error: Error) => settle(() => reject(error)),
    );
  });
}
