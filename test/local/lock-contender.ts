import { lockDirectory } from '../../local/dir-lock.js';

/**
 * A child process of test/local/dir-lock-race.test.ts: a `token-refresher run` reduced to taking the
 * directory lock. On each `{dir, at}` message it waits until `at` (every contender starts within the
 * same millisecond), tries the lock once and answers whether it got it. A lock it got is kept: the
 * test resets the lock file itself between trials.
 */
process.on('message', (message: { dir: string; at: number }) => {
  while (Date.now() < message.at) {
    // Spin rather than sleep: a timer would spread the start over a few milliseconds.
  }
  lockDirectory(message.dir).then(
    () => process.send?.({ pid: process.pid, won: true }),
    (error: Error) => process.send?.({ pid: process.pid, won: false, error: error.name }),
  );
});
process.send?.({ ready: process.pid });
