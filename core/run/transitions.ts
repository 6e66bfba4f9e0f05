import {
  conditionLetter,
  EVENT_SEQUENCE_WRAP,
  eventCode,
  eventVersionId,
  type HealthRecord,
  type PendingEvent,
  versionDigest,
} from '../../contract/event-records.js';
import { type Condition, RECONNECT_NEEDED, TRANSIENT_RUNS_BEFORE_EVENT } from '../../contract/events.js';
import type { FailureKind } from '../../contract/metrics.js';

/** What the transitions look at in one run's report (core/run/events.ts reads it), codes only. */
export interface RunSeen {
  readonly outcome: 'fresh' | 'refreshed' | 'failed' | 'pending';
  /** The run's failure: its kind and its code (already redacted; not yet cut to an event code). */
  readonly failure?: { readonly kind: FailureKind; readonly code: string };
  /** The lockout guard holds the credentials version the run saw (the report's `guardEngaged`). */
  readonly guardEngaged: boolean;
  /** The version the guard holds and the code it recorded, as the ledger keeps them. */
  readonly guard?: { readonly credentialsVersion: string; readonly code: string };
  /** The renewal, on a run that renewed. */
  readonly renewed?: { readonly grant: string; readonly expiresAt: number };
}

export interface TransitionOptions {
  /** Also an event on every renewal (`token-renewed`, off by default). */
  readonly tokenRenewed: boolean;
}

/** The health after the run, and the events it recorded, in order. */
export interface Decided {
  readonly health: HealthRecord;
  readonly events: readonly PendingEvent[];
}

/**
 * The condition a run leaves the provider in: healthy after a renewal; unchanged by a run that found
 * the token fresh (it proves nothing, either way); else what its outcome says.
 */
function conditionAfter(seen: RunSeen): Condition | 'healthy' | 'unchanged' {
  if (seen.outcome === 'refreshed') return 'healthy';
  if (seen.outcome === 'fresh') return 'unchanged';
  if (seen.outcome === 'pending') return 'waiting-for-credentials';
  if (seen.failure?.code === RECONNECT_NEEDED) return 'reconnect-needed';
  return seen.guardEngaged ? 'credentials-rejected' : 'renewal-failed';
}

/**
 * Which transitions one run made, from the health the ledger recorded (contract/event-records.ts)
 * and the run's report: a pure function, so the same ledger and report always make the same events
 * with the same numbers, whichever container runs it. Each condition's event is recorded once, when
 * the provider enters it (a transient failure once it repeats: TRANSIENT_RUNS_BEFORE_EVENT), and
 * `recovered` once when a renewal ends a condition whose event was recorded. A rejection of another
 * credentials version is a new `credentials-rejected`. After a condition's event the health record
 * stays as it is, run after run, so an outage writes nothing more to the ledger.
 */
export function decideTransitions(
  before: HealthRecord | undefined,
  seen: RunSeen,
  now: number,
  options: TransitionOptions,
): Decided {
  let q = before?.q ?? 0;
  const events: PendingEvent[] = [];
  const record = (event: Omit<PendingEvent, 'q' | 'at'>) => {
    events.push({ q, at: now, ...event });
    q = (q + 1) % EVENT_SEQUENCE_WRAP;
  };
  const condition = conditionAfter(seen);
  if (condition === 'unchanged') return { health: before ?? { q }, events };
  if (condition === 'healthy') {
    if (before?.c !== undefined && before.a === 1) record({ t: 'v', c: before.c, s: before.s ?? now });
    if (options.tokenRenewed && seen.renewed) record({ t: 'n', gr: seen.renewed.grant, e: seen.renewed.expiresAt });
    return { health: { q }, events };
  }

  const letter = conditionLetter(condition);
  const same = before?.c === letter;
  const since = before?.c === undefined ? now : (before.s ?? now);
  let announced = same && before.a === 1;
  // Runs are counted until the condition's event is recorded, then no more: the record stops changing.
  const runs = announced ? (before?.r ?? 1) : (before?.c === undefined ? 0 : (before.r ?? 0)) + 1;
  let guarded = same ? before.g : undefined;
  if (condition === 'renewal-failed' && !announced) {
    const kind = seen.failure?.kind ?? 'transient';
    if (kind !== 'transient' || runs >= TRANSIENT_RUNS_BEFORE_EVENT) {
      record({ t: 'f', k: kind, o: eventCode(seen.failure?.code ?? 'unknown'), s: since, r: runs });
      announced = true;
    }
  } else if (condition === 'credentials-rejected') {
    const version = seen.guard?.credentialsVersion;
    const digest = version === undefined ? undefined : versionDigest(version);
    if (!announced || (digest !== undefined && digest !== guarded)) {
      const code = eventCode(seen.guard?.code ?? seen.failure?.code ?? 'unknown');
      record({ t: 'r', o: code, ...(version === undefined ? {} : { v: eventVersionId(version) }) });
      announced = true;
      guarded = digest ?? guarded;
    }
  } else if (!announced) {
    record(condition === 'reconnect-needed' ? { t: 'x', o: RECONNECT_NEEDED, s: since } : { t: 'w', s: since });
    announced = true;
  }
  const health: HealthRecord = {
    q,
    c: letter,
    s: since,
    r: runs,
    ...(announced ? { a: 1 as const } : {}),
    ...(guarded === undefined ? {} : { g: guarded }),
  };
  return { health, events };
}
