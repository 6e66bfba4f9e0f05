import type { ProviderSettings } from '../contract/provider-settings.js';
import { RUN_TIMEOUT_SECONDS } from '../contract/schedule.js';
import { HttpMetadataSource } from '../core/metadata-endpoint.js';
import { OAuthTokenEndpoint } from '../core/oauth-endpoint.js';
import type { Clock, CredentialsSource, Log, Sleep, TokenEndpoint } from '../core/ports.js';
import { type RunReport, runRefresh } from '../core/refresh.js';
import { FileStateStore } from './stores/file-state-store.js';
import { FileTokenStore } from './stores/file-token-store.js';
import { removePendingRecord, writePendingRecord } from './pending-record.js';

/**
 * Runs every provider on this machine with the function's core (core/refresh.ts), each on its own
 * schedule: a first run at start, then one every `checkIntervalMinutes`, as EventBridge Scheduler's
 * rate schedule does. Runs of one provider never overlap (the function has reserved concurrency 1).
 * Only the adapters differ from the Lambda handler (lambda/index.ts): files instead of Secrets
 * Manager and SSM, a local credentials source instead of the secret, timers instead of the scheduler.
 */

/** The function's run budget: its 30 s timeout less the 10 s lambda/index.ts keeps back to store results. */
export const LOCAL_RUN_BUDGET_MS = RUN_TIMEOUT_SECONDS * 1000 - 10_000;

export interface LocalProvider {
  readonly settings: ProviderSettings;
  readonly tokenFile: string;
  readonly stateFile: string;
  /** Where the runner records that the provider waits for credentials (local/pending-record.ts). */
  readonly pendingFile: string;
  /** The limit of the store the provider gets in AWS (STORE_MAX_BYTES). */
  readonly maxBytes: number;
  readonly credentials: CredentialsSource;
  /** Default: the function's oauth4webapi adapter (core/oauth-endpoint.ts). */
  readonly endpoint?: TokenEndpoint;
}

export interface Timers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export type LocalEvent =
  | {
      readonly type: 'run';
      readonly at: number;
      readonly provider: string;
      readonly tokenFile: string;
      readonly report: RunReport;
      /** Undefined when no further run is scheduled (`--once`, stopping). */
      readonly nextRunAt?: number;
    }
  /** `runRefresh` threw: a bug, as in the function (where it ends in the dead-letter queue). */
  | {
      readonly type: 'crash';
      readonly at: number;
      readonly provider: string;
      readonly error: string;
      readonly nextRunAt?: number;
    }
  /** Something the embedded demo did (a fault it injected, credentials it changed). */
  | { readonly type: 'note'; readonly at: number; readonly provider?: string; readonly message: string }
  | {
      readonly type: 'log';
      readonly at: number;
      readonly provider: string;
      readonly level: 'info' | 'warn';
      readonly message: string;
      readonly extra?: object;
    };

export interface LocalRunnerOptions {
  readonly providers: readonly LocalProvider[];
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly timers: Timers;
  readonly onEvent: (event: LocalEvent) => void;
  /** Run every provider once, then stop. */
  readonly once?: boolean;
}

interface Slot {
  readonly provider: LocalProvider;
  readonly deps: Parameters<typeof runRefresh>[0];
  timer?: unknown;
  running?: Promise<void>;
  nextRunAt?: number;
  /** Whether a pending record may exist: unknown (undefined) until the first run removed or wrote it. */
  pendingRecorded?: boolean;
}

export class LocalRunner {
  private readonly slots: Slot[];
  private startedAt = 0;
  private stopping = false;
  private remainingOnce: number;
  private resolveDone!: () => void;
  /** Resolves when the runner has stopped and no run is in flight (`--once`: after every provider ran). */
  readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));

  constructor(private readonly options: LocalRunnerOptions) {
    this.remainingOnce = options.providers.length;
    this.slots = options.providers.map((provider) => {
      const { settings } = provider;
      const log = this.logFor(settings.id);
      return {
        provider,
        deps: {
          settings,
          tokenStore: new FileTokenStore(provider.tokenFile, provider.maxBytes, log),
          stateStore: new FileStateStore(provider.stateFile, log),
          credentials: provider.credentials,
          endpoint: provider.endpoint ?? new OAuthTokenEndpoint(settings),
          metadata: new HttpMetadataSource(),
          metadataMemory: {},
          clock: options.clock,
          sleep: options.sleep,
          log,
        },
      };
    });
  }

  /** First run of every provider now; later runs on each provider's interval. */
  start(): void {
    this.startedAt = this.options.clock.now();
    for (const slot of this.slots) this.schedule(slot, 0);
  }

  /** Provider ids whose run is in progress. */
  inFlight(): string[] {
    return this.slots.filter((s) => s.running !== undefined).map((s) => s.provider.settings.id);
  }

  /** When each provider runs next (epoch ms), by id. */
  nextRuns(): Map<string, number | undefined> {
    return new Map(this.slots.map((s) => [s.provider.settings.id, s.nextRunAt]));
  }

  /** Resolves once no run is in flight (tests use it to step a simulated clock). */
  async settled(): Promise<void> {
    for (;;) {
      const running = this.slots.flatMap((s) => (s.running ? [s.running] : []));
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  /**
   * Schedules nothing more and resolves when the runs in flight have ended. A run is never cut off
   * halfway: it ends within its budget, and its state is written before its token (core/refresh.ts).
   */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const slot of this.slots) {
      if (slot.timer !== undefined) this.options.timers.clearTimeout(slot.timer);
      slot.timer = undefined;
      slot.nextRunAt = undefined;
    }
    await this.settled();
    this.resolveDone();
  }

  private logFor(provider: string): Log {
    const emit = (level: 'info' | 'warn') => (message: string, extra?: object) =>
      this.options.onEvent({
        type: 'log',
        at: this.options.clock.now(),
        provider,
        level,
        message,
        ...(extra ? { extra } : {}),
      });
    return { info: emit('info'), warn: emit('warn') };
  }

  private schedule(slot: Slot, delayMs: number): void {
    if (this.stopping) return;
    slot.nextRunAt = this.options.clock.now() + delayMs;
    slot.timer = this.options.timers.setTimeout(() => {
      slot.timer = undefined;
      slot.running = this.runOnce(slot).finally(() => (slot.running = undefined));
    }, delayMs);
  }

  /** Keeps the provider's pending record in step with its last run, for `status --local`. */
  private async recordPending(slot: Slot, report: RunReport): Promise<void> {
    const { pendingFile } = slot.provider;
    const { outcome, note } = report.result;
    try {
      if (outcome === 'pending') {
        await writePendingRecord(pendingFile, { at: this.options.clock.now(), description: note?.description ?? '' });
        slot.pendingRecorded = true;
      } else if (slot.pendingRecorded !== false) {
        await removePendingRecord(pendingFile);
        slot.pendingRecorded = false;
      }
    } catch (error) {
      slot.deps.log.warn('cannot record whether the provider waits for credentials; status --local may be wrong', {
        file: pendingFile,
        code: (error as { name?: string }).name ?? 'Error',
      });
    }
  }

  /** The next slot of the provider's fixed-rate schedule that is still ahead. */
  private delayToNext(slot: Slot): number {
    const interval = slot.provider.settings.checkIntervalMinutes * 60_000;
    const now = this.options.clock.now();
    const elapsed = now - this.startedAt;
    const next = this.startedAt + (Math.floor(elapsed / interval) + 1) * interval;
    return next - now;
  }

  private async runOnce(slot: Slot): Promise<void> {
    const { clock, onEvent, once } = this.options;
    const id = slot.provider.settings.id;
    slot.nextRunAt = undefined;
    let outcome: { report: RunReport } | { error: string };
    try {
      outcome = { report: await runRefresh(slot.deps, { deadlineMs: clock.now() + LOCAL_RUN_BUDGET_MS }) };
    } catch (error) {
      outcome = { error: (error as { name?: string }).name ?? 'Error' };
    }
    if ('report' in outcome) await this.recordPending(slot, outcome.report);
    const more = !once && !this.stopping;
    if (more) this.schedule(slot, this.delayToNext(slot));
    const base = {
      at: clock.now(),
      provider: id,
      ...(slot.nextRunAt === undefined ? {} : { nextRunAt: slot.nextRunAt }),
    };
    if ('report' in outcome)
      onEvent({ type: 'run', ...base, tokenFile: slot.provider.tokenFile, report: outcome.report });
    else onEvent({ type: 'crash', ...base, error: outcome.error });
    if (once && --this.remainingOnce === 0) this.resolveDone();
  }
}
