import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { type AlarmSpec, alarmSpecs } from '../../contract/alarm-specs.js';
import type { ProviderSettings } from '../../contract/provider-settings.js';
import { ALARM_SUFFIX, type AlarmKind } from '../../contract/refresher-manifest.js';

/** Where the runbook lives; each alarm description points at its section. */
export const RUNBOOK = 'README.md, section "Runbook"';

export type ProviderAlarms = Readonly<Record<Exclude<AlarmKind, 'paging'>, cloudwatch.Alarm>> & {
  readonly paging: cloudwatch.CompositeAlarm;
};

export interface ProviderAlarmsProps {
  readonly settings: ProviderSettings;
  readonly alarmNamePrefix: string;
  readonly refresherMetric: (metricName: string, options: cloudwatch.MetricOptions) => cloudwatch.Metric;
  readonly refreshFunction: lambda.IFunction;
  readonly deadLetterQueue: sqs.IQueue;
}

const COMPARISON: Record<AlarmSpec['comparison'], cloudwatch.ComparisonOperator> = {
  LessThanThreshold: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
  GreaterThanOrEqualToThreshold: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
};

const MISSING: Record<AlarmSpec['treatMissingData'], cloudwatch.TreatMissingData> = {
  breaching: cloudwatch.TreatMissingData.BREACHING,
  notBreaching: cloudwatch.TreatMissingData.NOT_BREACHING,
};

function metricFor(spec: AlarmSpec, props: ProviderAlarmsProps): cloudwatch.IMetric {
  const options = { period: Duration.seconds(spec.periodSeconds), statistic: spec.statistic };
  if (spec.namespace === 'AWS/Lambda') return props.refreshFunction.metricErrors(options);
  if (spec.namespace === 'AWS/SQS') return props.deadLetterQueue.metricNumberOfMessagesSent(options);
  const [only, ...more] = spec.metrics;
  if (only !== undefined && spec.fillMissingWithZero) {
    return new cloudwatch.MathExpression({
      expression: 'FILL(m0, 0)',
      usingMetrics: { m0: props.refresherMetric(only, options) },
      period: options.period,
      label: `${only} ${spec.statistic}, 0 when missing`,
    });
  }
  if (only !== undefined && more.length === 0) return props.refresherMetric(only, options);
  const usingMetrics = Object.fromEntries(
    spec.metrics.map((name, i) => [`m${i}`, props.refresherMetric(name, options)]),
  );
  return new cloudwatch.MathExpression({
    expression: Object.keys(usingMetrics).join(' + '),
    usingMetrics,
    period: options.period,
    label: spec.metrics.join(' + '),
  });
}

/**
 * The detailed alarms (for diagnosis) and one composite alarm over them (for paging), all named
 * `<prefix>-<provider>-<Suffix>`. Only the composite alarm gets actions, so an incident pages once.
 */
export function createProviderAlarms(scope: Construct, props: ProviderAlarmsProps): ProviderAlarms {
  const { settings, alarmNamePrefix } = props;
  const specs = alarmSpecs(settings);
  const alarms = Object.fromEntries(
    Object.values(specs).map((spec) => {
      const suffix = ALARM_SUFFIX[spec.kind];
      const alarm = new cloudwatch.Alarm(scope, `${suffix}Alarm`, {
        alarmName: `${alarmNamePrefix}-${suffix}`,
        alarmDescription: `token-refresher provider "${settings.id}": ${spec.meaning}. Runbook: ${RUNBOOK} > ${suffix}.`,
        metric: metricFor(spec, props),
        threshold: spec.threshold,
        comparisonOperator: COMPARISON[spec.comparison],
        evaluationPeriods: spec.evaluationPeriods,
        datapointsToAlarm: spec.datapointsToAlarm,
        treatMissingData: MISSING[spec.treatMissingData],
      });
      return [spec.kind, alarm];
    }),
  ) as Record<Exclude<AlarmKind, 'paging'>, cloudwatch.Alarm>;

  const paging = new cloudwatch.CompositeAlarm(scope, 'PagingAlarm', {
    compositeAlarmName: `${alarmNamePrefix}-${ALARM_SUFFIX.paging}`,
    alarmDescription:
      `token-refresher provider "${settings.id}" needs attention: one of its alarms is in ALARM ` +
      `(${Object.values(alarms)
        .map((a) => a.node.id.replace(/Alarm$/, ''))
        .join(', ')}). Runbook: ${RUNBOOK} > ${ALARM_SUFFIX.paging}.`,
    alarmRule: cloudwatch.AlarmRule.anyOf(...Object.values(alarms)),
  });
  return { ...alarms, paging };
}
