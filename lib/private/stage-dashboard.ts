import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { FAILED_METRIC, METRIC, PROVIDER_DIMENSION } from '../../contract/metrics.js';
import { dashboardName, dashboardNameProblem, flatStart } from '../../contract/naming.js';
import { claimNames } from './name-claims.js';

export interface StageDashboardProps {
  /** The stage's name prefix: it names the dashboard and finds the stage's alarms. */
  readonly namePrefix: string;
  /** The stage's metrics namespace. */
  readonly namespace: string;
  /** First part of the stage's stack names: their functions' and queues' names start with it. */
  readonly stackNamePrefix: string;
  readonly runbookUrl: string;
}

const PERIOD = Duration.minutes(5);

const search = (expression: string, statistic: string, label: string) =>
  new cloudwatch.MathExpression({
    expression: `SEARCH('${expression}', '${statistic}', ${PERIOD.toSeconds()})`,
    usingMetrics: {},
    period: PERIOD,
    label,
  });

const graph = (title: string, left: cloudwatch.IMetric[], extra: Partial<cloudwatch.GraphWidgetProps> = {}) =>
  new cloudwatch.GraphWidget({ title, left, width: 12, height: 6, ...extra });

/**
 * One dashboard for a whole stage, drawn from metric searches rather than from one row per provider:
 * its body does not change when providers come or go (so it never ties the stage's stacks to each
 * other), and it stays inside CloudWatch's widget limits for any fleet. Every failure kind, the
 * guard, a configuration block, undelivered events, renewals, latency, and unexpected errors have a graph.
 */
export function createStageDashboard(scope: Construct, id: string, props: StageDashboardProps): cloudwatch.Dashboard {
  const region = Stack.of(scope).region;
  const problem = dashboardNameProblem(props.namePrefix);
  if (problem) throw new Error(`${scope.node.path}: ${problem}`);
  const name = dashboardName(props.namePrefix, region);
  // An environment-agnostic stack's region is a token: claimed as `<region>`, which reads better.
  claimNames(scope, { dashboard: Token.isUnresolved(region) ? dashboardName(props.namePrefix, '<region>') : name });
  const dashboard = new cloudwatch.Dashboard(scope, id, { dashboardName: name });
  const alarmSearch = flatStart(props.namePrefix);
  dashboard.addWidgets(
    new cloudwatch.TextWidget({
      markdown:
        `### token-refresher: ${props.namespace}\n` +
        `Paging alarms: [${alarmSearch}*](https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#alarmsV2:?~(search~'${alarmSearch})) · ` +
        `[runbook](${props.runbookUrl}) · \`token-refresher status\` for one provider's details`,
      width: 24,
      height: 2,
    }),
  );
  for (const row of graphRows(props)) dashboard.addWidgets(...row);
  return dashboard;
}

/** The dashboard's graphs, row by row. */
function graphRows({ namespace, stackNamePrefix }: StageDashboardProps): cloudwatch.IWidget[][] {
  const byProvider = (metricName: string, statistic: string) =>
    search(`{${namespace},${PROVIDER_DIMENSION}} MetricName="${metricName}"`, statistic, '');
  const stageMetric = (metricName: string, statistic: string, label: string) =>
    new cloudwatch.Metric({ namespace, metricName, statistic, period: PERIOD, label });
  return [
    [
      graph('Seconds remaining, by provider (minimum)', [byProvider(METRIC.tokenSecondsRemaining, 'Minimum')], {
        leftYAxis: { min: 0, showUnits: false },
      }),
      graph(
        'Failed runs, by provider and kind',
        Object.values(FAILED_METRIC).map((name) => byProvider(name, 'Sum')),
        { stacked: true },
      ),
    ],
    [
      // Both feed the CredentialsRejected alarm: a guard on the credentials, or a connection to make again.
      graph('Lockout guard engaged or reconnect needed, by provider', [
        byProvider(METRIC.lockoutGuardEngaged, 'Maximum'),
        byProvider(METRIC.reconnectNeeded, 'Maximum'),
      ]),
      graph('Configuration blocked, by provider', [byProvider(METRIC.configurationBlocked, 'Maximum')]),
    ],
    [
      graph('Waiting for credentials (setup pending; not paged), by provider', [
        byProvider(METRIC.waitingForCredentials, 'Maximum'),
      ]),
      // Every method shares the graphs above: a rejected assertion is a credentials failure, a KMS key that
      // cannot sign a configuration one, KMS throttling a transient one (docs/runbook.md "Failure kinds").
      graph('Lifecycle events undelivered (retried next run), by provider', [
        byProvider(METRIC.eventsUndelivered, 'Sum'),
      ]),
    ],
    [
      graph('Renewals (stage)', [stageMetric(METRIC.renewals, 'Sum', 'renewals')]),
      graph(
        'Token request latency (ms)',
        ['p50', 'p99', 'Maximum'].map((statistic) => stageMetric(METRIC.tokenRequestLatency, statistic, statistic)),
      ),
    ],
    [
      graph('Function errors (unexpected: the run threw)', [
        search(`{AWS/Lambda,FunctionName} MetricName="Errors" "${stackNamePrefix}"`, 'Sum', ''),
      ]),
      graph('Dead letters (invocations that failed or could not be delivered)', [
        search(`{AWS/SQS,QueueName} MetricName="NumberOfMessagesSent" "${stackNamePrefix}"`, 'Sum', ''),
      ]),
    ],
  ];
}
