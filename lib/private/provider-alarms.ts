import { Annotations, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { type AlarmSpec, alarmSpecs } from './alarm-specs.js';
import type { ProviderSettings } from '../../contract/provider-settings.js';
import { ALARM_SUFFIX, type AlarmKind } from '../../contract/refresher-manifest.js';

/**
 * Id of the synth warning for a refresher without `alarmTopic`, whose alarms notify nobody. Silence it
 * deliberately with `Annotations.of(refresher).acknowledgeWarning(ALARMS_NOTIFY_NOBODY, '<why>')`.
 */
export const ALARMS_NOTIFY_NOBODY = 'token-refresher:alarms-notify-nobody';

/** A provider's paging alarms, by kind (contract/refresher-manifest.ts `ALARM_KINDS`). */
export type ProviderAlarms = Readonly<Record<AlarmKind, cloudwatch.Alarm>>;

export interface ProviderAlarmsProps {
  readonly settings: ProviderSettings;
  /** The alarms' names, by kind (contract/naming.ts `providerResourceNames`). */
  readonly alarmNames: Readonly<Record<AlarmKind, string>>;
  readonly refresherMetric: (metricName: string, options: cloudwatch.MetricOptions) => cloudwatch.Metric;
  /** Notified on ALARM and OK by every alarm; absent: the alarms only change state. */
  readonly alarmTopic?: sns.ITopic;
  /** Where the runbook lives; each description ends with the link to its alarm's section. */
  readonly runbookUrl: string;
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
  const [only] = spec.metrics;
  if (only === undefined) throw new Error(`alarm ${spec.kind} reads no metric`);
  if (spec.metrics.length > 1 && !spec.fillMissingWithZero) {
    // A sum has no value in a period that lacks one of its metrics: each must be filled.
    throw new Error(`alarm ${spec.kind} adds up metrics, so it must fill missing data with zero`);
  }
  if (!spec.fillMissingWithZero) return props.refresherMetric(only, options);
  const ids = spec.metrics.map((_, i) => `m${i}`);
  return new cloudwatch.MathExpression({
    expression: ids.map((id) => `FILL(${id}, 0)`).join(' + '),
    usingMetrics: Object.fromEntries(spec.metrics.map((m, i) => [ids[i]!, props.refresherMetric(m, options)])),
    period: options.period,
    label: `${spec.metrics.join(' + ')} ${spec.statistic}, 0 when missing`,
  });
}

/**
 * The provider's alarms, each notifying `alarmTopic` itself:
 * three alarms of one metric each (two added up for a provider that lives on its refresh token,
 * lib/private/alarm-specs.ts), and no composite, keep a provider's alarm bill at three alarm
 * metrics (docs/runbook.md "What pages" explains why these three page and nothing else does).
 * Without a topic they page nobody, which synth says on `scope` (a warning its owner may acknowledge).
 */
export function createProviderAlarms(scope: Construct, props: ProviderAlarmsProps): ProviderAlarms {
  const { settings, alarmNames } = props;
  const action = props.alarmTopic ? new cloudwatchActions.SnsAction(props.alarmTopic) : undefined;
  const alarms = Object.values(alarmSpecs(settings)).map((spec) => {
    const suffix = ALARM_SUFFIX[spec.kind];
    const alarm = new cloudwatch.Alarm(scope, `${suffix}Alarm`, {
      alarmName: alarmNames[spec.kind],
      alarmDescription: `token-refresher provider "${settings.id}": ${spec.meaning}. Runbook: ${runbookLink(props.runbookUrl, suffix, spec.runbookSection)}`,
      metric: metricFor(spec, props),
      threshold: spec.threshold,
      comparisonOperator: COMPARISON[spec.comparison],
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.datapointsToAlarm,
      treatMissingData: MISSING[spec.treatMissingData],
    });
    if (action) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
    return [spec.kind, alarm] as const;
  });
  if (!action) {
    Annotations.of(scope).addWarningV2(
      ALARMS_NOTIFY_NOBODY,
      `provider "${settings.id}": its ${alarms.length} paging alarms notify nobody: pass "alarmTopic" ` +
        `(an SNS topic your on-call tool or e-mail subscribes to), or acknowledge this warning on the refresher ` +
        `if you watch the alarms another way`,
    );
  }
  return Object.fromEntries(alarms) as Record<AlarmKind, cloudwatch.Alarm>;
}

/** `<runbook>#<anchor>`: the runbook's section for the alarm is headed by its suffix, unless the spec names another. */
export function runbookLink(runbookUrl: string, suffix: string, section?: string): string {
  return `${runbookUrl}#${section ?? suffix.toLowerCase()}`;
}
