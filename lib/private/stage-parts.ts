import { Annotations, CfnOutput, type Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { PROVIDER_CHILD_SUFFIX } from '../../contract/naming.js';
import type { ProviderTokenRefresher } from '../provider-token-refresher.js';
import { acknowledge, NAG_REASONS } from './nag-acknowledgements.js';

/**
 * The topic every alarm of a stage notifies, with the given e-mail addresses subscribed. Without a
 * subscriber the alarms page nobody, which synth says (as a CDK warning) rather than stays silent.
 */
export function createAlarmTopic(stack: Stack, emails: readonly string[]): sns.Topic {
  const topic = new sns.Topic(stack, 'AlarmTopic', { displayName: 'token-refresher alarms', enforceSSL: true });
  acknowledge(topic, 'AwsSolutions-SNS2', NAG_REASONS.alarmTopicEncryption);
  for (const email of emails) topic.addSubscription(new subscriptions.EmailSubscription(email));
  if (emails.length === 0) {
    Annotations.of(topic).addWarningV2(
      'token-refresher:alarm-topic-without-subscriber',
      'The alarm topic has no subscriber, so alarms page nobody: add "alarmEmails" to the providers file, or subscribe your on-call tool to the topic (output AlarmTopicArn)',
    );
  }
  new CfnOutput(stack, 'AlarmTopicArn', {
    description: 'Where every paging alarm of the stage notifies',
    value: topic.topicArn,
  });
  return topic;
}

/** The outputs operators and tools read for one provider, beside its refresher in `stack`. */
export function addProviderOutputs(
  stack: Stack,
  refresher: ProviderTokenRefresher,
  importedCredentials: boolean,
): void {
  const providerId = refresher.providerId;
  const constructId = refresher.node.id;
  new CfnOutput(stack, `${constructId}${PROVIDER_CHILD_SUFFIX.tokenSource}`, {
    description: `Where consumers read the token of provider "${providerId}" (grant them read access with grantRead)`,
    value: refresher.tokenSource,
  });
  new CfnOutput(stack, `${constructId}${PROVIDER_CHILD_SUFFIX.credentialsSecret}`, {
    description: importedCredentials
      ? `Credentials secret of provider "${providerId}" (imported)`
      : `Credentials secret of provider "${providerId}": created empty, put the provider credentials in it as JSON (see its description)`,
    value: refresher.manifest.credentialsSecret,
  });
  new CfnOutput(stack, `${constructId}${PROVIDER_CHILD_SUFFIX.function}`, {
    description: `Refresher function of provider "${providerId}" (invoke with {"force": true} to refresh now)`,
    value: refresher.refreshFunction.functionName,
  });
  new CfnOutput(stack, `${constructId}${PROVIDER_CHILD_SUFFIX.manifest}`, {
    description: `How tools (token-refresher status) find everything about provider "${providerId}"`,
    value: stack.toJsonString(refresher.manifest),
  });
}
