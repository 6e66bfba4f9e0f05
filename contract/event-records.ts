import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import {
  type Condition,
  DETAIL_TYPE,
  EVENT_CODE,
  EVENT_DETAIL_SCHEMAS,
  EVENT_DETAIL_VERSION,
  EVENT_VERSION_ID,
  type LifecycleEvent,
  type Transition,
} from './events.js';
import { FAILURE_KINDS } from './metrics.js';

/**
 * What the ledger (contract/private-state.ts) keeps for lifecycle events: the provider's health as
 * the last run left it, and the outbox of events recorded but not yet delivered. Keys are short
 * because both live inside the ledger's fixed bound (LEDGER_MAX_BYTES) beside the lockout memory.
 */

/** Each transition's and condition's letter in the ledger. */
export const TRANSITION_LETTER = {
  'renewal-failed': 'f',
  recovered: 'v',
  'credentials-rejected': 'r',
  'waiting-for-credentials': 'w',
  'reconnect-needed': 'x',
  'token-renewed': 'n',
} as const satisfies Record<Transition, string>;
type Letter = (typeof TRANSITION_LETTER)[Transition];
const CONDITION_LETTERS = ['f', 'r', 'w', 'x'] as const;
type ConditionLetter = (typeof CONDITION_LETTERS)[number];

const transitionOf = (letter: Letter): Transition =>
  (Object.keys(TRANSITION_LETTER) as Transition[]).find((t) => TRANSITION_LETTER[t] === letter)!;
export const conditionLetter = (c: Condition): ConditionLetter => TRANSITION_LETTER[c];
export const conditionOf = (letter: ConditionLetter) => transitionOf(letter) as Condition;

export const healthRecordSchema = z.object({
  /** Events recorded so far, modulo EVENT_SEQUENCE_WRAP: the next one's number, from which its id derives. */
  q: z.number(),
  /** The unhealthy condition the last run left (a CONDITION letter); absent: healthy. */
  c: z.optional(z.enum(CONDITION_LETTERS)),
  /** Epoch ms of the first run that did not renew. */
  s: z.optional(z.number()),
  /** Runs in a row that did not renew, counted until the condition's event is recorded (then it stays, and so does the ledger). */
  r: z.optional(z.number()),
  /** 1 once the condition's event was recorded. */
  a: z.optional(z.literal(1)),
  /** Digest of the credentials version whose rejection was recorded (a new rejected version is a new event). */
  g: z.optional(z.string()),
});
export type HealthRecord = z.infer<typeof healthRecordSchema>;

export const pendingEventSchema = z.object({
  q: z.number(),
  t: z.enum(Object.values(TRANSITION_LETTER) as [Letter, ...Letter[]]),
  /** Epoch ms of the run that decided it. */
  at: z.number(),
  s: z.optional(z.number()),
  r: z.optional(z.number()),
  k: z.optional(z.enum(FAILURE_KINDS)),
  /** A code (EVENT_CODE). */
  o: z.optional(z.string()),
  /** A credentials version id (EVENT_VERSION_ID). */
  v: z.optional(z.string()),
  /** For `recovered`: the condition that ended. */
  c: z.optional(z.enum(CONDITION_LETTERS)),
  /** For `token-renewed`: the grant, and when the token expires (epoch seconds). */
  gr: z.optional(z.string()),
  e: z.optional(z.number()),
});
export type PendingEvent = z.infer<typeof pendingEventSchema>;

/**
 * Undelivered events the ledger keeps: with both, the worst ledger stays within its bound. More
 * undelivered transitions than this (EventBridge refusing for many runs) drop the oldest, which the
 * run counts as undelivered (core/run/events.ts).
 */
export const OUTBOX_MAX = 2;
/** Event numbers wrap here, so the ledger's number stays short; ids repeat only after this many events. */
export const EVENT_SEQUENCE_WRAP = 1_000_000;
const MAX_RUNS = 99_999;
const MAX_EPOCH_MS = 9_999_999_999_999;

const whole = (n: number, max: number, min = 0) =>
  Number.isFinite(n) ? Math.min(max, Math.max(min, Math.round(n))) : min;
const sequence = (q: number) =>
  ((whole(q, Number.MAX_SAFE_INTEGER) % EVENT_SEQUENCE_WRAP) + EVENT_SEQUENCE_WRAP) % EVENT_SEQUENCE_WRAP;
const epochMs = (t: number | undefined, now: number) =>
  t === undefined ? undefined : whole(t, Math.min(now, MAX_EPOCH_MS));

/** A code as events carry it: lower case, cut to EVENT_CODE's length; `unrecognized` when nothing of it fits. */
export function eventCode(code: string): string {
  const cut = code.toLowerCase().slice(0, 40);
  return EVENT_CODE.test(cut) ? cut : 'unrecognized';
}

/** A credentials version as events carry it (EVENT_VERSION_ID): as it is when it fits, else a digest. */
export function eventVersionId(version: string): string {
  if (EVENT_VERSION_ID.test(version)) return version;
  return `sha256:${createHash('sha256').update(version, 'utf8').digest('base64url').slice(0, 22)}`;
}

/** Eight characters that tell credentials versions apart in the health record. */
export function versionDigest(version: string): string {
  return createHash('sha256').update(version, 'utf8').digest('base64url').slice(0, 8);
}

/** The health record within its bound: whole numbers, times not after `now`. */
export function boundHealth(h: HealthRecord, now: number): HealthRecord {
  const { c, s, r, a, g } = h;
  return Object.fromEntries(
    Object.entries({
      q: sequence(h.q),
      c,
      s: epochMs(s, now),
      r: r === undefined ? undefined : whole(r, MAX_RUNS, 1),
      a,
      // A digest (versionDigest) or nothing: anything else cannot match one, so it is dropped.
      g: g !== undefined && /^[A-Za-z0-9_-]{8}$/.test(g) ? g : undefined,
    }).filter(([, v]) => v !== undefined),
  ) as HealthRecord;
}

/** The fields each transition's record holds besides its number and time; any other is dropped by the bound. */
const FIELDS: Readonly<Record<Letter, readonly (keyof PendingEvent)[]>> = {
  f: ['k', 'o', 's', 'r'],
  v: ['c', 's'],
  r: ['o', 'v'],
  w: ['s'],
  x: ['o', 's'],
  n: ['gr', 'e'],
};

function boundEvent(p: PendingEvent, now: number): PendingEvent {
  const { s, r, o, v, gr, e } = p;
  const all: Partial<PendingEvent> = {
    k: p.k,
    c: p.c,
    s: epochMs(s, now),
    r: r === undefined ? undefined : whole(r, MAX_RUNS, 1),
    o: o === undefined ? undefined : eventCode(o),
    v: v === undefined ? undefined : eventVersionId(v),
    gr: gr === undefined ? undefined : eventCode(gr),
    e: e === undefined ? undefined : whole(e, MAX_EPOCH_MS / 1000),
  };
  const own = Object.fromEntries(FIELDS[p.t].filter((f) => all[f] !== undefined).map((f) => [f, all[f]]));
  return { q: sequence(p.q), t: p.t, at: whole(p.at, Math.min(now, MAX_EPOCH_MS)), ...(own as Partial<PendingEvent>) };
}

/** The newest OUTBOX_MAX undelivered events, each with its own fields only, within their bounds; undefined when none. */
export function boundOutbox(outbox: readonly PendingEvent[] | undefined, now: number): PendingEvent[] | undefined {
  const kept = (outbox ?? []).slice(-OUTBOX_MAX).map((p) => boundEvent(p, now));
  return kept.length > 0 ? kept : undefined;
}

/**
 * The event's id: the same for every delivery of one recorded transition, whichever container or
 * retry delivers it, so consumers can deduplicate. `scope` tells deployments apart (the ledger's
 * parameter name is unique per stage, prefix and provider). Shaped as an RFC 9562 version 8 UUID.
 */
export function eventId(scope: string, p: Pick<PendingEvent, 'q' | 't'>): string {
  const hex = createHash('sha256').update(`${scope}\n${p.q}\n${p.t}`, 'utf8').digest('hex').slice(0, 32).split('');
  hex[12] = '8';
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const iso = (ms: number) => new Date(ms).toISOString();

function specificFields(p: PendingEvent): Record<string, unknown> {
  switch (p.t) {
    case 'f':
      return { kind: p.k, code: p.o, since: p.s === undefined ? undefined : iso(p.s), consecutiveRuns: p.r };
    case 'v':
      return { condition: p.c && conditionOf(p.c), since: p.s === undefined ? undefined : iso(p.s) };
    case 'r':
      return { code: p.o, ...(p.v === undefined ? {} : { credentialsVersion: p.v }) };
    case 'w':
      return { since: p.s === undefined ? undefined : iso(p.s) };
    case 'x':
      return { code: p.o, since: p.s === undefined ? undefined : iso(p.s) };
    case 'n':
      return { grant: p.gr, expiresAt: p.e === undefined ? undefined : iso(p.e * 1000) };
  }
}

/**
 * The event an outbox record stands for, checked against its detail schema (contract/events.ts);
 * undefined for a record no schema accepts (a hand edit, a newer version's record).
 */
export function lifecycleEvent(
  p: PendingEvent,
  where: { readonly provider: string; readonly stage: string; readonly scope: string },
): LifecycleEvent | undefined {
  const transition = transitionOf(p.t);
  const id = eventId(where.scope, p);
  const detail = {
    version: EVENT_DETAIL_VERSION,
    eventId: id,
    provider: where.provider,
    stage: where.stage,
    time: iso(p.at),
    ...specificFields(p),
  };
  const checked = EVENT_DETAIL_SCHEMAS[transition].safeParse(detail);
  if (!checked.success) return undefined;
  return { id, transition, detailType: DETAIL_TYPE[transition], time: p.at, detail: checked.data };
}
