import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DETAIL_TYPE } from '../../contract/events.js';
import { addEventRules } from '../../examples/cdk/event-rules.js';

describe('examples/cdk/event-rules.ts (shown in docs/events.md)', () => {
  const stack = new Stack(new App(), 'Rules', { env: { account: '111122223333', region: 'eu-central-1' } });
  addEventRules(stack, {
    slack: { workspaceId: 'T0123', channelId: 'C0123' },
    jira: { site: 'example.atlassian.net', project: 'OPS', credentialsSecretName: 'jira/api' },
  });
  const template = Template.fromStack(stack);

  it('posts every transition to the chat topic, matching the source and each detail-type', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['token-refresher'], 'detail-type': Object.values(DETAIL_TYPE) },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('TokenEventsTopic') } })],
    });
    template.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 1);
  });

  it('opens a ticket for rejected credentials and a lost refresh token only', () => {
    const rules = template.findResources('AWS::Events::Rule', {
      Properties: { EventPattern: { 'detail-type': ['Token Credentials Rejected', 'Token Reconnect Needed'] } },
    });
    expect(Object.keys(rules)).toHaveLength(1);
    template.hasResourceProperties('AWS::Events::ApiDestination', {
      InvocationEndpoint: 'https://example.atlassian.net/rest/api/2/issue',
      HttpMethod: 'POST',
    });
  });
});
