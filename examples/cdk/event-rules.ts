/**
 * Acting on token-refresher's lifecycle events (docs/events.md): one rule posts every transition to
 * a chat channel through SNS and AWS Chatbot (Amazon Q Developer in chat applications), another opens
 * a Jira ticket when credentials are rejected or a person must reconnect. Both match on `source` and
 * `detail-type` only, so they keep working when a newer detail version adds fields.
 */
import { SecretValue } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { DETAIL_TYPE, EVENT_SOURCE } from '../../lib/index.js'; // in your project: '@token-refresher/cdk'

export interface EventRulesProps {
  /** The bus the refreshers put their events on (the stage's `events.busName`); the default bus if absent. */
  readonly bus?: events.IEventBus;
  /** The Slack workspace and channel AWS Chatbot posts to (configure the workspace once in its console). */
  readonly slack: { readonly workspaceId: string; readonly channelId: string };
  /** Your Jira Cloud site and the Secrets Manager secret with `{"username": "...", "password": "<API token>"}`. */
  readonly jira: { readonly site: string; readonly project: string; readonly credentialsSecretName: string };
}

export function addEventRules(scope: Construct, props: EventRulesProps): void {
  // Chat: every transition, as an AWS Chatbot custom notification.
  const topic = new sns.Topic(scope, 'TokenEventsTopic', { enforceSSL: true });
  new chatbot.SlackChannelConfiguration(scope, 'TokenEventsSlack', {
    slackChannelConfigurationName: 'token-refresher-events',
    slackWorkspaceId: props.slack.workspaceId,
    slackChannelId: props.slack.channelId,
    notificationTopics: [topic],
  });
  new events.Rule(scope, 'TokenEventsToChat', {
    ...(props.bus ? { eventBus: props.bus } : {}),
    eventPattern: { source: [EVENT_SOURCE], detailType: Object.values(DETAIL_TYPE) },
    targets: [
      new targets.SnsTopic(topic, {
        message: events.RuleTargetInput.fromObject({
          version: '1.0',
          source: 'custom',
          content: {
            title: `${events.EventField.fromPath('$.detail-type')}: ${events.EventField.fromPath('$.detail.provider')}`,
            description:
              `Stage ${events.EventField.fromPath('$.detail.stage')} at ${events.EventField.fromPath('$.detail.time')}; ` +
              `see docs/events.md (event ${events.EventField.fromPath('$.detail.eventId')})`,
          },
        }),
      }),
    ],
  });

  // Ticket: rejected credentials and lost refresh tokens need a person; Jira's REST API creates the issue.
  const connection = new events.Connection(scope, 'JiraConnection', {
    authorization: events.Authorization.basic(
      SecretValue.secretsManager(props.jira.credentialsSecretName, { jsonField: 'username' }).unsafeUnwrap(),
      SecretValue.secretsManager(props.jira.credentialsSecretName, { jsonField: 'password' }),
    ),
  });
  const createIssue = new events.ApiDestination(scope, 'JiraCreateIssue', {
    connection,
    endpoint: `https://${props.jira.site}/rest/api/2/issue`,
    httpMethod: events.HttpMethod.POST,
    rateLimitPerSecond: 1,
  });
  new events.Rule(scope, 'TokenEventsToTicket', {
    ...(props.bus ? { eventBus: props.bus } : {}),
    eventPattern: {
      source: [EVENT_SOURCE],
      detailType: [DETAIL_TYPE['credentials-rejected'], DETAIL_TYPE['reconnect-needed']],
    },
    targets: [
      new targets.ApiDestination(createIssue, {
        event: events.RuleTargetInput.fromObject({
          fields: {
            project: { key: props.jira.project },
            issuetype: { name: 'Task' },
            summary: `${events.EventField.fromPath('$.detail-type')}: ${events.EventField.fromPath('$.detail.provider')} (${events.EventField.fromPath('$.detail.stage')})`,
            // The event id makes a retried delivery recognisable: search for it before acting twice.
            description: `token-refresher event ${events.EventField.fromPath('$.detail.eventId')}; runbook: docs/runbook.md`,
          },
        }),
      }),
    ],
  });
}
