import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALARM_SUFFIX } from '../../contract/refresher-manifest.js';
import { TokenRefresherStack } from '../../lib/token-refresher-stack.js';
import { shippedProviders, STUB_ENTRY, testApp, testStack } from './fixtures.js';

/**
 * The operations side of the stack: every alarm of a provider (metric, statistic, period,
 * threshold, missing data, actions), the paging composite, the topic and e-mail subscriptions,
 * the dashboard and the manifest output the CLI reads. Expected values are written out for the
 * shipped movingimage provider (5-minute tokens checked every minute, minValidity 60 s).
 */
let stack: TokenRefresherStack;
let template: Template;
let json: Record<string, Record<string, { Type: string; Properties: Record<string, unknown> }>>;

beforeAll(() => {
  stack = new TokenRefresherStack(testApp(), 'TokenRefresher', {
    providers: shippedProviders(),
    functionEntry: STUB_ENTRY,
    alarmEmails: ['oncall@example.com', 'platform@example.com'],
  });
  template = Template.fromStack(stack);
  json = template.toJSON();
});

function alarm(name: string): Record<string, unknown> {
  const found = Object.values(json.Resources!).find(
    (r) =>
      (r.Type === 'AWS::CloudWatch::Alarm' || r.Type === 'AWS::CloudWatch::CompositeAlarm') &&
      r.Properties.AlarmName === name,
  );
  if (!found) throw new Error(`no alarm named ${name}`);
  return found.Properties;
}

const providerDimension = [{ Name: 'Provider', Value: 'movingimage' }];
const logicalId = (path: string) =>
  stack.getLogicalId(stack.node.findChild('Movingimage').node.findChild(path).node.defaultChild as never);

describe('alarms of one provider', () => {
  const description = (meaning: string, suffix: string) =>
    `token-refresher provider "movingimage": ${meaning}. Runbook: https://github.com/token-refresher/token-refresher/blob/main/docs/runbook.md#${suffix.toLowerCase()}`;
  const topic = () => [{ Ref: stack.getLogicalId(stack.alarmTopic.node.defaultChild as never) }];

  it('token freshness: Minimum TokenSecondsRemaining < minValidity + 2 intervals + 90 s, 2 of 2 one-minute periods, missing data breaching', () => {
    expect(alarm('token-refresher-movingimage-TokenFreshness')).toEqual({
      AlarmName: 'token-refresher-movingimage-TokenFreshness',
      AlarmDescription: description(
        'the published token is close to expiry and renewal has failed twice in a row (or the refresher stopped running)',
        'TokenFreshness',
      ),
      Namespace: 'TokenRefresher',
      MetricName: 'TokenSecondsRemaining',
      Dimensions: providerDimension,
      Statistic: 'Minimum',
      Period: 60,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 270,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'breaching',
      AlarmActions: topic(),
      OKActions: topic(),
    });
  });

  it('credentials rejected: Maximum LockoutGuardEngaged >= 1 in one period, fires on the first rejection', () => {
    expect(alarm('token-refresher-movingimage-CredentialsRejected')).toEqual({
      AlarmName: 'token-refresher-movingimage-CredentialsRejected',
      AlarmDescription: description(
        'the provider rejected the credentials; the lockout guard sends nothing more until the credentials secret changes',
        'CredentialsRejected',
      ),
      Namespace: 'TokenRefresher',
      MetricName: 'LockoutGuardEngaged',
      Dimensions: providerDimension,
      Statistic: 'Maximum',
      Period: 60,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      // The gauge is emitted only while the guard holds: no data is no guard.
      TreatMissingData: 'notBreaching',
      AlarmActions: topic(),
      OKActions: topic(),
    });
  });

  it('refresher silent: fewer than one run in two 5-minute periods, missing periods filled with 0', () => {
    expect(alarm('token-refresher-movingimage-RefresherSilent')).toEqual({
      AlarmName: 'token-refresher-movingimage-RefresherSilent',
      AlarmDescription: description(
        'the refresher has not run for two periods (schedule disabled or deleted, function failing or not invocable)',
        'RefresherSilent',
      ),
      Metrics: [
        {
          Id: 'expr_1',
          Expression: 'FILL(m0, 0)',
          Label: 'TokenSecondsRemaining SampleCount, 0 when missing',
          ReturnData: true,
        },
        {
          Id: 'm0',
          MetricStat: {
            Metric: { Namespace: 'TokenRefresher', MetricName: 'TokenSecondsRemaining', Dimensions: providerDimension },
            Period: 300,
            Stat: 'SampleCount',
          },
          ReturnData: false,
        },
      ],
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'breaching',
      AlarmActions: topic(),
      OKActions: topic(),
    });
  });

  it('scales periods with the check interval (clickview: hourly checks)', () => {
    expect(alarm('token-refresher-clickview-TokenFreshness')).toMatchObject({
      Period: 3600,
      Threshold: 60 + 7200 + 90,
    });
    expect(alarm('token-refresher-clickview-RefresherSilent')).toMatchObject({
      Metrics: expect.arrayContaining([
        expect.objectContaining({ MetricStat: expect.objectContaining({ Period: 7200 }) }),
      ]),
    });
  });

  it('creates three alarms per provider, each paging itself, and no composite (three alarm metrics a provider)', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3 * 5);
    template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 0);
    for (const suffix of Object.values(ALARM_SUFFIX)) {
      expect(alarm(`token-refresher-nagra-${suffix}`)).toMatchObject({ AlarmActions: topic(), OKActions: topic() });
    }
  });
});

describe('alarm topic', () => {
  it('is TLS-only and has the e-mail subscriptions from the providers file', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'platform@example.com' });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('uses a topic you bring instead of creating one', () => {
    const app = testApp();
    const shared = new sns.Topic(testStack(app, 'Shared'), 'OnCall');
    const own = new TokenRefresherStack(app, 'Own', {
      providers: shippedProviders(),
      functionEntry: STUB_ENTRY,
      alarmTopic: shared,
    });

    Template.fromStack(own).resourceCountIs('AWS::SNS::Topic', 0);
    expect(own.alarmTopic).toBe(shared);
  });
});

describe('dashboard', () => {
  it('draws the whole stage from metric searches: seconds remaining, every failure kind, guard, block, renewals, latency, errors', () => {
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    // Without the escaping of a JSON string inside a JSON string.
    const body = JSON.stringify(dashboard!.Properties.DashboardBody).replace(/\\/g, '');
    for (const metric of [
      'TokenSecondsRemaining',
      'FailedTransient',
      'FailedCredentials',
      'FailedConfiguration',
      'FailedInvalidResponse',
      'FailedStore',
      'LockoutGuardEngaged',
      'ConfigurationBlocked',
    ]) {
      expect(body, metric).toContain(`SEARCH('{TokenRefresher,Provider} MetricName="${metric}"'`);
    }
    expect(body).toContain('"TokenRefresher","Renewals"');
    expect(body).toContain('TokenRequestLatency');
    expect(body).toContain('{AWS/Lambda,FunctionName} MetricName="Errors"');
    expect(body).toContain('{AWS/SQS,QueueName} MetricName="NumberOfMessagesSent"');
    // Nothing per provider: the body does not change when providers come or go.
    for (const id of ['mediamelon', 'movingimage', 'nagra', 'clickview', 'mediahound']) expect(body).not.toContain(id);
  });
});

describe('manifest output', () => {
  it('tells the CLI where everything of a provider is', () => {
    const output = template.toJSON().Outputs.MovingimageRefresher as { Value: unknown };
    const text = JSON.stringify(output.Value);
    for (const part of [
      '\\"provider\\":\\"movingimage\\"',
      '\\"store\\":\\"parameterstore\\"',
      '\\"tokenSource\\":\\"ssm:/token-refresher/movingimage/token\\"',
      '\\"stateParameter\\":\\"/token-refresher/movingimage/state\\"',
      '\\"minValiditySeconds\\":60',
      '\\"checkIntervalMinutes\\":1',
    ]) {
      expect(text).toContain(part);
    }
    expect(text).toContain(logicalId('Function'));
    // Alarm names resolve at deploy time; the stack names them token-refresher-<provider>-<Suffix>.
    expect(text).toContain(logicalId('TokenFreshnessAlarm'));
    expect(text).toContain(logicalId('RefresherSilentAlarm'));
    expect(text).toContain('\\"metricsNamespace\\":\\"TokenRefresher\\"');
  });
});
