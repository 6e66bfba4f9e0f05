import type { CliIo } from '../../cli/common/io.js';
import { runCli } from '../../cli/main.js';
import type { RunHost } from '../../cli/run/host.js';
import type { LocalRunner } from '../../local/runner.js';

/**
 * A simulated clock for local mode: timers fire when the test advances time, the core's sleeps
 * (Retry-After, spacing) pass at once, and every run finishes before time moves on. HTTP to the
 * demo server is real; only time is simulated, so minutes of schedule take milliseconds.
 */
export class SimHost {
  now: number;
  private timers: { id: number; at: number; run: () => void }[] = [];
  private nextId = 1;
  runner: LocalRunner | undefined;
  private stopHandler: ((signal: string) => void) | undefined;
  private readonly attached: Promise<void>;
  private resolveAttached!: () => void;

  constructor(startMs = Date.parse('2026-06-01T12:00:00Z')) {
    this.now = startMs;
    this.attached = new Promise((resolve) => (this.resolveAttached = resolve));
  }

  readonly host: RunHost = {
    clock: { now: () => this.now },
    sleep: (ms) => {
      this.now += ms;
      return Promise.resolve();
    },
    timers: {
      setTimeout: (run, ms) => {
        const id = this.nextId++;
        this.timers.push({ id, at: this.now + ms, run });
        return id;
      },
      clearTimeout: (id) => {
        this.timers = this.timers.filter((t) => t.id !== id);
      },
    },
    stdoutIsTTY: false,
    columns: 100,
    onSignals: (stop) => {
      this.stopHandler = stop;
      return () => (this.stopHandler = undefined);
    },
    attach: (runner) => {
      this.runner = runner;
      this.resolveAttached();
    },
  };

  /** Waits until `run` has started its runner, then lets the first runs (at start) finish. */
  async started(): Promise<void> {
    await this.attached;
    await this.advance(0);
  }

  /** Moves the clock forward by `ms`, firing due timers in order, each run finishing before the next. */
  async advance(ms: number): Promise<void> {
    const until = this.now + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers[0];
      if (!next || next.at > until) break;
      this.timers.shift();
      this.now = Math.max(this.now, next.at);
      next.run();
      await this.runner?.settled();
    }
    this.now = Math.max(this.now, until);
  }

  /** Ctrl-C, as the process host would deliver it. */
  signal(name = 'SIGINT'): void {
    this.stopHandler?.(name);
  }
}

export interface CliRun {
  readonly code: Promise<number>;
  readonly stdout: string[];
  readonly stderr: string[];
}

/** Starts `token-refresher <argv>` in-process on the simulated host; `code` resolves when it ends. */
export function startCli(argv: string[], sim: SimHost, io: Partial<CliIo> = {}): CliRun {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = runCli(argv, {
    io: {
      stdout: (text) => void stdout.push(text),
      stderr: (text) => void stderr.push(text),
      stderrIsTTY: false,
      stdinIsTTY: false,
      env: {},
      now: () => sim.now,
      prompt: () => Promise.reject(new Error('no prompt expected')),
      cwd: process.cwd(),
      ...io,
    },
    host: sim.host,
  });
  return { code, stdout, stderr };
}

/** The `--json` lines printed so far, parsed (loosely typed: tests read fields they assert on). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function jsonEvents(run: CliRun): Record<string, any>[] {
  return run.stdout
    .join('')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}
