import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { acknowledge, NAG_REASONS } from './private/nag-acknowledgements.js';
import { constructIdFor, constructIdProblems, DEFAULT_NAME_PREFIX, PROVIDER_CHILD_SUFFIX } from '../contract/naming.js';
import { ProviderTokenRefresher } from './provider-token-refresher.js';
import type { ResolvedProvider } from '../contract/providers-file.js';

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
   * Topic every provider's paging alarm notifies (ALARM and OK). Bring your own to route
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
}

/**
 * One `ProviderTokenRefresher` per provider, plus outputs that tell operators where to put the
 * credentials and consumers where to read the token. Composition only: no resource details here.
 */
export class TokenRefresherStack extends Stack {
  /** The refresher of each provider, by provider id. */
  public readonly refreshers: ReadonlyMap<string, ProviderTokenRefresher>;
  /** Where the providers' paging alarms send notifications. */
  public readonly alarmTopic: sns.ITopic;
  /** One dashboard for all providers: seconds remaining, outcomes, grants, latency and alarms. */
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: TokenRefresherStackProps) {
    super(scope, id, props);
    const refreshers = new Map<string, ProviderTokenRefresher>();
    const clashes = constructIdProblems(props.providers.map((p) => p.settings.id));
    if (clashes.length > 0) throw new Error(`${this.node.path}: ${clashes.join('; ')}`);
    this.alarmTopic = props.alarmTopic ?? this.createAlarmTopic(props.alarmEmails ?? []);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      // Dashboard names are account-wide, unlike the prefix's other names: add the region.
      dashboardName: `${props.namePrefix ?? DEFAULT_NAME_PREFIX}-${this.region}`,
    });

    for (const provider of props.providers) {
      const providerId = provider.settings.id;
      const constructId = constructIdFor(providerId);

      const refresher = new ProviderTokenRefresher(this, constructId, {
        provider,
        namePrefix: props.namePrefix,
        functionEntry: props.functionEntry,
        alarmTopic: this.alarmTopic,
        ...(props.encryptionKey ? { encryptionKey: props.encryptionKey } : {}),
        ...(props.awsManagedKeys ? { awsManagedKeys: true } : {}),
      });
      refreshers.set(providerId, refresher);
      for (const row of refresher.dashboardRows()) this.dashboard.addWidgets(...row);

      new CfnOutput(this, `${constructId}${PROVIDER_CHILD_SUFFIX.tokenSource}`, {
        description: `Where consumers read the token of provider "${providerId}" (grant them read access with grantRead)`,
        value: refresher.tokenSource,
      });
      new CfnOutput(this, `${constructId}${PROVIDER_CHILD_SUFFIX.credentialsSecret}`, {
        description: provider.credentials
          ? `Credentials secret of provider "${providerId}" (imported)`
          : `Credentials secret of provider "${providerId}": created empty, put the provider credentials in it as JSON (see its description)`,
        value: refresher.credentialsSecretId,
      });
      new CfnOutput(this, `${constructId}${PROVIDER_CHILD_SUFFIX.function}`, {
        description: `Refresher function of provider "${providerId}" (invoke with {"force": true} to refresh now)`,
        value: refresher.refreshFunction.functionName,
      });
      new CfnOutput(this, `${constructId}${PROVIDER_CHILD_SUFFIX.manifest}`, {
        description: `How tools (token-refresher status) find everything about provider "${providerId}"`,
        value: this.toJsonString(refresher.manifest),
      });
    }
    this.refreshers = refreshers;
  }

  private createAlarmTopic(emails: readonly string[]): sns.ITopic {
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'token-refresher alarms',
      enforceSSL: true,
    });
    acknowledge(topic, 'AwsSolutions-SNS2', NAG_REASONS.alarmTopicEncryption);
    for (const email of emails) topic.addSubscription(new subscriptions.EmailSubscription(email));
    return topic;
  }
}
