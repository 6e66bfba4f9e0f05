import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { freshnessThresholdSeconds } from '../../contract/alarm-specs.js';
import { FAILED_METRIC, GRANT_METRIC, METRIC } from '../../contract/metrics.js';
import type { ProviderSettings } from '../../contract/provider-settings.js';
import type { ProviderAlarms } from './provider-alarms.js';

export interface ProviderDashboardProps {
  readonly settings: ProviderSettings;
  readonly store: string;
  readonly metric: (metricName: string, options?: cloudwatch.MetricOptions) => cloudwatch.Metric;
  readonly alarms: ProviderAlarms;
}

/** One provider's rows on the stack dashboard: what is left of the token, what runs did, and alarms. */
export function providerDashboardRows(props: ProviderDashboardProps): cloudwatch.IWidget[][] {
  const { settings, metric, alarms } = props;
  const sum = (name: string, label: string) => metric(name, { statistic: 'Sum', label });
  return [
    [
      new cloudwatch.TextWidget({
        markdown: `### ${settings.id} (${settings.preset}): token in ${props.store}, checked every ${settings.checkIntervalMinutes} min`,
        width: 24,
        height: 1,
      }),
    ],
    [
      new cloudwatch.GraphWidget({
        title: `${settings.id}: seconds remaining`,
        left: [metric(METRIC.tokenSecondsRemaining, { statistic: 'Minimum', label: 'TokenSecondsRemaining (min)' })],
        leftAnnotations: [
          { value: settings.minValiditySeconds, label: 'minValidity', color: cloudwatch.Color.RED },
          { value: freshnessThresholdSeconds(settings), label: 'freshness alarm', color: cloudwatch.Color.ORANGE },
        ],
        leftYAxis: { min: 0, showUnits: false },
        width: 8,
        height: 6,
      }),
      new cloudwatch.GraphWidget({
        title: `${settings.id}: outcomes`,
        left: [
          sum(METRIC.fresh, 'fresh'),
          sum(METRIC.refreshed, 'refreshed'),
          ...Object.entries(FAILED_METRIC).map(([kind, name]) => sum(name, `failed: ${kind}`)),
        ],
        stacked: true,
        width: 6,
        height: 6,
      }),
      new cloudwatch.GraphWidget({
        title: `${settings.id}: grants used`,
        left: Object.entries(GRANT_METRIC).map(([grant, name]) => sum(name, grant)),
        stacked: true,
        width: 5,
        height: 6,
      }),
      new cloudwatch.GraphWidget({
        title: `${settings.id}: token request latency`,
        left: ['p50', 'p99', 'Maximum'].map((statistic) =>
          metric(METRIC.tokenRequestLatency, { statistic, label: statistic }),
        ),
        width: 5,
        height: 6,
      }),
    ],
    [
      new cloudwatch.AlarmStatusWidget({
        title: `${settings.id}: alarms`,
        alarms: Object.values(alarms),
        width: 24,
        height: 2,
      }),
    ],
  ];
}
