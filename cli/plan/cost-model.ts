import { CREDENTIALS_CACHE_SECONDS } from '../../contract/credentials.js';
import { STAGE_WIDE_METRICS } from '../../contract/metrics.js';
import { livesOnRefreshToken, type ProviderSettings } from '../../contract/provider-settings.js';
import type { ResolvedProvider } from '../../providers/providers-file.js';
import { ALARM_KINDS } from '../../contract/refresher-manifest.js';
import { renewalPeriodSeconds } from '../../providers/schedule-plan.js';
import {
  FRESH_RUN_CALLS,
  type RunCalls,
  renewingRunCalls,
  renewsWithRefreshToken,
  TOKEN_SECRET_CHECK_CALLS,
} from './run-calls.js';
import type { StoreKind } from '../../contract/token-stores.js';

/**
 * What one provider and its stage cost a month, from the providers file alone (`token-refresher
 * plan`, the README's cost section). All-in at list prices without free tiers, as issue 9's budget
 * counts them; a healthy month (failure counts and gauges are emitted only when not zero,
 * contract/metrics.ts, so a healthy provider sends none of them).
 */

/**
 * The one price table: us-east-1 list prices in USD, no free tier, as AWS's pricing pages state them
 * on `date`: "Amazon CloudWatch Pricing", "AWS Secrets Manager Pricing", "AWS Key Management Service
 * Pricing", "AWS Lambda Pricing" (Arm), "Amazon EventBridge Pricing" (Scheduler, custom events) and "AWS Systems
 * Manager Pricing" (Parameter Store).
 */
export const PRICES = {
  date: '2026-11-29',
  region: 'us-east-1',
  currency: 'USD',
  /** Custom metric, first 10,000 metrics: per metric-month, prorated by the hours it receives data. */
  metricMonth: 0.3,
  /** Standard-resolution alarm: per alarm metric-month (a math expression pays for each metric in it). */
  alarmMetricMonth: 0.1,
  dashboardMonth: 3,
  /** CloudWatch Logs, Standard class. */
  logsIngestedPerGb: 0.5,
  logsStoredPerGbMonth: 0.03,
  secretMonth: 0.4,
  secretsManagerPer10kCalls: 0.05,
  /** Customer managed key, per key-month (the stage key). */
  kmsKeyMonth: 1,
  /** Symmetric-key requests (Encrypt, Decrypt, GenerateDataKey). */
  kmsPer10kRequests: 0.03,
  /**
   * An asymmetric (RSA or ECC) key, per key-month, and its `Sign` requests: the us-east-1 list prices
   * issue 17 gives ($1.00 a month, $0.15 per 10,000 requests), not rechecked on the pricing page when
   * they were added (no network there); `date` is the other prices'.
   */
  kmsAsymmetricKeyMonth: 1,
  kmsAsymmetricPer10kRequests: 0.15,
  lambdaPerMillionRequests: 0.2,
  lambdaArmPerGbSecond: 0.0000133334,
  schedulerPerMillionInvocations: 1,
  /** Standard-tier parameters and standard throughput cost nothing. */
  ssmStandardParameterMonth: 0,
  ssmStandardPer10kCalls: 0,
  /** EventBridge custom events (PutEvents), per million 64 KB chunks; every lifecycle event is one chunk. */
  eventsPerMillion: 1,
} as const;

/** AWS's billing month: CloudWatch and KMS prorate by 730 hours. */
const HOURS_PER_MONTH = 730;
export const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;

/** The function's memory (lib/provider-token-refresher.ts: arm64, 256 MB). */
const LAMBDA_MEMORY_GB = 256 / 1024;
/**
 * Billed duration of a run that finds the token fresh: two store reads of tens of milliseconds each
 * (core/run/orchestrator.ts reads the token and the private state, both before the due check), the metrics
 * flush and the log line; an assumption, rounded up.
 */
const FRESH_RUN_MS = 150;
/** Billed duration of a renewing run: the reads, one token request to the IdP, the state and token writes. */
const RENEWING_RUN_MS = 700;
/**
 * Log bytes a fresh run ingests, CloudWatch's per-event overhead included: Lambda's START, END and
 * REPORT lines, the EMF blob with the heartbeat and the `token fresh` line (lambda/index.ts).
 * Measured by test/unit/lambda/log-bytes.test.ts with the longest provider id and an X-Ray trace id
 * on every line, for both kinds of renewal (1,093 and 1,544 bytes), rounded up by about a tenth.
 */
export const FRESH_RUN_LOG_BYTES = 1_200;
/** A renewing run adds the grant to its result line and EMF blobs for `Renewals` and latency; measured the same way. */
export const RENEWING_RUN_LOG_BYTES = 1_700;
/**
 * Months of logs kept (lib/provider-token-refresher.ts `logRetention`, THREE_MONTHS): once a stage
 * has run that long it stores three months of ingestion. Billed on compressed bytes, counted here
 * uncompressed: an upper bound.
 */
const LOG_RETENTION_MONTHS = 3;
/** CloudWatch Logs bills ingestion and storage per GB of 2^30 bytes. */
const GB = 1024 ** 3;

/** Containers a month that write the token at least once: each cold start, but no more than there are renewals. */
function writingContainersPerMonth(checkIntervalMinutes: number, renewalsPerMonth: number): number {
  return Math.min(coldRunsPerMonth(checkIntervalMinutes), renewalsPerMonth);
}

/**
 * The share of credentials reads that reach Secrets Manager: a warm container answers a healthy
 * renewal that sends no password from what it read less than CREDENTIALS_CACHE_SECONDS ago
 * (core/run/credentials-policy.ts, lambda/adapters/secrets-manager-credentials.ts), so one read in
 * `ceil(cache / period)` fetches, plus one after each cold start. A cold function, and a renewal by
 * password grant, fetch every time.
 */
function credentialsFetchShare(
  s: Pick<ProviderSettings, 'checkIntervalMinutes' | 'useRefreshToken' | 'grant'>,
  renewalPeriodSeconds: number,
): number {
  const { checkIntervalMinutes } = s;
  if (checkIntervalMinutes > WARM_INTERVAL_MINUTES || (s.grant === 'password' && !renewsWithRefreshToken(s))) return 1;
  const renewalsPerMonth = (DAYS_PER_MONTH * 86_400) / renewalPeriodSeconds;
  const readsPerFetch = Math.ceil(CREDENTIALS_CACHE_SECONDS / renewalPeriodSeconds);
  return Math.min(1, 1 / readsPerFetch + coldRunsPerMonth(checkIntervalMinutes) / renewalsPerMonth);
}

/** How often a provider's token is renewed and written, and how that compares to the least needed. */
export interface Renewals {
  readonly checkIntervalMinutes: number;
  readonly renewalPeriodSeconds: number;
  readonly renewalsPerDay: number;
  /** Writes of the published token: one per renewal. */
  readonly storeWritesPerDay: number;
  /** `86400 / (lifetime - minValiditySeconds)`: renewing any less would let a consumer see less than minValidity. */
  readonly boundPerDay: number;
  readonly ratioToBound: number;
}

export function renewals(s: ProviderSettings): Renewals {
  const period = renewalPeriodSeconds(s.expectedLifetimeSeconds, s);
  // parseStackConfig refuses a token that is due when issued, so a resolved provider always has a period.
  if (period === undefined) throw new Error(`provider "${s.id}": the token is due as soon as it is issued`);
  const renewalsPerDay = 86_400 / period;
  const boundPerDay = 86_400 / (s.expectedLifetimeSeconds - s.minValiditySeconds);
  return {
    checkIntervalMinutes: s.checkIntervalMinutes,
    renewalPeriodSeconds: period,
    renewalsPerDay,
    storeWritesPerDay: renewalsPerDay * renewingRunCalls(s).tokenWrites,
    boundPerDay,
    ratioToBound: renewalsPerDay / boundPerDay,
  };
}

/** The services a month is billed by, in the order a provider's items list them. */
type CostService =
  | 'CloudWatch metrics'
  | 'CloudWatch alarms'
  | 'CloudWatch dashboard'
  | 'CloudWatch Logs'
  | 'Secrets Manager'
  | 'KMS'
  | 'KMS signing'
  | 'Lambda'
  | 'EventBridge Scheduler'
  | 'EventBridge events'
  | 'SSM Parameter Store'
  | 'Stage share';

export interface CostItem {
  readonly service: CostService;
  readonly usd: number;
  /** How the amount follows from the usage, for the plan's details. */
  readonly basis: string;
}

interface MonthlyUsage {
  readonly runs: number;
  readonly renewals: number;
  readonly freshRuns: number;
  readonly heartbeatHours: number;
  readonly kmsRequests: number;
  /** `kms:Sign` requests with the provider's signing key: one per assertion, one assertion per token request. */
  readonly kmsSignRequests: number;
  readonly secretsManagerCalls: number;
  readonly lambdaGbSeconds: number;
  readonly logBytes: number;
}

export interface ProviderCost {
  readonly provider: string;
  readonly usage: MonthlyUsage;
  /** One item per service the provider uses, in CostService order; `Stage share` is its part of StageCost. */
  readonly items: readonly CostItem[];
  readonly totalUsd: number;
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const count = (n: number) => Math.round(n).toLocaleString('en-US');

/** Hours a month in which the heartbeat (one data point per run) has data: every hour, or one per run. */
function heartbeatHoursPerMonth(checkIntervalMinutes: number): number {
  const runs = (HOURS_PER_MONTH * 60) / checkIntervalMinutes;
  return Math.min(HOURS_PER_MONTH, runs);
}

/**
 * Lambda keeps an idle execution environment for some minutes: a refresher checked at least every
 * WARM_INTERVAL_MINUTES stays warm, and a new environment is assumed COLD_STARTS_PER_HOUR times an
 * hour (recycling, deploys); one checked less often starts cold on every run.
 */
const WARM_INTERVAL_MINUTES = 5;
const COLD_STARTS_PER_HOUR = 1;

function coldRunsPerMonth(checkIntervalMinutes: number): number {
  const runs = (HOURS_PER_MONTH * 60) / checkIntervalMinutes;
  return checkIntervalMinutes <= WARM_INTERVAL_MINUTES ? Math.min(runs, HOURS_PER_MONTH * COLD_STARTS_PER_HOUR) : runs;
}

/** A healthy provider emits one metric per run (contract/metrics.ts): the TokenSecondsRemaining heartbeat. */
const HEALTHY_PROVIDER_METRICS = 1;

/**
 * What the stage's shared stack and stage-wide metrics cost, whatever the number of providers: the
 * stage key, the stage dashboard (lib/token-refresher-fleet.ts), and `Renewals` by each reported
 * grant plus `TokenRequestLatency`, taken as having data every hour (contract/metrics.ts).
 */
export interface StageCost {
  readonly items: readonly CostItem[];
  readonly totalUsd: number;
}

export function stageCost(): StageCost {
  const stageMetrics = STAGE_WIDE_METRICS.length;
  const items: CostItem[] = [
    { service: 'KMS', usd: PRICES.kmsKeyMonth, basis: 'the stage key' },
    { service: 'CloudWatch dashboard', usd: PRICES.dashboardMonth, basis: 'the stage dashboard' },
    {
      service: 'CloudWatch metrics',
      usd: stageMetrics * PRICES.metricMonth,
      basis: `${stageMetrics} stage-wide metrics every hour (${STAGE_WIDE_METRICS.join(', ')})`,
    },
  ];
  return { items, totalUsd: sum(items.map((i) => i.usd)) };
}

/**
 * A provider's monthly estimate: its own resources and calls, plus the stage's shared costs divided
 * among the `providersInStage` providers of its stage.
 */
export function providerCost(
  provider: ResolvedProvider,
  providersInStage: number,
  events: { readonly tokenRenewed?: boolean } = {},
): ProviderCost {
  if (!Number.isInteger(providersInStage) || providersInStage < 1) {
    throw new Error(`providersInStage must be a whole number of at least 1, got ${providersInStage}`);
  }
  const usage = monthlyUsage(provider);
  const items = providerItems(provider, usage, providersInStage, !!events.tokenRenewed);
  return { provider: provider.settings.id, usage, items, totalUsd: sum(items.map((i) => i.usd)) };
}

/** What a provider's runs use in a month: runs and renewals, and the calls, compute and logs they bill. */
function monthlyUsage(provider: ResolvedProvider): MonthlyUsage {
  const s = provider.settings;
  const r = renewals(s);
  const runs = (HOURS_PER_MONTH * 60) / s.checkIntervalMinutes;
  const renewalsPerMonth = r.renewalsPerDay * DAYS_PER_MONTH;
  const freshRuns = runs - renewalsPerMonth;
  const renewing = renewingRunCalls(s);
  const calls = (pick: (c: RunCalls) => number) =>
    freshRuns * pick(FRESH_RUN_CALLS) + renewalsPerMonth * pick(renewing);
  // A SecureString read decrypts only when the parameter's version is not the one the container last
  // read or wrote (lambda/adapters/secure-string.ts): in a warm container, never; a secret read always.
  const decryptingShare = Math.min(1, coldRunsPerMonth(s.checkIntervalMinutes) / runs);
  // Settings that keep no refresh token read only the ledger, a String parameter, once it exists.
  const secureStateReads = (c: RunCalls) => (s.useRefreshToken ? c.stateReads : 0);
  const parameterReads = calls((c) => (provider.store === 'parameterstore' ? c.tokenReads : 0) + secureStateReads(c));
  const credentialsFetches = calls((c) => c.credentialsReads) * credentialsFetchShare(s, r.renewalPeriodSeconds);
  const kmsRequests =
    parameterReads * decryptingShare +
    credentialsFetches +
    calls((c) => (provider.store === 'secretsmanager' ? c.tokenReads : 0) + c.refreshTokenWrites + c.tokenWrites);
  const smTokenCalls =
    provider.store === 'secretsmanager'
      ? calls((c) => c.tokenReads + c.tokenWrites) +
        TOKEN_SECRET_CHECK_CALLS * writingContainersPerMonth(s.checkIntervalMinutes, renewalsPerMonth)
      : 0;
  return {
    runs,
    renewals: renewalsPerMonth,
    freshRuns,
    heartbeatHours: heartbeatHoursPerMonth(s.checkIntervalMinutes),
    kmsRequests,
    kmsSignRequests: signsWithKms(provider) ? renewalsPerMonth * renewing.tokenRequests : 0,
    secretsManagerCalls: credentialsFetches + smTokenCalls,
    lambdaGbSeconds: ((freshRuns * FRESH_RUN_MS + renewalsPerMonth * RENEWING_RUN_MS) / 1000) * LAMBDA_MEMORY_GB,
    logBytes: freshRuns * FRESH_RUN_LOG_BYTES + renewalsPerMonth * RENEWING_RUN_LOG_BYTES,
  };
}

/** A provider's month priced service by service, in CostService order, its stage share last. */
function providerItems(
  provider: ResolvedProvider,
  usage: MonthlyUsage,
  providersInStage: number,
  tokenRenewed: boolean,
): CostItem[] {
  const s = provider.settings;
  const { runs, heartbeatHours, kmsRequests, secretsManagerCalls, lambdaGbSeconds, logBytes } = usage;
  const secrets = secretsOf(provider.store);
  const stage = stageCost();
  return [
    {
      service: 'CloudWatch metrics',
      usd: (HEALTHY_PROVIDER_METRICS * heartbeatHours * PRICES.metricMonth) / HOURS_PER_MONTH,
      basis: `${HEALTHY_PROVIDER_METRICS} metric (TokenSecondsRemaining) with data ${count(heartbeatHours)} h of ${HOURS_PER_MONTH}`,
    },
    {
      service: 'CloudWatch alarms',
      // Billed per metric read: a connected provider's CredentialsRejected adds up two (lib/private/alarm-specs.ts).
      usd: (ALARM_KINDS.length + (livesOnRefreshToken(s) ? 1 : 0)) * PRICES.alarmMetricMonth,
      basis: `${ALARM_KINDS.length} standard alarms of one metric each${livesOnRefreshToken(s) ? ', one of two' : ''}`,
    },
    {
      service: 'CloudWatch Logs',
      usd:
        (logBytes / GB) * PRICES.logsIngestedPerGb +
        ((logBytes * LOG_RETENTION_MONTHS) / GB) * PRICES.logsStoredPerGbMonth,
      basis: `${(logBytes / 1e6).toFixed(1)} MB ingested, ${LOG_RETENTION_MONTHS} months kept`,
    },
    {
      service: 'Secrets Manager',
      usd: secrets.length * PRICES.secretMonth + (secretsManagerCalls / 10_000) * PRICES.secretsManagerPer10kCalls,
      basis: `${secrets.join(' and ')} secret${secrets.length === 1 ? '' : 's'}, ${count(secretsManagerCalls)} calls`,
    },
    {
      service: 'KMS',
      usd: (kmsRequests / 10_000) * PRICES.kmsPer10kRequests,
      basis: `${count(kmsRequests)} requests (each store read and write)`,
    },
    ...signingItems(provider, usage),
    {
      service: 'Lambda',
      usd: (runs / 1e6) * PRICES.lambdaPerMillionRequests + lambdaGbSeconds * PRICES.lambdaArmPerGbSecond,
      basis: `${count(runs)} runs, ${count(lambdaGbSeconds)} GB-s`,
    },
    {
      service: 'EventBridge Scheduler',
      usd: (runs / 1e6) * PRICES.schedulerPerMillionInvocations,
      basis: `${count(runs)} invocations`,
    },
    // A healthy month has no transition, so no lifecycle event (docs/events.md); only the opt-in
    // `Token Renewed` puts one per renewal.
    {
      service: 'EventBridge events',
      usd: tokenRenewed ? (usage.renewals / 1e6) * PRICES.eventsPerMillion : 0,
      basis: tokenRenewed
        ? `${count(usage.renewals)} Token Renewed events; transitions only when unhealthy`
        : 'none while healthy (events on transitions only)',
    },
    {
      service: 'SSM Parameter Store',
      usd: ssmParameters(provider.store, s.useRefreshToken) * PRICES.ssmStandardParameterMonth,
      basis: `${ssmParameters(provider.store, s.useRefreshToken)} standard-tier parameter${ssmParameters(provider.store, s.useRefreshToken) === 1 ? '' : 's'}`,
    },
    {
      service: 'Stage share',
      usd: stage.totalUsd / providersInStage,
      basis: `1/${providersInStage} of the stage's $${stage.totalUsd.toFixed(2)}`,
    },
  ];
}

/** A provider whose assertions a KMS key signs (providers file `signingKey`, not `"credentials"`). */
function signsWithKms(provider: ResolvedProvider): boolean {
  return provider.signingKey !== undefined && provider.signingKey.source !== 'credentials';
}

/**
 * The `KMS signing` item of a provider with a KMS signing key: the key's month when the stack creates
 * it (a key the providers file names is paid where it was created), and its `Sign` requests.
 */
function signingItems(provider: ResolvedProvider, usage: MonthlyUsage): CostItem[] {
  if (!signsWithKms(provider)) return [];
  const created = provider.signingKey?.source === 'created';
  const signs = usage.kmsSignRequests;
  return [
    {
      service: 'KMS signing',
      usd: (created ? PRICES.kmsAsymmetricKeyMonth : 0) + (signs / 10_000) * PRICES.kmsAsymmetricPer10kRequests,
      basis:
        `${created ? "the provider's asymmetric key" : 'the named key (paid where it was created)'}, ` +
        `${count(signs)} Sign requests (one per assertion, one assertion per token request)`,
    },
  ];
}

/** Secrets a provider pays for: its credentials (created by the stack or named in the file), and its token in Secrets Manager. */
function secretsOf(store: StoreKind): string[] {
  return store === 'secretsmanager' ? ['credentials', 'token'] : ['credentials'];
}

/** The state's ledger is always a parameter; its refresh token one while kept; the token one with store `parameterstore`. */
function ssmParameters(store: StoreKind, keepsRefreshToken: boolean): number {
  return 1 + (keepsRefreshToken ? 1 : 0) + (store === 'parameterstore' ? 1 : 0);
}
