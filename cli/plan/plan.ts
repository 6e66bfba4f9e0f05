import {
  PRICES,
  type ProviderCost,
  providerCost,
  type Renewals,
  renewals,
  type StageCost,
  stageCost,
} from './cost-model.js';
import {
  capacityProblems,
  type CredentialsLayout,
  defaultCredentialsLayout,
  fleetStackIndex,
  refresherStackName,
} from '../../providers/fleet.js';
import { type StageQuotas, stageQuotas } from './stage-quotas.js';
import { alarmName, DEFAULT_STAGE, stageNames } from '../../contract/naming.js';
import type { ResolvedProvider } from '../../providers/providers-file.js';
import { ALARM_KINDS, type AlarmKind } from '../../contract/refresher-manifest.js';
import type { StoreKind } from '../../contract/token-stores.js';

/**
 * What a providers file deploys to a stage and what it costs, offline (`token-refresher plan`, the
 * README's cost section): the same resolution (providers/providers-file.ts), stack layout
 * (providers/fleet.ts), names (contract/naming.ts) and cost model (cli/plan/cost-model.ts) the CDK
 * app and the function use.
 */

export interface ProviderPlan {
  readonly id: string;
  readonly preset: string;
  readonly stack: string;
  /** The issuer whose metadata names the token endpoint at run time; `plan` reads none (it is offline). */
  readonly issuer?: string;
  readonly lifetimeSeconds: number;
  readonly minValiditySeconds: number;
  readonly renewals: Renewals;
  readonly store: StoreKind;
  readonly storeReason: string;
  /** The provider's alarms, all of which page (contract/refresher-manifest.ts ALARM_KINDS). */
  readonly pages: readonly { readonly kind: AlarmKind; readonly name: string }[];
  readonly cost: ProviderCost;
}

interface StackPlan {
  readonly name: string;
  /** `shared`: the stage's key, alarm topic, dashboard and the credentials secrets it creates. */
  readonly role: 'shared' | 'refresher';
  /** The refresher stack's index (providers/fleet.ts fleetStackIndex). */
  readonly index?: number;
  /**
   * A refresher stack: the providers whose refreshers it holds. The shared stack: the providers whose
   * credentials secret it creates (those whose entry names no `credentials`; none in the
   * `refresher-stacks` layout, where each refresher stack creates its own).
   */
  readonly providers: readonly string[];
}

export interface Plan {
  /** The stage's name; DEFAULT_STAGE when none is given. */
  readonly stage: string;
  readonly stackName: string;
  readonly namePrefix: string;
  readonly prices: { readonly date: string; readonly region: string; readonly currency: string };
  readonly providers: readonly ProviderPlan[];
  /** Where the stage's created credentials secrets live (providers/fleet.ts). */
  readonly credentialsLayout: CredentialsLayout;
  /** The shared stack first, then the refresher stacks by index. */
  readonly stacks: readonly StackPlan[];
  readonly stageCost: StageCost;
  /** Everything the stage costs a month: every provider's own cost plus the stage's shared cost. */
  readonly totalUsd: number;
  /** What the stage uses of the account's Lambda concurrency and Parameter Store throughput, and its deploy. */
  readonly quotas: StageQuotas;
  /** Why the fleet would not deploy as one stage (providers/fleet.ts capacityProblems); empty when it fits. */
  readonly capacityProblems: readonly string[];
}

/**
 * `stage` undefined: the default stage, with the names a deployment without `--context stage` gets;
 * `layout` undefined: the stage's default, as the CDK app picks it.
 */
export function planStage(
  providers: readonly ResolvedProvider[],
  stage?: string,
  layout: CredentialsLayout = defaultCredentialsLayout(stage),
  events: { readonly tokenRenewed?: boolean } = {},
): Plan {
  const { stackName, namePrefix } = stageNames(stage);
  const n = providers.length;
  const planned = providers.map((provider): ProviderPlan => {
    const { settings } = provider;
    return {
      id: settings.id,
      preset: settings.preset,
      stack: refresherStackName(stackName, fleetStackIndex(settings.id, layout), layout),
      ...(settings.issuer === undefined ? {} : { issuer: settings.issuer }),
      lifetimeSeconds: settings.expectedLifetimeSeconds,
      minValiditySeconds: settings.minValiditySeconds,
      renewals: renewals(settings),
      store: provider.store,
      storeReason: provider.storeReason,
      pages: ALARM_KINDS.map((kind) => ({ kind, name: alarmName(namePrefix, settings.id, kind) })),
      cost: providerCost(provider, n, events),
    };
  });
  const byIndex = new Map<number, string[]>();
  for (const p of providers) {
    const index = fleetStackIndex(p.settings.id, layout);
    byIndex.set(index, [...(byIndex.get(index) ?? []), p.settings.id]);
  }
  const refresherStacks = [...byIndex.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, ids]): StackPlan => ({
      name: refresherStackName(stackName, index, layout),
      role: 'refresher',
      index,
      providers: ids,
    }));
  const createdSecrets = providers.filter((p) => p.credentials === undefined).map((p) => p.settings.id);
  return {
    stage: stage ?? DEFAULT_STAGE,
    stackName,
    namePrefix,
    prices: { date: PRICES.date, region: PRICES.region, currency: PRICES.currency },
    providers: planned,
    credentialsLayout: layout,
    stacks: [
      { name: stackName, role: 'shared', providers: layout === 'shared-stack' ? createdSecrets : [] },
      ...refresherStacks,
    ],
    stageCost: stageCost(),
    // Each provider carries its share of the stage's cost, so the shares add up to the whole of it.
    totalUsd: planned.reduce((total, p) => total + p.cost.totalUsd, 0),
    quotas: stageQuotas(providers, refresherStacks, layout),
    capacityProblems: capacityProblems(
      providers.map((p) => p.settings.id),
      layout,
    ),
  };
}
