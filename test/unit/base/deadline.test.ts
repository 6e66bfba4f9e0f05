import { describe, expect, it } from 'vitest';
import { withDeadline } from '../../../base/deadline.js';

const timeout = () => Object.assign(new Error('no answer in time'), { name: 'TimeoutError' });

describe('withDeadline', () => {
  it('aborts the signal, then rejects with the deadline error, even when the call rejects as it sees the abort', async () => {
    let signal: AbortSignal | undefined;
    const call = (s: AbortSignal) => {
      signal = s;
      return new Promise<never>((_, reject) =>
        s.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }))),
      );
    };

    await expect(withDeadline(call, 20, timeout)).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toMatchObject({ name: 'TimeoutError' });
  });

  it('stops waiting for a call that ignores the signal', async () => {
    const started = performance.now();

    await expect(withDeadline(() => new Promise<never>(() => undefined), 20, timeout)).rejects.toThrow(
      'no answer in time',
    );
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('still starts a call whose deadline has passed, with its signal aborted already', async () => {
    let abortedAtStart: boolean | undefined;

    const late = withDeadline(
      (s) => {
        abortedAtStart = s.aborted;
        return Promise.resolve('answer');
      },
      0,
      timeout,
    );

    await expect(late).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(abortedAtStart).toBe(true);
  });

  it("passes on the call's answer or failure before the deadline, a synchronous throw included", async () => {
    await expect(withDeadline(() => Promise.resolve(5), 1000, timeout)).resolves.toBe(5);
    await expect(withDeadline(() => Promise.reject(new Error('denied')), 1000, timeout)).rejects.toThrow('denied');
    const throws = () => {
      throw new Error('thrown');
    };
    await expect(withDeadline(throws, 1000, timeout)).rejects.toThrow('thrown');
  });
});
