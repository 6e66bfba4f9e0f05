import 'aws-sdk-client-mock-vitest/extend';
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
import { beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../lib/cli/aws-clients';
import type { CliIo } from '../../lib/cli/io';
import { runCli } from '../../lib/cli/main';
import { STATUS_COLUMNS } from '../../lib/cli/status-view';
import type { RefresherManifest } from '../../lib/schema/refresher-manifest';
import {
  awsError,
  expectNoSecrets,
  manifest,
  type MetricPoints,
  metricAnswer,
  NOW,
  NOW_SECONDS,
  privateState,
  publishedToken,
  REGION,
  run,
  runCliForTest,
  runs,
  stackWith,
  tableRows,
} from './helpers';

const cfn = mockClient(CloudFormationClient);
const cw = mockClient(CloudWatchClient);
const sm = mockClient(SecretsManagerClient);
const ssm = mockClient(SSMClient);

const nagra = manifest('nagra');
const clickview = manifest('clickview', { store: 'secretsmanager', checkIntervalMinutes: 60 });
const mediahound = manifest('mediahound', { store: 'secretsmanager', checkIntervalMinutes: 60 });
const movingimage = manifest('movingimage');
const HOUR_AGO = NOW - 3_600_000;
const quietIo: CliIo = {
  stdout: () => undefined,
  stderr: () => undefined,
  stderrIsTTY: false,
  stdinIsTTY: false,
  env: {},
  now: () => NOW,
  prompt: () => Promise.reject(new Error('no prompt')),
  cwd: process.cwd(),
};

/** Alarm states by name; a name not listed does not exist. */
function alarmStates(states: Record<string, string>) {
  cw.on(DescribeAlarmsCommand).callsFake((input: DescribeAlarmsCommandInput) => {
    const names = (input.AlarmNames ?? []).filter((n) => states[n] !== undefined);
    // The paging alarm is a composite of the others.
    const composite = (n: string) => n.endsWith('-Paging');
    return {
      MetricAlarms: names.filter((n) => !composite(n)).map((n) => ({ AlarmName: n, StateValue: states[n] })),
      CompositeAlarms: names.filter(composite).map((n) => ({ AlarmName: n, StateValue: states[n] })),
    };
  });
}

function allAlarms(m: RefresherManifest, state: string, paging = state): Record<string, string> {
  return Object.fromEntries(Object.entries(m.alarms).map(([kind, name]) => [name, kind === 'paging' ? paging : state]));
}

function metricsPerProvider(points: Record<string, MetricPoints>) {
  cw.on(GetMetricDataCommand).callsFake((input) => {
    const provider = input.MetricDataQueries?.[0]?.MetricStat?.Metric?.Dimensions?.[0]?.Value ?? '';
    return metricAnswer(input.MetricDataQueries, points[provider] ?? {});
  });
}

/** Four providers, one of each kind of trouble. */
function fourProviders() {
  cfn.on(DescribeStacksCommand).resolves(stackWith([nagra, clickview, mediahound, movingimage]));
  ssm
    .on(GetParameterCommand, { Name: '/token-refresher/nagra/token' })
    .resolves({ Parameter: { Value: publishedToken('nagra', NOW_SECONDS + 252) } })
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
function oneHealthyProvider() {
  cfn.on(DescribeStacksCommand).resolves(stackWith([nagra]));
  ssm
    .on(GetParameterCommand, { Name: '/token-refresher/nagra/token' })
    .resolves({ Parameter: { Value: publishedToken('nagra', NOW_SECONDS + 252) } })
    .on(GetParameterCommand, { Name: '/token-refresher/nagra/state' })
    .resolves({ Parameter: { Value: privateState() } });
  metricsPerProvider({ nagra: run(2, 'Refreshed') });
  alarmStates(allAlarms(nagra, 'OK'));
}

beforeEach(() => {
  cfn.reset();
  cw.reset();
  sm.reset();
  ssm.reset();
});

describe('token-refresher status', () => {
  it('prints one row per provider with exactly these columns, and notes on what to do', async () => {
    fourProviders();

    const { code, stdout, stderr } = await runCliForTest(['status']);

    expect(STATUS_COLUMNS).toEqual(['PROVIDER', 'STORE', 'EXPIRES IN', 'LAST OUTCOME', 'GUARD', 'BLOCKED', 'ALARM']);
    expect(tableRows(stdout)).toEqual([
      [...STATUS_COLUMNS],
      [
        'clickview',
        'SM',
        'expired 3m ago',
        'failed:credentials 1m ago',
        'engaged since 2026-06-01T11:00:00Z (invalid_client)',
        '-',
        'ALARM',
      ],
      [
        'mediahound',
        'SM',
        '? (AccessDeniedException)',
        'unknown',
        '? (AccessDeniedException)',
        '? (AccessDeniedException)',
        'INSUFFICIENT_DATA',
      ],
      [
        'movingimage',
        'PS',
        'not published',
        'failed:configuration 5m ago',
        '-',
        'since 2026-06-01T11:00:00Z (invalid_scope)',
        'ALARM',
      ],
      ['nagra', 'PS', '4m 12s', 'refreshed 2m ago', '-', '-', 'OK'],
    ]);
    expect(stdout.split('\n\n')[1]).toBe(
      'clickview: lockout guard: client_credentials grant: HTTP 400, invalid_client. Put corrected credentials into ' +
        'secret "token-refresher/clickview/credentials"; any new version lifts the guard.\n' +
        'movingimage: configuration error: password grant: HTTP 400, invalid_scope. Fix the provider settings and ' +
        'redeploy, or run "token-refresher refresh movingimage" once it is fixed upstream.\n',
    );
    expect(stderr).toBe('');
    expect(code, 'some providers are unhealthy').toBe(1);
  });
});

describe('token-refresher status: health and exit codes', () => {
  it('exits 0 when every provider is healthy (paging alarm OK, token not expired)', async () => {
    oneHealthyProvider();

    const { code, stdout, stderr } = await runCliForTest(['status']);

    expect(tableRows(stdout)).toEqual([
      [...STATUS_COLUMNS],
      ['nagra', 'PS', '4m 12s', 'refreshed 2m ago', '-', '-', 'OK'],
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('exits 1 when the only trouble is a paging alarm not OK', async () => {
    oneHealthyProvider();
    alarmStates(allAlarms(nagra, 'OK', 'INSUFFICIENT_DATA'));

    expect((await runCliForTest(['status'])).code).toBe(1);
  });

  it('exits 1 when the only trouble is an expired token', async () => {
    oneHealthyProvider();
    ssm
      .on(GetParameterCommand, { Name: '/token-refresher/nagra/token' })
      .resolves({ Parameter: { Value: publishedToken('nagra', NOW_SECONDS) } });

    const { code, stdout } = await runCliForTest(['status']);

    expect(tableRows(stdout)[1]?.[2]).toBe('expired 0s ago');
    expect(code).toBe(1);
  });

  it('reads the token and the state decrypted, from the names in the manifest', async () => {
    oneHealthyProvider();

    await runCliForTest(['status']);

    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, {
      Name: '/token-refresher/nagra/token',
      WithDecryption: true,
    });
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, {
      Name: '/token-refresher/nagra/state',
      WithDecryption: true,
    });
    expect(cfn).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'TokenRefresher' });
  });

  it('asks for metric and composite alarms alike (the paging alarm may be a composite)', async () => {
    oneHealthyProvider();

    await runCliForTest(['status']);

    expect(cw).toHaveReceivedCommandWith(DescribeAlarmsCommand, {
      AlarmNames: Object.values(nagra.alarms),
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    });
  });

  it('shows an alarm the account does not have as "? (not found)" and counts it as unhealthy', async () => {
    oneHealthyProvider();
    alarmStates({});

    const { code, stdout } = await runCliForTest(['status']);

    expect(tableRows(stdout)[1]?.[6]).toBe('? (not found)');
    expect(code).toBe(1);
  });
});

describe('token-refresher status: last outcome from CloudWatch metrics', () => {
  it('looks back three check intervals, at least 15 minutes, per provider at 1-minute resolution', async () => {
    cfn.on(DescribeStacksCommand).resolves(stackWith([nagra, clickview]));
    metricsPerProvider({});
    alarmStates({});

    await runCliForTest(['status']);

    const calls = cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input);
    const window = (provider: string) => {
      const input = calls.find(
        (i) => i.MetricDataQueries?.[0]?.MetricStat?.Metric?.Dimensions?.[0]?.Value === provider,
      );
      return (NOW - input!.StartTime!.getTime()) / 60_000;
    };
    expect(window('nagra'), 'checkIntervalMinutes 1').toBe(15);
    expect(window('clickview'), 'checkIntervalMinutes 60').toBe(180);
    const query = calls[0]!.MetricDataQueries![0]!;
    expect(query.MetricStat).toMatchObject({
      Metric: { Namespace: 'TokenRefresher', Dimensions: [{ Name: 'Provider' }] },
      Period: 60,
    });
  });

  it('takes the newest minute with data, and shows a failure among two runs in that minute', async () => {
    oneHealthyProvider();
    metricsPerProvider({ nagra: runs(run(1, 'Refreshed'), run(1, 'FailedTransient'), run(9, 'Fresh')) });

    const { stdout } = await runCliForTest(['status']);

    expect(tableRows(stdout)[1]?.[3]).toBe('failed:transient 1m ago');
  });

  it('says "unknown" when no run left metrics in the window (the schedule is not running)', async () => {
    oneHealthyProvider();
    metricsPerProvider({});

    const { stdout, code } = await runCliForTest(['status']);

    expect(tableRows(stdout)[1]?.[3]).toBe('unknown');
    expect(code, 'health is the alarm and the token, not the metrics').toBe(0);
  });

  it('shows the guard from the LockoutGuardEngaged metric when the state cannot be read', async () => {
    oneHealthyProvider();
    ssm
      .on(GetParameterCommand, { Name: '/token-refresher/nagra/state' })
      .rejects(awsError('AccessDeniedException', 'denied'));
    metricsPerProvider({ nagra: run(1, 'FailedCredentials', 1) });

    const { stdout } = await runCliForTest(['status']);

    expect(tableRows(stdout)[1]?.slice(3, 6)).toEqual([
      'failed:credentials 1m ago',
      'engaged (per metrics)',
      '? (AccessDeniedException)',
    ]);
  });

  it('shows a recorded guard as lifted once the last run saw a new credentials version', async () => {
    oneHealthyProvider();
    ssm.on(GetParameterCommand, { Name: '/token-refresher/nagra/state' }).resolves({
      Parameter: {
        Value: privateState({
          guard: { credentialsVersion: 'v-1', at: NOW - 600_000, code: 'invalid_grant', description: 'rejected' },
        }),
      },
    });
    metricsPerProvider({ nagra: runs(run(10, 'FailedCredentials', 1), run(1, 'Fresh', 0)) });

    const table = await runCliForTest(['status']);
    const json = await runCliForTest(['status', '--json']);

    expect(tableRows(table.stdout)[1]?.[4]).toBe('lifted: secret changed after invalid_grant');
    expect(table.stdout).toContain(
      'nagra: the credentials secret changed after the lockout guard engaged; the next run that needs a login uses ' +
        'the new credentials (or run "token-refresher refresh nagra" now).\n',
    );
    expect(JSON.parse(json.stdout).providers[0].guard).toEqual({
      state: 'lifted',
      since: '2026-06-01T11:50:00Z',
      code: 'invalid_grant',
      description: 'rejected',
    });
  });

  it('shows "? (<error>)" when CloudWatch cannot be read, and still shows everything else', async () => {
    oneHealthyProvider();
    cw.on(GetMetricDataCommand).rejects(awsError('AccessDeniedException', 'no cloudwatch:GetMetricData'));
    cw.on(DescribeAlarmsCommand).rejects(awsError('AccessDeniedException', 'no cloudwatch:DescribeAlarms'));

    const { code, stdout, stderr } = await runCliForTest(['status']);

    expect(tableRows(stdout)[1]).toEqual([
      'nagra',
      'PS',
      '4m 12s',
      '? (AccessDeniedException)',
      '-',
      '-',
      '? (AccessDeniedException)',
    ]);
    expect(stderr).toBe('');
    expect(code, 'an unreadable paging alarm cannot vouch for the provider').toBe(1);
  });
});

describe('token-refresher status --json', () => {
  it('prints every provider with every alarm state, for scripts', async () => {
    fourProviders();

    const { code, stdout, stderr } = await runCliForTest(['status', '--json']);

    const json = JSON.parse(stdout);
    expect(json).toMatchObject({
      stack: 'TokenRefresher',
      region: 'eu-west-1',
      stackStatus: 'UPDATE_COMPLETE',
      checkedAt: '2026-06-01T12:00:00Z',
      healthy: false,
      problems: [],
    });
    expect(json.providers.map((p: { provider: string }) => p.provider)).toEqual([
      'clickview',
      'mediahound',
      'movingimage',
      'nagra',
    ]);
    const [clickviewJson, mediahoundJson, movingimageJson, nagraJson] = json.providers;
    expect(nagraJson).toEqual({
      provider: 'nagra',
      preset: 'nagra',
      store: 'parameterstore',
      tokenSource: 'ssm:/token-refresher/nagra/token',
      functionName: nagra.functionName,
      credentialsSecret: 'token-refresher/nagra/credentials',
      checkIntervalMinutes: 1,
      minValiditySeconds: 60,
      healthy: true,
      problems: [],
      token: {
        state: 'published',
        expiresAt: '2026-06-01T12:04:12Z',
        expiresInSeconds: 252,
        issuedAt: '2026-06-01T11:59:12Z',
        scope: 'openid',
      },
      lastOutcome: { outcome: 'refreshed', at: '2026-06-01T11:58:00Z', ageSeconds: 120 },
      guard: { state: 'clear' },
      blocked: { state: 'clear' },
      alarms: {
        tokenFreshness: { name: 'token-refresher-nagra-TokenFreshness', state: 'OK' },
        credentialsRejected: { name: 'token-refresher-nagra-CredentialsRejected', state: 'OK' },
        configurationError: { name: 'token-refresher-nagra-ConfigurationError', state: 'OK' },
        repeatedFailures: { name: 'token-refresher-nagra-RepeatedFailures', state: 'OK' },
        functionErrors: { name: 'token-refresher-nagra-FunctionErrors', state: 'OK' },
        deadLetters: { name: 'token-refresher-nagra-DeadLetters', state: 'OK' },
        paging: { name: 'token-refresher-nagra-Paging', state: 'OK' },
      },
    });
    expect(clickviewJson).toMatchObject({
      healthy: false,
      problems: ['token expired', 'paging alarm ALARM'],
      token: { state: 'published', expiresInSeconds: -180 },
      lastOutcome: { outcome: 'failed', kind: 'credentials', ageSeconds: 60 },
      guard: {
        state: 'engaged',
        since: '2026-06-01T11:00:00Z',
        code: 'invalid_client',
        description: 'client_credentials grant: HTTP 400, invalid_client',
      },
      alarms: { credentialsRejected: { state: 'ALARM' }, paging: { state: 'ALARM' } },
    });
    expect(mediahoundJson).toMatchObject({
      problems: ['token unreadable (AccessDeniedException)', 'paging alarm INSUFFICIENT_DATA'],
      token: { state: 'unreadable', error: 'AccessDeniedException' },
      lastOutcome: { outcome: 'unknown' },
      guard: { state: 'unreadable', error: 'AccessDeniedException' },
    });
    expect(movingimageJson).toMatchObject({
      problems: ['no token published', 'paging alarm ALARM'],
      token: { state: 'not-published' },
      blocked: { state: 'blocked', code: 'invalid_scope' },
      alarms: { tokenFreshness: { state: 'OK' }, paging: { state: 'ALARM' } },
    });
    expect(stderr, 'no progress line in --json mode').toBe('');
    expect(code).toBe(1);
  });

  it('exits 0 with "healthy": true when every provider is healthy', async () => {
    oneHealthyProvider();

    const { code, stdout } = await runCliForTest(['status', '--json']);

    expect(JSON.parse(stdout).healthy).toBe(true);
    expect(code).toBe(0);
  });
});

describe('token-refresher status: the stack', () => {
  it('reports a missing stack in one line with what to do, exit 3', async () => {
    cfn.on(DescribeStacksCommand).rejects(awsError('ValidationError', 'Stack with id TokenRefresher does not exist'));

    const { code, stdout, stderr } = await runCliForTest(['status']);

    expect(stderr).toBe(
      'error: stack "TokenRefresher" not found in eu-west-1: deploy it with npx cdk deploy, or pass --stack\n',
    );
    expect(stdout).toBe('');
    expect(code).toBe(3);
  });

  it('reads the stack and region given with --stack and --region', async () => {
    cfn.on(DescribeStacksCommand).rejects(awsError('ValidationError', 'Stack with id Staging does not exist'));

    const { code, stderr } = await runCliForTest(['status', '--stack', 'Staging', '--region', 'us-east-2']);

    expect(cfn).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'Staging' });
    expect(stderr).toBe(
      'error: stack "Staging" not found in us-east-2: deploy it with npx cdk deploy, or pass --stack\n',
    );
    expect(code).toBe(3);
  });

  it('says how to set a region when the SDK finds none, exit 3', async () => {
    const noRegion = () => Promise.reject(new Error('Region is missing'));
    const out: string[] = [];

    const code = await runCli(['status'], {
      io: { ...quietIo, stderr: (text) => void out.push(text) },
      awsClients: () => ({
        ...createAwsClients(REGION),
        cloudFormation: new CloudFormationClient({ region: noRegion }),
      }),
    });

    expect(out.join('')).toBe(
      'error: no AWS region: pass --region, or set AWS_REGION, or set a region in your AWS profile (aws configure)\n',
    );
    expect(code).toBe(3);
  });

  it('shows any other AWS error as one line naming the operation, exit 3', async () => {
    cfn
      .on(DescribeStacksCommand)
      .rejects(
        awsError(
          'AccessDenied',
          'User: arn:aws:iam::123456789012:user/ops is not authorized to perform: cloudformation:DescribeStacks\n  on resource TokenRefresher',
        ),
      );

    const { code, stderr } = await runCliForTest(['status']);

    expect(stderr).toBe(
      'error: DescribeStacks failed: AccessDenied: User: arn:aws:iam::123456789012:user/ops is not authorized to ' +
        'perform: cloudformation:DescribeStacks on resource TokenRefresher\n',
    );
    expect(code).toBe(3);
  });

  it('suggests aws configure or AWS_PROFILE when the credential chain finds nothing', async () => {
    cfn
      .on(DescribeStacksCommand)
      .rejects(awsError('CredentialsProviderError', 'Could not load credentials from any providers'));

    const { code, stderr } = await runCliForTest(['status']);

    expect(stderr).toBe(
      'error: no usable AWS credentials (Could not load credentials from any providers): run "aws configure" or ' +
        '"aws sso login", or set AWS_PROFILE\n',
    );
    expect(code).toBe(3);
  });

  it('says so when the stack has no refresher outputs (deployed by an older version), exit 3', async () => {
    cfn.on(DescribeStacksCommand).resolves(stackWith([], [{ OutputKey: 'NagraFunction', OutputValue: 'fn' }]));

    const { code, stderr } = await runCliForTest(['status']);

    expect(stderr).toBe(
      'error: stack "TokenRefresher" in eu-west-1 (UPDATE_COMPLETE) has no refresher outputs (<Provider>Refresher): ' +
        'deploy this version of token-refresher with npx cdk deploy, or pass --stack\n',
    );
    expect(code).toBe(3);
  });

  it('warns about a manifest that fails validation, shows the other providers, and exits 1', async () => {
    oneHealthyProvider();
    const { alarms: _dropped, ...withoutAlarms } = manifest('clickview');
    cfn.on(DescribeStacksCommand).resolves(
      stackWith(
        [nagra],
        [
          { OutputKey: 'ClickviewRefresher', OutputValue: JSON.stringify(withoutAlarms) },
          { OutputKey: 'BrokenRefresher', OutputValue: '{not json' },
        ],
      ),
    );

    const { code, stdout, stderr } = await runCliForTest(['status']);

    expect(tableRows(stdout).map((row) => row[0])).toEqual(['PROVIDER', 'nagra']);
    expect(stderr.split('\n')).toEqual([
      expect.stringMatching(/^warning: stack output "ClickviewRefresher" is not a refresher manifest \(alarms: .+\)$/),
      'warning: stack output "BrokenRefresher" is not JSON',
      '',
    ]);
    expect(code).toBe(1);

    const json = await runCliForTest(['status', '--json']);
    expect(JSON.parse(json.stdout).problems).toHaveLength(2);
    expect(json.code).toBe(1);
  });
});

describe('token-refresher status: secrets', () => {
  it('never prints the access token or the refresh token it reads, in a table or in JSON', async () => {
    fourProviders();

    const table = await runCliForTest(['status']);
    const json = await runCliForTest(['status', '--json']);

    expect(sm).toHaveReceivedCommand(GetSecretValueCommand);
    for (const output of [table.stdout, table.stderr, json.stdout, json.stderr]) expectNoSecrets(output);
    expect(json.stdout).not.toContain('refreshToken');
    expect(json.stdout).not.toContain('access_token');
  });

  it('masks anything shaped like a JWT in descriptions the function recorded', async () => {
    oneHealthyProvider();
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvcHMifQ.c2lnbmF0dXJlLXZhbHVl';
    ssm.on(GetParameterCommand, { Name: '/token-refresher/nagra/state' }).resolves({
      Parameter: {
        Value: privateState({
          guard: { credentialsVersion: 'v', at: NOW, code: 'invalid_grant', description: `echo ${jwt}` },
        }),
      },
    });

    metricsPerProvider({ nagra: run(1, 'FailedCredentials', 1) });

    const { stdout } = await runCliForTest(['status']);

    expect(stdout).toContain('lockout guard: echo [redacted-jwt]');
    expect(stdout).not.toContain(jwt);
  });
});

describe('token-refresher status: progress line', () => {
  it('draws a spinner on a terminal and erases it before the table', async () => {
    oneHealthyProvider();

    const { stdout, stderr } = await runCliForTest(['status'], { stderrIsTTY: true });

    expect(stderr.startsWith('\r⠋ reading stack TokenRefresher\x1b[K')).toBe(true);
    expect(stderr.endsWith('\r\x1b[K')).toBe(true);
    expect(stdout).not.toContain('\r');
  });

  it('draws nothing with --json, even on a terminal', async () => {
    oneHealthyProvider();

    const { stderr } = await runCliForTest(['status', '--json'], { stderrIsTTY: true });

    expect(stderr).toBe('');
  });
});
