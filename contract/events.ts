import * as z from 'zod/mini';
import { FAILURE_KINDS } from './metrics.js';

/**
 * The lifecycle events a refresher puts on Amazon EventBridge when a provider's health changes
 * (docs/events.md): one `detail-type` per transition, `source` the project's name, and a detail
 * whose `version` says which of these schemas it follows. The JSON Schemas in docs/events/ are
 * generated from the zod schemas here (scripts/events-schema.ts), and a test keeps them equal.
 *
 * A detail holds codes, kinds, times, counts, a credentials version id, the provider id and the
 * stage: never a secret, never an identity provider's prose (an error description may echo what
 * was sent, in an encoding no redactor knows).
 */

/** The `source` of every event. */
export const EVENT_SOURCE = 'token-refresher';

/** The version of the detail schemas; a change that removes or retypes a field makes a new one. */
export const EVENT_DETAIL_VERSION = 1;

/**
 * The failure code of a grant that lives on the refresh token alone when the IdP refuses it: a
 * person must run `connect` again. It is its own transition ("reconnect needed").
 */
export const RECONNECT_NEEDED = 'reconnect_needed';

/** The transitions, by the name the ledger and the docs use. */
export const TRANSITIONS = [
  'renewal-failed',
  'recovered',
  'credentials-rejected',
  'waiting-for-credentials',
  'reconnect-needed',
  'token-renewed',
] as const;
export type Transition = (typeof TRANSITIONS)[number];

/** The `detail-type` of each transition's event; what a rule matches on. */
export const DETAIL_TYPE: Readonly<Record<Transition, string>> = {
  'renewal-failed': 'Token Renewal Failed',
  recovered: 'Token Renewal Recovered',
  'credentials-rejected': 'Token Credentials Rejected',
  'waiting-for-credentials': 'Token Waiting For Credentials',
  'reconnect-needed': 'Token Reconnect Needed',
  'token-renewed': 'Token Renewed',
};

/**
 * Failing runs in a row, all transient (an IdP outage, throttling), before `renewal-failed`: one
 * failed run is retried by the next and pages nobody (docs/how-it-works.md), so it is no event
 * either. Any other kind of failure is an event on its first run.
 */
export const TRANSIENT_RUNS_BEFORE_EVENT = 3;

/** The unhealthy conditions a provider can be in; `recovered` says which one ended. */
export const CONDITIONS = [
  'renewal-failed',
  'credentials-rejected',
  'reconnect-needed',
  'waiting-for-credentials',
] as const;
export type Condition = (typeof CONDITIONS)[number];

/**
 * An OAuth `error` or a code of ours, cut to 40 characters: the ledger holds undelivered events
 * within its bound (contract/event-records.ts), and no standard OAuth code is longer.
 */
export const EVENT_CODE = /^[a-z0-9_]{1,40}$/;
/**
 * A credentials version id as events carry it: a Secrets Manager version id (36 characters) as it
 * is, a longer or unusual one as `sha256:` and 22 characters of its digest.
 */
export const EVENT_VERSION_ID = /^[A-Za-z0-9_.:+=@-]{1,40}$/;
const EVENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

const time = () => z.string().check(z.regex(ISO_TIME));
const count = () => z.int().check(z.minimum(1));

/** What every detail holds. */
const common = {
  version: z.literal(EVENT_DETAIL_VERSION),
  /** Stable across deliveries of one transition: consumers deduplicate on it (docs/events.md "Delivery"). */
  eventId: z.string().check(z.regex(EVENT_ID)),
  provider: z.string().check(z.regex(/^[a-z0-9-]{1,40}$/)),
  /** The stage (`default` for the default stage). */
  stage: z.string().check(z.regex(/^[a-z0-9-]{1,20}$/)),
  /** When the run that made the transition decided it. */
  time: time(),
};

/** The detail schema of each transition's event. */
export const EVENT_DETAIL_SCHEMAS = {
  'renewal-failed': z.strictObject({
    ...common,
    kind: z.enum(FAILURE_KINDS),
    code: z.string().check(z.regex(EVENT_CODE)),
    /** The first failing run of the streak. */
    since: time(),
    consecutiveRuns: count(),
  }),
  recovered: z.strictObject({
    ...common,
    /** What ended. */
    condition: z.enum(CONDITIONS),
    /** The first run that did not renew; the provider was unhealthy from then until `time`. */
    since: time(),
  }),
  'credentials-rejected': z.strictObject({
    ...common,
    code: z.string().check(z.regex(EVENT_CODE)),
    /** The version the lockout guard holds: nothing is sent with it again. A version id, never a value. */
    credentialsVersion: z.optional(z.string().check(z.regex(EVENT_VERSION_ID))),
  }),
  'waiting-for-credentials': z.strictObject({ ...common, since: time() }),
  'reconnect-needed': z.strictObject({
    ...common,
    code: z.literal(RECONNECT_NEEDED),
    since: time(),
  }),
  'token-renewed': z.strictObject({
    ...common,
    grant: z.string().check(z.regex(/^[a-z_]{1,40}$/)),
    expiresAt: time(),
  }),
} as const satisfies Record<Transition, z.ZodMiniType>;

export type EventDetail<T extends Transition> = z.infer<(typeof EVENT_DETAIL_SCHEMAS)[T]>;

/** One event as the publisher sends it: the detail-type, the time, and the detail. */
export interface LifecycleEvent {
  readonly id: string;
  readonly transition: Transition;
  readonly detailType: string;
  /** Epoch ms. */
  readonly time: number;
  readonly detail: Readonly<Record<string, unknown>>;
}

/**
 * Where the function's events go (the runtime configuration's `events`): absent, it records no
 * transition. `tokenRenewed` turns on the one event that is not a transition.
 */
export const eventsRuntimeSchema = z.strictObject({
  /** The bus's name or ARN (`default`: the account's default bus); at synth, a token CloudFormation resolves. */
  busName: z.string().check(z.minLength(1), z.maxLength(1600)),
  stage: common.stage,
  tokenRenewed: z.boolean(),
});
export type EventsRuntime = z.infer<typeof eventsRuntimeSchema>;

/** A bus as the providers file names it: its name, or its ARN for a bus of another account. */
export const EVENT_BUS_NAME =
  /^(arn:aws[a-z-]*:events:[a-z0-9-]{1,30}:\d{12}:event-bus\/[A-Za-z0-9._\-/]{1,256}|[A-Za-z0-9._\-/]{1,256})$/;

/**
 * Each detail's JSON Schema as docs/events/ holds it (written by `npm run schema`), with the envelope
 * fields a rule sees around it: `source` and `detail-type`.
 */
export function eventJsonSchemas(): Record<Transition, Record<string, unknown>> {
  const schemas = {} as Record<Transition, Record<string, unknown>>;
  for (const transition of TRANSITIONS) {
    const detail = z.toJSONSchema(EVENT_DETAIL_SCHEMAS[transition], { target: 'draft-2020-12' });
    const { $schema, ...detailSchema } = detail;
    schemas[transition] = {
      $schema,
      $id: `https://github.com/token-refresher/token-refresher/blob/main/docs/events/${transition}.v${EVENT_DETAIL_VERSION}.schema.json`,
      title: `${DETAIL_TYPE[transition]} (detail version ${EVENT_DETAIL_VERSION})`,
      type: 'object',
      required: ['source', 'detail-type', 'detail'],
      properties: {
        source: { const: EVENT_SOURCE },
        'detail-type': { const: DETAIL_TYPE[transition] },
        detail: detailSchema,
      },
    };
  }
  return schemas;
}
