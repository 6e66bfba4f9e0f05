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
  it('token freshness: Minimum TokenSecondsRemaining < minValidity + 2 intervals + 90 s, 2 of 2 one-minute periods, missing data breaching', () => {
    expect(alarm('token-refresher-movingimage-TokenFreshness')).toEqual({
      AlarmName: 'token-refresher-movingimage-TokenFreshness',
      AlarmDescription: expect.stringContaining(
        'token-refresher provider "movingimage": the published token is close to expiry',
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
    });
  });

  const description = (meaning: string, suffix: string) =>
    `token-refresher provider "movingimage": ${meaning}. Runbook: README.md, section "Runbook" > ${suffix}.`;
  const metricStat = (id: string, name: string, stat: string, period: number) => ({
    Id: id,
    MetricStat: {
      Metric: { Namespace: 'TokenRefresher', MetricName: name, Dimensions: providerDimension },
      Period: period,
      Stat: stat,
    },
    ReturnData: false,
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
      TreatMissingData: 'notBreaching',
    });
  });

  it('configuration error: FailedConfiguration + ConfigurationBlocked >= 1 in one period, so it holds while blocked', () => {
    expect(alarm('token-refresher-movingimage-ConfigurationError')).toEqual({
      AlarmName: 'token-refresher-movingimage-ConfigurationError',
      AlarmDescription: description(
        'the provider configuration or the credentials secret is wrong (unknown realm, scope or client, missing keys)',
        'ConfigurationError',
      ),
      Metrics: [
        { Id: 'expr_1', Expression: 'm0 + m1', Label: 'FailedConfiguration + ConfigurationBlocked', ReturnData: true },
        metricStat('m0', 'FailedConfiguration', 'Maximum', 60),
        metricStat('m1', 'ConfigurationBlocked', 'Maximum', 60),
      ],
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('repeated failures: transient + invalid-response + store failures in 3 consecutive periods', () => {
    expect(alarm('token-refresher-movingimage-RepeatedFailures')).toEqual({
      AlarmName: 'token-refresher-movingimage-RepeatedFailures',
      AlarmDescription: description(
        'three runs in a row failed with a transient, invalid-response or store failure',
        'RepeatedFailures',
      ),
      Metrics: [
        {
          Id: 'expr_1',
          Expression: 'm0 + m1 + m2',
          Label: 'FailedTransient + FailedInvalidResponse + FailedStore',
          ReturnData: true,
        },
        metricStat('m0', 'FailedTransient', 'Sum', 60),
        metricStat('m1', 'FailedInvalidResponse', 'Sum', 60),
        metricStat('m2', 'FailedStore', 'Sum', 60),
      ],
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'notBreaching',
    });
  });

  it('refresher silent: fewer than one run in two 5-minute periods, missing periods filled with 0', () => {
    expect(alarm('token-refresher-movingimage-RefresherSilent')).toEqual({
      AlarmName: 'token-refresher-movingimage-RefresherSilent',
      AlarmDescription: description(
        'the refresher has not run for two periods (schedule disabled or deleted, function not invocable)',
        'RefresherSilent',
      ),
      Metrics: [
        {
          Id: 'expr_1',
          Expression: 'FILL(m0, 0)',
          Label: 'TokenSecondsRemaining SampleCount, 0 when missing',
          ReturnData: true,
        },
        metricStat('m0', 'TokenSecondsRemaining', 'SampleCount', 300),
      ],
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'breaching',
    });
  });

  it('function errors: Sum of the function Errors >= 1 over 5 minutes', () => {
    expect(alarm('token-refresher-movingimage-FunctionErrors')).toEqual({
      AlarmName: 'token-refresher-movingimage-FunctionErrors',
      AlarmDescription: description(
        'the refresher function threw (a bug, or a configuration it cannot start with)',
        'FunctionErrors',
      ),
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId('Function') } }],
      Statistic: 'Sum',
      Period: 300,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('dead letters: new messages in its own dead-letter queue (Sum NumberOfMessagesSent >= 1 over 5 minutes)', () => {
    expect(alarm('token-refresher-movingimage-DeadLetters')).toEqual({
      AlarmName: 'token-refresher-movingimage-DeadLetters',
      AlarmDescription: description(
        'scheduled invocations failed or could not be delivered and are waiting in the dead-letter queue',
        'DeadLetters',
      ),
      Namespace: 'AWS/SQS',
      MetricName: 'NumberOfMessagesSent',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId('DeadLetterQueue'), 'QueueName'] } }],
      Statistic: 'Sum',
      Period: 300,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('detailed alarms have no actions; the paging composite notifies the topic on ALARM and OK', () => {
    const topic = { Ref: stack.getLogicalId(stack.alarmTopic.node.defaultChild as never) };
    const detailed = Object.values(ALARM_SUFFIX).filter((s) => s !== 'Paging');
    for (const suffix of detailed) {
      const props = alarm(`token-refresher-movingimage-${suffix}`);
      expect(props.AlarmActions, suffix).toBeUndefined();
      expect(props.OKActions, suffix).toBeUndefined();
    }
    const paging = alarm('token-refresher-movingimage-Paging');
    expect(paging).toMatchObject({ AlarmActions: [topic], OKActions: [topic] });
    const rule = JSON.stringify(paging.AlarmRule);
    for (const suffix of detailed) expect(rule, suffix).toContain(logicalId(`${suffix}Alarm`));
    expect(rule.match(/ALARM\(/g)).toHaveLength(detailed.length);
    expect(rule.match(/ OR /g)).toHaveLength(detailed.length - 1);
  });

  it('scales periods with the check interval (clickview: hourly checks)', () => {
    expect(alarm('token-refresher-clickview-TokenFreshness')).toMatchObject({
      Period: 3600,
      Threshold: 60 + 7200 + 90,
    });
    expect(alarm('token-refresher-clickview-FunctionErrors')).toMatchObject({ Period: 3600 });
    expect(alarm('token-refresher-clickview-DeadLetters')).toMatchObject({ Period: 300 });
  });

  it('creates seven detailed alarms and one composite per provider', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 7 * 5);
    template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 5);
    expect(stack.refreshers.get('nagra')!.tokenFreshnessAlarm.alarmName).toBeDefined();
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
  it('has, per provider, seconds remaining against minValidity, outcomes, grants, latency and alarm status', () => {
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard!.Properties.DashboardBody);
    for (const id of ['mediamelon', 'movingimage', 'nagra', 'clickview', 'mediahound']) {
      for (const title of ['seconds remaining', 'outcomes', 'grants used', 'token request latency', 'alarms']) {
        expect(body, `${id}: ${title}`).toContain(`${id}: ${title}`);
      }
    }
    expect(body).toContain('{\\"value\\":60,\\"label\\":\\"minValidity\\"');
    expect(body).toContain('{\\"value\\":270,\\"label\\":\\"freshness alarm\\"');
    expect(body.match(/\\"type\\":\\"alarm\\"/g)).toHaveLength(5);
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
    expect(text).toContain(logicalId('PagingAlarm'));
  });
});
