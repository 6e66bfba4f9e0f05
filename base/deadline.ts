/**
 * Races `call` against a deadline of `ms` milliseconds. When the deadline comes first, the signal
 * handed to `call` is aborted, so that a client that honours it stops its work, and then the returned
 * promise rejects with `makeError()`. That error always wins, even over a call that rejects as it
 * sees the abort (an SDK's own AbortError): the call's outcome reaches the returned promise only a
 * microtask later, while the abort and the rejection happen in the same task. The race stops the wait
 * even for a call that ignores the signal. A deadline already passed (`ms <= 0`) aborts the signal
 * before `call` starts. The timer is cleared as soon as the call settles, so it never holds the
 * process open. This room imports nothing (base/result.ts).
 */
export function withDeadline<T>(
  call: (signal: AbortSignal) => Promise<T>,
  ms: number,
  makeError: () => Error,
): Promise<T> {
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expire = () => {
      const error = makeError();
      controller.abort(error);
      reject(error);
    };
    if (ms <= 0) expire();
    else timer = setTimeout(expire, ms);
    // A call that throws before it returns a promise fails the same way as one that rejects.
    new Promise<T>((started) => started(call(controller.signal)))
      .finally(() => clearTimeout(timer))
      .then(resolve, reject);
  });
}
