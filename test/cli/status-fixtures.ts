/** The AWS doubles and stacks the `status` tests share: four providers, each with its own trouble. */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  type DescribeAlarmsCommandInput,
  GetMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import type { RefresherManifest } from '../../contract/refresher-manifest.js';
import {
  awsError,
  manifest,
  type MetricPoints,
  metricAnswer,
  NOW,
  NOW_SECONDS,
  privateState,
  publishedToken,
  run,
  runs,
  stackWith,
} from './helpers.js';

export const cfn = mockClient(CloudFormationClient);
export const cw = mockClient(CloudWatchClient);
export const sm = mockClient(SecretsManagerClient);
export const ssm = mockClient(SSMClient);

export const nagra = manifest('nagra');
export const clickview = manifest('clickview', { store: 'secretsmanager', checkIntervalMinutes: 60 });
export const mediahound = manifest('mediahound', { store: 'secretsmanager', checkIntervalMinutes: 60 });
export const movingimage = manifest('movingimage');
export const HOUR_AGO = NOW - 3_600_000;
/** Issued at 11:58:20 by the run whose metrics are in the 11:58 minute (`run(2, ...)`). */
export const NAGRA_TOKEN = publishedToken('nagra', NOW_SECONDS + 252, NOW_SECONDS - 100);

/** Alarm states by name; a name not listed does not exist. */
export function alarmStates(states: Record<string, string>) {
  cw.on(DescribeAlarmsCommand).callsFake((input: DescribeAlarmsCommandInput) => {
    const names = (input.AlarmNames ?? []).filter((n) => states[n] !== undefined);
    // Stacks of earlier versions paged through a composite of the others.
    const composite = (n: string) => n.endsWith('-Paging');
    return {
      MetricAlarms: names.filter((n) => !composite(n)).map((n) => ({ AlarmName: n, StateValue: states[n] })),
      CompositeAlarms: names.filter(composite).map((n) => ({ AlarmName: n, StateValue: states[n] })),
    };
  });
}

/** Every alarm of `m` in `state`, but the freshness alarm in `freshness`: every one of them pages. */
export function allAlarms(m: RefresherManifest, state: string, freshness = state): Record<string, string> {
  return Object.fromEntries(
    Object.entries(m.alarms).map(([kind, name]) => [name, kind === 'tokenFreshness' ? freshness : state]),
  );
}

export function metricsPerProvider(points: Record<string, MetricPoints>) {
  cw.on(GetMetricDataCommand).callsFake((input) => {
    const provider = input.MetricDataQueries?.[0]?.MetricStat?.Metric?.Dimensions?.[0]?.Value ?? '';
    return metricAnswer(input.MetricDataQueries, points[provider] ?? {});
  });
}

/** Four providers, one of each kind of trouble. */
export function fourProviders() {
  cfn.on(DescribeStacksCommand).resolves(stackWith([nagra, clickview, mediahound, movingimage]));
  ssm
    .on(GetParameterCommand, { Name: '/token-refresher/nagra/token' })
    .resolves({ Parameter: { Value: NAGRA_TOKEN } })
    .on(GetParameterCommand, { Name: '/token-refresher/nagra/state' })
    .resolves({ Parameter: { Value: privateState() } })
    .on(GetParameterCommand, { Name: '/token-refresher/clickview/state' })
    .resolves({
      Parameter: {
        Value: privateState({
          guard: {
            credentialsVersion: 'v-1',
            at: HOUR_AGO,
            code: 'invalid_client',
            description: 'client_credentials grant: HTTP 400, invalid_client',
          },
        }),
      },
    })
    .on(GetParameterCommand, { Name: '/token-refresher/mediahound/state' })
    .rejects(awsError('AccessDeniedException', 'not authorized to perform ssm:GetParameter'))
    .on(GetParameterCommand, { Name: '/token-refresher/movingimage/token' })
    .rejects(awsError('ParameterNotFound', 'parameter not found'))
    .on(GetParameterCommand, { Name: '/token-refresher/movingimage/state' })
    .resolves({
      Parameter: {
        Value: privateState({
          blocked: { at: HOUR_AGO, code: 'invalid_scope', description: 'password grant: HTTP 400, invalid_scope' },
        }),
      },
    });
  sm.on(GetSecretValueCommand, { SecretId: clickview.tokenSource.replace('secretsmanager:', '') })
    .resolves({ SecretString: publishedToken('clickview', NOW_SECONDS - 180) })
    .on(GetSecretValueCommand, { SecretId: mediahound.tokenSource.replace('secretsmanager:', '') })
    .rejects(awsError('AccessDeniedException', 'not authorized to perform secretsmanager:GetSecretValue'));
  metricsPerProvider({
    nagra: runs(run(3, 'Fresh'), run(2, 'Refreshed')),
    clickview: run(1, 'FailedCredentials', 1),
    movingimage: run(5, 'FailedConfiguration'),
  });
  alarmStates({
    ...allAlarms(nagra, 'OK'),
    ...allAlarms(clickview, 'ALARM'),
    ...allAlarms(mediahound, 'INSUFFICIENT_DATA'),
    ...allAlarms(movingimage, 'OK', 'ALARM'),
  });
}

/** Only nagra, healthy. */
export function oneHealthyProvider() {
  cfn.on(DescribeStacksCommand).resolves(stackWith([nagra]));
  ssm
    .on(GetParameterCommand, { Name: '/token-refresher/nagra/token' })
    .resolves({ Parameter: { Value: NAGRA_TOKEN } })
    .on(GetParameterCommand, { Name: '/token-refresher/nagra/state' })
    .resolves({ Parameter: { Value: privateState() } });
  metricsPerProvider({ nagra: run(2, 'Refreshed') });
  alarmStates(allAlarms(nagra, 'OK'));
}

/** Every mock back to answering nothing; call in `beforeEach`. */
export function resetMocks() {
  cfn.reset();
  cw.reset();
  sm.reset();
  ssm.reset();
}
