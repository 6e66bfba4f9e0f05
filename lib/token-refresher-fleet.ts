import { CrossStackReferences, ReferenceStrength, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { metricsNamespace } from '../contract/metrics.js';
import {
  constructIdFor,
  constructIdProblems,
  DEFAULT_STAGE,
  STAGE_TAG,
  stageNames,
  stageProblem,
} from '../contract/naming.js';
import type { ResolvedProvider } from '../providers/providers-file.js';
import {
  capacityProblems,
  type CredentialsLayout,
  defaultCredentialsLayout,
  fleetStackIndex,
  refresherStackName,
} from '../providers/fleet.js';
import { stackKey } from './private/refresher-key.js';
import { createStageDashboard } from './private/stage-dashboard.js';
import { addProviderOutputs, createAlarmTopic } from './private/stage-parts.js';
import { DEFAULT_RUNBOOK_URL, ProviderTokenRefresher } from './provider-token-refresher.js';

/** What `TokenRefresherFleet` needs: the providers and the stage they belong to. */
export interface TokenRefresherFleetProps {
  /** The providers to keep tokens fresh for, as returned by `parseProvidersFile`. */
  readonly providers: readonly ResolvedProvider[];
  /**
   * The stage (`prod`, `staging`, …): it goes into every name, so that stages coexist in one account
   * and region. Absent: the default stage, with the names a single deployment always had.
   * @default - the default stage (`TokenRefresher` stacks, `token-refresher` names)
   */
  readonly stage?: string;
  /**
   * E-mail addresses subscribed to the stage's alarm topic (each confirms by e-mail).
   * @default - none: synth warns that the alarms page nobody
   */
  readonly alarmEmails?: readonly string[];
  /**
   * Where each alarm's description links to its runbook section; see `ProviderTokenRefresherProps.runbookUrl`.
   * @default DEFAULT_RUNBOOK_URL
   */
  readonly runbookUrl?: string;
  /**
   * The account's AWS-managed keys instead of the stage's customer-managed key; see
   * `ProviderTokenRefresherProps.awsManagedKeys` for what that exposes.
   * @default false
   */
  readonly awsManagedKeys?: boolean;
  /**
   * Entry file of the refresher function; see `ProviderTokenRefresherProps.functionEntry`.
   * @default - the refresher this package ships
   */
  readonly functionEntry?: string;
  /**
   * Where the credentials secrets the stage creates live (providers/fleet.ts): `refresher-stacks`, in
   * each provider's refresher stack (64 of them), so the shared stack does not grow with the
   * providers and a stage holds 1,000 and more; or `shared-stack`, in the shared stack (16 refresher
   * stacks, at most 220 providers), as every stage deployed before this option. Changing it on a deployed stage
   * moves every secret: docs/stage-layout.md says how, without losing one.
   * @default - `shared-stack` for the default stage (the only one 0.1.0 deployed), `refresher-stacks` for a named stage
   */
  readonly credentialsLayout?: CredentialsLayout;
  /**
   * Account and region of every stack.
   * @default - environment-agnostic stacks
   */
  readonly env?: StackProps['env'];
  /**
   * Where the stage's lifecycle events go (docs/events.md), as the providers file's `events` says.
   * @default - the account's default event bus; no event per renewal
   */
  readonly events?: FleetEventsProps;
}

/** The providers file's `events`: a bus by name (or ARN, for another account's), and the opt-in renewal event. */
export interface FleetEventsProps {
  /** @default - the account's default event bus */
  readonly busName?: string;
  /** @default false */
  readonly tokenRenewed?: boolean;
}

/** The bus `busName` names, as seen from `stack`; undefined for the default bus. */
function eventBusIn(stack: Stack, busName: string | undefined): events.IEventBus | undefined {
  if (busName === undefined || busName === 'default') return undefined;
  return busName.startsWith('arn:')
    ? events.EventBus.fromEventBusArn(stack, 'TokenRefresherEventBus', busName)
    : events.EventBus.fromEventBusName(stack, 'TokenRefresherEventBus', busName);
}

/**
 * A stage of token refreshers, laid out for any number of providers: one shared stack
 * (`TokenRefresher[-<stage>]`: the key, the alarm topic, the dashboard) and refresher stacks
 * (functions, schedules, alarms), each provider in the one its id hashes to. Where the credentials
 * secrets operators fill live is `credentialsLayout`: with their refresher (`…-r00` to `…-r63`), or in
 * the shared stack at the path a single-stack deployment gave them (`…-00` to `…-15`).
 *
 * @example
 * ```typescript
 * import { readFileSync } from 'node:fs';
 * import { App } from 'aws-cdk-lib';
 * import { parseStackConfig, TokenRefresherFleet } from '@token-refresher/cdk';
 *
 * const app = new App();
 * const { providers, alarmEmails } = parseStackConfig(JSON.parse(readFileSync('providers.json', 'utf8')));
 * // Stacks TokenRefresher-prod and TokenRefresher-prod-00 … -15, as many as the provider ids need.
 * const fleet = new TokenRefresherFleet(app, 'Prod', { providers, alarmEmails, stage: 'prod' });
 * ```
 */
export class TokenRefresherFleet extends Construct {
  /** The stage's name (`default` when none was given); every stack carries it as its `token-refresher:stage` tag. */
  public readonly stage: string;
  /** Where the stage's created credentials secrets live (`credentialsLayout`). */
  public readonly credentialsLayout: CredentialsLayout;
  /** The stack holding the key, the alarm topic, the dashboard (and, in the `shared-stack` layout, the created credentials secrets). */
  public readonly sharedStack: Stack;
  /** The refresher stacks, by index (providers/fleet.ts `fleetStackIndex`); only those with a provider exist. */
  public readonly refresherStacks: ReadonlyMap<number, Stack>;
  /** The refresher of each provider, by provider id. */
  public readonly refreshers: ReadonlyMap<string, ProviderTokenRefresher>;
  /** The topic every provider's alarms notify, in the shared stack. */
  public readonly alarmTopic: sns.ITopic;
  /** One dashboard for the whole stage, in the shared stack. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** The stage's customer-managed key; absent with `awsManagedKeys`. */
  public readonly key?: kms.IKey;

  constructor(scope: Construct, id: string, props: TokenRefresherFleetProps) {
    super(scope, id);
    const stageMistake = props.stage === undefined ? undefined : stageProblem(props.stage);
    if (stageMistake) throw new Error(stageMistake);
    const layout = props.credentialsLayout ?? defaultCredentialsLayout(props.stage);
    const ids = props.providers.map((p) => p.settings.id);
    const problems = [...constructIdProblems(ids), ...capacityProblems(ids, layout)];
    if (problems.length > 0) throw new Error(`token-refresher fleet: ${problems.join('; ')}`);

    this.stage = props.stage ?? DEFAULT_STAGE;
    this.credentialsLayout = layout;
    const { stackName, namePrefix } = stageNames(props.stage);
    const runbookUrl = props.runbookUrl ?? DEFAULT_RUNBOOK_URL;
    const env = props.env;
    // Stacks are the app's children, so their names and logical ids do not depend on this construct.
    const app = scope;
    const shared = new Stack(app, stackName, {
      ...(env ? { env } : {}),
      description:
        layout === 'shared-stack'
          ? `token-refresher stage "${this.stage}": key, alarm topic, dashboard and credentials secrets`
          : `token-refresher stage "${this.stage}": key, alarm topic and dashboard`,
    });
    this.sharedStack = shared;
    this.alarmTopic = createAlarmTopic(shared, props.alarmEmails ?? []);
    this.key = props.awsManagedKeys ? undefined : stackKey(shared, namePrefix);
    this.dashboard = createStageDashboard(shared, 'Dashboard', {
      namePrefix,
      namespace: metricsNamespace(props.stage),
      stackNamePrefix: stackName,
      runbookUrl,
    });

    const stacks = new Map<number, Stack>();
    const refreshers = new Map<string, ProviderTokenRefresher>();
    for (const provider of props.providers) {
      const index = fleetStackIndex(provider.settings.id, layout);
      let stack = stacks.get(index);
      if (!stack) {
        stack = new Stack(app, refresherStackName(stackName, index, layout), {
          ...(env ? { env } : {}),
          description: `token-refresher stage "${this.stage}": refreshers whose provider id hashes to ${index}${layout === 'shared-stack' ? '' : ', and their credentials secrets'}`,
        });
        // The refresher stacks use the shared stack's key and topic: strong references (exports) keep
        // CloudFormation from removing them while a refresher still needs them, whatever the app's default.
        CrossStackReferences.of(stack).consume(ReferenceStrength.STRONG);
        stacks.set(index, stack);
      }
      const bus =
        (stack.node.tryFindChild('TokenRefresherEventBus') as events.IEventBus | undefined) ??
        eventBusIn(stack, props.events?.busName);
      const constructId = constructIdFor(provider.settings.id);
      const refresher = new ProviderTokenRefresher(stack, constructId, {
        provider,
        namePrefix,
        ...(props.stage === undefined ? {} : { stage: props.stage }),
        alarmTopic: this.alarmTopic,
        runbookUrl,
        ...(this.key ? { encryptionKey: this.key } : { awsManagedKeys: true }),
        // The shared-stack layout keeps a secret at the path a single-stack deployment gave it.
        ...(layout === 'shared-stack' ? { credentialsScope: new Construct(shared, constructId) } : {}),
        // Where 0.1.0 created the token secrets, whichever stack now holds the credentials.
        legacyStack: shared,
        ...(props.functionEntry ? { functionEntry: props.functionEntry } : {}),
        events: { ...(bus ? { bus } : {}), tokenRenewed: !!props.events?.tokenRenewed },
      });
      refreshers.set(provider.settings.id, refresher);
      addProviderOutputs(stack, refresher, provider.credentials !== undefined);
    }
    for (const stack of [shared, ...stacks.values()]) Tags.of(stack).add(STAGE_TAG, this.stage);
    this.refresherStacks = stacks;
    this.refreshers = refreshers;
  }
}
