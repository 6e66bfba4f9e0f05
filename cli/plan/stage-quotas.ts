import { renewingRunCalls } from './run-calls.js';
import {
  type CredentialsLayout,
  OUTPUTS_PER_PROVIDER,
  RESOURCES_OF_SHARED_STACK,
  RESOURCES_PER_CREATED_SECRET,
  refresherStackResources,
} from '../../providers/fleet.js';
import type { ResolvedProvider } from '../../providers/providers-file.js';
import { runMinutesOfDay } from '../../providers/schedule-offset.js';

/**
 * The account quotas a stage uses, from the providers file alone (`token-refresher plan`): what a
 * deploy or a busy minute runs into when nobody looked first.
 */

/** Lambda keeps this much of the account's concurrency unreserved, whatever functions reserve. */
export const LAMBDA_UNRESERVED_MINIMUM = 100;
/** The account's default "Concurrent executions" quota (L-B99A9384); new accounts may have less. */
export const LAMBDA_DEFAULT_ACCOUNT_CONCURRENCY = 1_000;
/** Parameter Store's default throughput for GetParameter and GetParameters, per account and region. */
export const SSM_DEFAULT_GET_TPS = 40;
/** Parameter Store's higher throughput setting bills every API interaction. */
export const SSM_HIGHER_THROUGHPUT_USD_PER_10K = 0.05;

export interface StageQuotas {
  readonly lambda: {
    /** Each refresher reserves 1 (lib/private/refresher-function.ts), so its runs never overlap. */
    readonly reserved: number;
    /** Reserved plus the 100 Lambda keeps unreserved: the least account quota the deploy needs. */
    readonly accountConcurrencyNeeded: number;
    readonly defaultAccountConcurrency: number;
  };
  readonly ssm: {
    /** The minute of the day (UTC) with the most Parameter Store calls. */
    readonly busiestMinute: number;
    /** Reads (GetParameter, GetParameters) in that minute, if every run of it renewed. */
    readonly busiestMinuteReads: number;
    /** Writes (PutParameter) in that minute, if every run of it renewed. */
    readonly busiestMinuteWrites: number;
    /** Reads a second over that minute: the Scheduler spreads a minute's runs over its 60 seconds. */
    readonly peakReadsPerSecond: number;
    readonly defaultGetTps: number;
    readonly higherThroughputUsdPer10k: number;
  };
  readonly deploy: {
    readonly stacks: number;
    readonly largestTemplateResources: number;
    readonly largestTemplateOutputs: number;
  };
}

/** Parameter Store calls of a renewing run: the state and the ledger always, the token with store `parameterstore`. */
function ssmCallsOfRenewingRun(provider: ResolvedProvider): { reads: number; writes: number } {
  const calls = renewingRunCalls(provider.settings);
  const token = provider.store === 'parameterstore';
  return {
    reads: calls.stateReads + (token ? calls.tokenReads : 0),
    writes: calls.stateWrites + (token ? calls.tokenWrites : 0),
  };
}

export function stageQuotas(
  providers: readonly ResolvedProvider[],
  refresherStacks: readonly { readonly providers: readonly string[] }[],
  layout: CredentialsLayout,
): StageQuotas {
  const reads = new Array<number>(1440).fill(0);
  const writes = new Array<number>(1440).fill(0);
  for (const provider of providers) {
    const calls = ssmCallsOfRenewingRun(provider);
    for (const minute of runMinutesOfDay(provider.settings.id, provider.settings.checkIntervalMinutes)) {
      reads[minute]! += calls.reads;
      writes[minute]! += calls.writes;
    }
  }
  const busiestMinute = reads.reduce((best, r, minute) => (r > reads[best]! ? minute : best), 0);
  const createdSecret = new Set(providers.filter((p) => p.credentials === undefined).map((p) => p.settings.id));
  const stackResources = refresherStacks.map((s) =>
    refresherStackResources(
      s.providers.length,
      layout === 'refresher-stacks' ? s.providers.filter((id) => createdSecret.has(id)).length : 0,
    ),
  );
  // The shared stack: what a stage always has, plus the secrets of the shared-stack layout.
  const sharedResources =
    RESOURCES_OF_SHARED_STACK + (layout === 'shared-stack' ? createdSecret.size * RESOURCES_PER_CREATED_SECRET : 0);
  const largestOutputs = Math.max(0, ...refresherStacks.map((s) => s.providers.length * OUTPUTS_PER_PROVIDER));
  return {
    lambda: {
      reserved: providers.length,
      accountConcurrencyNeeded: providers.length + LAMBDA_UNRESERVED_MINIMUM,
      defaultAccountConcurrency: LAMBDA_DEFAULT_ACCOUNT_CONCURRENCY,
    },
    ssm: {
      busiestMinute,
      busiestMinuteReads: reads[busiestMinute]!,
      busiestMinuteWrites: writes[busiestMinute]!,
      peakReadsPerSecond: reads[busiestMinute]! / 60,
      defaultGetTps: SSM_DEFAULT_GET_TPS,
      higherThroughputUsdPer10k: SSM_HIGHER_THROUGHPUT_USD_PER_10K,
    },
    deploy: {
      stacks: 1 + refresherStacks.length,
      largestTemplateResources: Math.max(sharedResources, ...stackResources),
      largestTemplateOutputs: largestOutputs,
    },
  };
}
