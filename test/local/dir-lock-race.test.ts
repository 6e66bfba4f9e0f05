import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Four `run` processes racing for one directory, each trial started at the same instant. */
const CONTENDERS = 4;
const TRIALS = 40;
/** Above Linux's pid_max: no process has it, so a lock naming it is stale. */
const DEAD_PID = 999_999_999;

interface Answer {
  readonly pid: number;
  readonly won: boolean;
  readonly error?: string;
}

let children: ChildProcess[] = [];

beforeAll(async () => {
  children = Array.from({ length: CONTENDERS }, () =>
    fork(new URL('./lock-contender.ts', import.meta.url).pathname, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  await Promise.all(children.map((child) => new Promise((resolve) => child.once('message', resolve))));
});

afterAll(() => {
  for (const child of children) child.kill();
});

/** Every contender tries the lock of `dir` once, all starting at the same moment. */
function race(dir: string, contenders = children): Promise<Answer[]> {
  const at = Date.now() + 50;
  return Promise.all(
    contenders.map(
      (child) =>
        new Promise<Answer>((resolve) => {
          child.once('message', (answer: Answer) => resolve(answer));
          child.send({ dir, at });
        }),
    ),
  );
}

describe('the directory lock under a race of real processes', () => {
  it(`lets exactly one of ${CONTENDERS} processes take over a stale lock, in each of ${TRIALS} trials`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'token-refresher-lock-race-'));
    const winnersPerTrial: number[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      // A lock left by a run that no longer exists, as after a crash or a reboot.
      writeFileSync(join(dir, '.lock'), `${DEAD_PID}\n`);
      const answers = await race(dir);
      const winners = answers.filter((a) => a.won);
      winnersPerTrial.push(winners.length);
      // The losers saw the winner's lock, not an error of their own.
      for (const loser of answers.filter((a) => !a.won)) expect(loser.error).toBe('DirectoryBusyError');
      if (winners.length === 1) expect(readFileSync(join(dir, '.lock'), 'utf8')).toMatch(`${winners[0]!.pid}`);
      // No claim or takeover marker is left behind.
      expect(readdirSync(dir)).toEqual(['.lock']);
    }
    expect(winnersPerTrial.filter((n) => n !== 1)).toEqual([]);
  });

  it('never removes a lock that a live process holds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'token-refresher-lock-race-'));
    const [holder, ...others] = children;
    const [held] = await race(dir, [holder!]);
    expect(held).toMatchObject({ won: true });
    const lock = readFileSync(join(dir, '.lock'), 'utf8');
    for (let trial = 0; trial < TRIALS; trial++) {
      const answers = await race(dir, others);
      expect(answers.map((a) => a.error)).toEqual(others.map(() => 'DirectoryBusyError'));
      expect(readFileSync(join(dir, '.lock'), 'utf8')).toBe(lock);
    }
  });
});
