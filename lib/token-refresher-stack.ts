import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { metricsNamespace } from '../contract/metrics.js';
import { constructIdFor, constructIdProblems, DEFAULT_NAME_PREFIX } from '../contract/naming.js';
import { createStageDashboard } from './private/stage-dashboard.js';
import { addProviderOutputs, createAlarmTopic } from './private/stage-parts.js';
import { DEFAULT_RUNBOOK_URL, ProviderTokenRefresher, type RefresherEventsProps } from './provider-token-refresher.js';
import type { ResolvedProvider } from '../providers/providers-file.js';

/** What `TokenRefresherStack` needs: the providers, and what every one of its refreshers shares. */
export interface TokenRefresherStackProps extends StackProps {
  /** The providers to keep tokens fresh for, as returned by `parseProvidersFile`. */
  readonly providers: readonly ResolvedProvider[];

  /**
   * First segment of every secret and parameter name; see `ProviderTokenRefresherProps.namePrefix`.
   * @default 'token-refresher'
   */
  readonly namePrefix?: string;

  /**
   * Entry file of the refresher function; see `ProviderTokenRefresherProps.functionEntry`.
   * @default - `lambda/index.ts` of this project
   */
  readonly functionEntry?: string;

  /**
   * Where each alarm's description links to its runbook section; see `ProviderTokenRefresherProps.runbookUrl`.
   * @default DEFAULT_RUNBOOK_URL
   */
  readonly runbookUrl?: string;

  /**
   * Topic every provider's alarms notify (ALARM and OK). Bring your own to route
   * notifications into an existing on-call tool, or to encrypt it with your own KMS key.
   * @default - a new topic, with `alarmEmails` subscribed
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * E-mail addresses subscribed to the alarm topic the stack creates (each confirms by e-mail).
   * @default - none
   */
  readonly alarmEmails?: readonly string[];

  /**
   * Your own KMS key for every provider's token, state and created credentials secret; see
   * `ProviderTokenRefresherProps.encryptionKey`.
   * @default - one customer-managed key for the stack, usable by each refresher for its own names only
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * The account's AWS-managed keys instead of the stack's customer-managed key; see
   * `ProviderTokenRefresherProps.awsManagedKeys` for what that exposes.
   * @default false
   */
  readonly awsManagedKeys?: boolean;

  /**
   * Where every provider's lifecycle events go; see `ProviderTokenRefresherProps.events`.
   * @default - the account's default event bus; no event per renewal
   */
  readonly events?: RefresherEventsProps;
}

/**
 * Every provider in one stack: one `ProviderTokenRefresher` each, plus outputs that tell operators
 * where to put the credentials and consumers where to read the token. For a handful of providers in
 * your own app; a fleet (many providers, stages) is `TokenRefresherFleet`. Composition only.
 *
 * @example
 * ```typescript
 * import { readFileSync } from 'node:fs';
 * import { App } from 'aws-cdk-lib';
 * import { parseStackConfig, TokenRefresherStack } from '@token-refresher/cdk';
 *
 * const app = new App();
 * const { providers, alarmEmails } = parseStackConfig(JSON.parse(readFileSync('providers.json', 'utf8')));
 * const stack = new TokenRefresherStack(app, 'Tokens', { providers, alarmEmails });
 *
 * // Each provider's refresher, for consumers elsewhere in the app.
 * const nagra = stack.refreshers.get('nagra');
 * ```
 */
export class TokenRefresherStack extends Stack {
  /** The refresher of each provider, by provider id, in the order of `providers`. */
  public readonly refreshers: ReadonlyMap<string, ProviderTokenRefresher>;
  /** Where the providers' alarms send notifications: the `alarmTopic` given, or the one the stack created. */
  public readonly alarmTopic: sns.ITopic;
  /** One dashboard for all providers, drawn from metric searches (lib/private/stage-dashboard.ts). */
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: TokenRefresherStackProps) {
    super(scope, id, props);
    const refreshers = new Map<string, ProviderTokenRefresher>();
    const clashes = constructIdProblems(props.providers.map((p) => p.settings.id));
    if (clashes.length > 0) throw new Error(`${this.node.path}: ${clashes.join('; ')}`);
    const prefix = props.namePrefix ?? DEFAULT_NAME_PREFIX;
    const runbookUrl = props.runbookUrl ?? DEFAULT_RUNBOOK_URL;
    this.alarmTopic = props.alarmTopic ?? createAlarmTopic(this, props.alarmEmails ?? []);
    this.dashboard = createStageDashboard(this, 'Dashboard', {
      namePrefix: prefix,
      namespace: metricsNamespace(undefined, props.namePrefix),
      stackNamePrefix: this.stackName,
      runbookUrl,
    });

    for (const provider of props.providers) {
      const refresher = new ProviderTokenRefresher(this, constructIdFor(provider.settings.id), {
        provider,
        namePrefix: prefix,
        functionEntry: props.functionEntry,
        alarmTopic: this.alarmTopic,
        runbookUrl,
        ...(props.encryptionKey ? { encryptionKey: props.encryptionKey } : {}),
        ...(props.awsManagedKeys ? { awsManagedKeys: true } : {}),
        ...(props.events ? { events: props.events } : {}),
      });
      refreshers.set(provider.settings.id, refresher);
      addProviderOutputs(this, refresher, provider.credentials !== undefined);
    }
    this.refreshers = refreshers;
  }
}
