import 'aws-sdk-client-mock-vitest/extend';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../cli/common/aws-clients.js';
import type { CliIo } from '../../cli/common/io.js';
import { runCli } from '../../cli/main.js';
import { WIDE_COLUMNS } from '../../cli/status/table.js';
import { ALARM_KINDS, ALARM_SUFFIX } from '../../contract/refresher-manifest.js';
import {
  awsError,
  expectNoSecrets,
  manifest,
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
} from './helpers.js';
import {
  alarmStates,
  allAlarms,
  cfn,
  clickview,
  cw,
  fourProviders,
  metricsPerProvider,
  nagra,
  oneHealthyProvider,
  resetMocks,
  sm,
  ssm,
} from './status-fixtures.js';

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

beforeEach(resetMocks);

describe('token-refresher status', () => {
  it('--wide prints one row per provider with every value in full, and notes on what to do', async () => {
    fourProviders();

    const { code, stdout, stderr } = await runCliForTest(['status', '--wide']);

    expect(WIDE_COLUMNS).toEqual([
      'PROVIDER',
      'STORE',
      'EXPIRES IN',
      'LAST RUN (metrics)',
      'GUARD',
      'BLOCKED',
      'ALARM',
      'HEALTH',
      'STACK',
    ]);
    expect(tableRows(stdout)).toEqual([
      [...WIDE_COLUMNS],
      [
        'clickview',
        'SM',
        'expired 3m ago',
        'failed:credentials 1m ago',
        'engaged since 2026-06-01T11:00:00Z (invalid_client)',
        '-',
        'ALARM',
        'token expired, alarm ALARM',
        'TokenRefresher',
      ],
      [
        'mediahound',
        'SM',
        '? (AccessDeniedException)',
        'no run in 180m',
        '? (AccessDeniedException)',
        '? (AccessDeniedException)',
        'INSUFFICIENT_DATA',
        'token unreadable, no runs, alarm INSUFFICIENT_DATA',
        'TokenRefresher',
      ],
      [
        'movingimage',
        'PS',
        'not published',
        'failed:configuration 5m ago',
        '-',
        'since 2026-06-01T11:00:00Z (invalid_scope)',
        'ALARM',
        'no token, alarm ALARM',
        'TokenRefresher',
      ],
      ['nagra', 'PS', '4m 12s', 'refreshed 2m ago', '-', '-', 'OK', 'ok', 'TokenRefresher'],
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
  it('exits 0 when every provider is healthy (paging alarm OK, token valid, runs seen)', async () => {
    oneHealthyProvider();

    const { code, stdout, stderr } = await runCliForTest(['status', '--wide']);

    expect(tableRows(stdout)).toEqual([
      [...WIDE_COLUMNS],
      ['nagra', 'PS', '4m 12s', 'refreshed 2m ago', '-', '-', 'OK', 'ok', 'TokenRefresher'],
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('exits 1 when the only trouble is a paging alarm not OK', async () => {
    oneHealthyProvider();
    alarmStates(allAlarms(nagra, 'OK', 'INSUFFICIENT_DATA'));

    expect((await runCliForTest(['status', '--wide'])).code).toBe(1);
  });

  it('exits 1 when the only trouble is an expired token', async () => {
    oneHealthyProvider();
    ssm
      .on(GetParameterCommand, { Name: '/token-refresher/nagra/token' })
      .resolves({ Parameter: { Value: publishedToken('nagra', NOW_SECONDS) } });

    const { code, stdout } = await runCliForTest(['status', '--wide']);

    expect(tableRows(stdout)[1]?.[2]).toBe('expired 0s ago');
    expect(code).toBe(1);
  });

  it('reads the token and the state decrypted, from the names in the manifest', async () => {
    oneHealthyProvider();

    await runCliForTest(['status', '--wide']);

    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, {
      Name: '/token-refresher/nagra/token',
      WithDecryption: true,
    });
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, {
      Name: '/token-refresher/nagra/state',
      WithDecryption: true,
    });
    // Every stack of the default stage: DescribeStacks without a name.
    expect(cfn).toHaveReceivedCommandWith(DescribeStacksCommand, {});
  });

  it('asks for metric and composite alarms alike (the paging alarm may be a composite)', async () => {
    oneHealthyProvider();

    await runCliForTest(['status', '--wide']);

    expect(cw).toHaveReceivedCommandWith(DescribeAlarmsCommand, {
      AlarmNames: Object.values(nagra.alarms),
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    });
  });

  it('shows an alarm the account does not have as "? (not found)" and counts it as unhealthy', async () => {
    oneHealthyProvider();
    alarmStates({});

    const { code, stdout } = await runCliForTest(['status', '--wide']);

    expect(tableRows(stdout)[1]?.[6]).toBe('? (not found)');
    expect(code).toBe(1);
  });
});

describe('token-refresher status: last outcome from CloudWatch metrics', () => {
  it('looks back three check intervals, at least 15 minutes, per provider at 1-minute resolution', async () => {
    cfn.on(DescribeStacksCommand).resolves(stackWith([nagra, clickview]));
    metricsPerProvider({});
    alarmStates({});

    await runCliForTest(['status', '--wide']);

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

    const { stdout } = await runCliForTest(['status', '--wide']);

    expect(tableRows(stdout)[1]?.[3]).toBe('failed:transient 1m ago');
  });

  it('counts no run in the window as unhealthy: the schedule or the function is not running', async () => {
    oneHealthyProvider();
    // Issued before the 15-minute window: nothing shows a run inside it.
    ssm
      .on(GetParameterCommand, { Name: '/token-refresher/nagra/token' })
      .resolves({ Parameter: { Value: publishedToken('nagra', NOW_SECONDS + 252, NOW_SECONDS - 3600) } });
    metricsPerProvider({});

    const table = await runCliForTest(['status', '--wide']);
    const json = await runCliForTest(['status', '--json']);

    expect(tableRows(table.stdout)[1]).toEqual([
      'nagra',
      'PS',
      '4m 12s',
      'no run in 15m',
      '-',
      '-',
      'OK',
      'no runs',
      'TokenRefresher',
    ]);
    expect(table.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      healthy: false,
      providers: [
        {
          healthy: false,
          problems: ['no run in the last 15 minutes: the schedule or the function is not running'],
          lastOutcome: { outcome: 'unknown', source: 'metrics', windowMinutes: 15 },
        },
      ],
    });
    expect(json.code).toBe(1);
  });

  it('shows the guard from the LockoutGuardEngaged metric when the state cannot be read', async () => {
    oneHealthyProvider();
    ssm
      .on(GetParameterCommand, { Name: '/token-refresher/nagra/state' })
      .rejects(awsError('AccessDeniedException', 'denied'));
    metricsPerProvider({ nagra: run(1, 'FailedCredentials', 1) });

    const { stdout } = await runCliForTest(['status', '--wide']);

    expect(tableRows(stdout)[1]?.slice(3, 6)).toEqual([
      'failed:credentials 1m ago',
      'engaged (per metrics)',
      '- (per metrics)',
    ]);
  });

  it('reads the guard from the ledger the manifest names, never the SecureString with the refresh token', async () => {
    oneHealthyProvider();
    cfn.on(DescribeStacksCommand).resolves(stackWith([{ ...nagra, ledgerParameter: '/token-refresher/nagra/ledger' }]));
    const guard = { credentialsVersion: 'v-1', at: NOW - 600_000, code: 'invalid_grant', description: 'rejected' };
    ssm
      .on(GetParameterCommand, { Name: '/token-refresher/nagra/ledger' })
      .resolves({ Parameter: { Value: privateState({ guard }) } })
      .on(GetParameterCommand, { Name: '/token-refresher/nagra/state' })
      .rejects(awsError('AccessDeniedException', 'not authorized to perform kms:Decrypt'));
    metricsPerProvider({ nagra: run(1, 'FailedCredentials', 1) });

    const json = JSON.parse((await runCliForTest(['status', '--json'])).stdout);

    expect(json.providers[0].guard).toMatchObject({ state: 'engaged', code: 'invalid_grant' });
    expect(ssm).not.toHaveReceivedCommandWith(GetParameterCommand, { Name: '/token-refresher/nagra/state' });
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

    const table = await runCliForTest(['status', '--wide']);
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

    const { code, stdout, stderr } = await runCliForTest(['status', '--wide']);

    expect(tableRows(stdout)[1]).toEqual([
      'nagra',
      'PS',
      '4m 12s',
      '? (AccessDeniedException)',
      '-',
      '-',
      '? (AccessDeniedException)',
      'alarm unreadable',
      'TokenRefresher',
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
      stage: 'default',
      region: 'eu-west-1',
      stacks: [{ name: 'TokenRefresher', status: 'UPDATE_COMPLETE' }],
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
      stack: 'TokenRefresher',
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
        issuedAt: '2026-06-01T11:58:20Z',
        scope: 'openid',
      },
      lastOutcome: { outcome: 'refreshed', at: '2026-06-01T11:58:00Z', ageSeconds: 120, source: 'metrics' },
      guard: { state: 'clear' },
      blocked: { state: 'clear' },
      alarms: Object.fromEntries(
        ALARM_KINDS.map((kind) => [kind, { name: `token-refresher-nagra-${ALARM_SUFFIX[kind]}`, state: 'OK' }]),
      ),
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
      alarms: { credentialsRejected: { state: 'ALARM' }, tokenFreshness: { state: 'ALARM' } },
    });
    expect(mediahoundJson).toMatchObject({
      problems: [
        'token unreadable (AccessDeniedException)',
        'no run in the last 180 minutes: the schedule or the function is not running',
        'paging alarm INSUFFICIENT_DATA',
      ],
      token: { state: 'unreadable', error: 'AccessDeniedException' },
      lastOutcome: { outcome: 'unknown', source: 'metrics', windowMinutes: 180 },
      guard: { state: 'unreadable', error: 'AccessDeniedException' },
    });
    expect(movingimageJson).toMatchObject({
      problems: ['no token published', 'paging alarm ALARM'],
      token: { state: 'not-published' },
      blocked: { state: 'blocked', code: 'invalid_scope' },
      alarms: { tokenFreshness: { state: 'ALARM' }, credentialsRejected: { state: 'OK' } },
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
  it('reports a stack given with --stack that does not exist in one line with what to do, exit 3', async () => {
    cfn.on(DescribeStacksCommand).rejects(awsError('ValidationError', 'Stack with id TokenRefresher does not exist'));

    const { code, stdout, stderr } = await runCliForTest(['status', '--stack', 'TokenRefresher']);

    expect(stderr).toBe(
      'error: stack "TokenRefresher" not found in eu-west-1: deploy it with npx cdk deploy, or pass --stack or --stage\n',
    );
    expect(stdout).toBe('');
    expect(code).toBe(3);
  });

  it('reads the stack and region given with --stack and --region', async () => {
    cfn.on(DescribeStacksCommand).rejects(awsError('ValidationError', 'Stack with id Staging does not exist'));

    const { code, stderr } = await runCliForTest(['status', '--stack', 'Staging', '--region', 'us-east-2']);

    expect(cfn).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'Staging' });
    expect(stderr).toBe(
      'error: stack "Staging" not found in us-east-2: deploy it with npx cdk deploy, or pass --stack or --stage\n',
    );
    expect(code).toBe(3);
  });

  it('says how to set a region when the SDK finds none, exit 3', async () => {
    const noRegion = () => Promise.reject(new Error('Region is missing'));
    const out: string[] = [];

    const code = await runCli(['status'], {
      io: { ...quietIo, stderr: (text) => void out.push(text) },
      awsClients: () => ({
        ...createAwsClients({ region: REGION }),
        cloudFormation: new CloudFormationClient({ region: noRegion }),
      }),
    });

    expect(out.join('')).toBe(
      'error: no AWS region: pass --region or --profile, or set AWS_REGION, or set a region in your AWS profile ' +
        '(aws configure)\n',
    );
    expect(code).toBe(3);
  });

  it('shows any other AWS error as one line naming the service, operation, status and endpoint, exit 3', async () => {
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
      'error: CloudFormation DescribeStacks failed: HTTP 400 from https://cloudformation.eu-west-1.amazonaws.com: ' +
        'AccessDenied: User: arn:aws:iam::123456789012:user/ops is not authorized to ' +
        'perform: cloudformation:DescribeStacks on resource TokenRefresher\n',
    );
    expect(code).toBe(3);
  });

  it('suggests aws configure, --profile or AWS_PROFILE when the credential chain finds nothing', async () => {
    cfn
      .on(DescribeStacksCommand)
      .rejects(awsError('CredentialsProviderError', 'Could not load credentials from any providers'));

    const { code, stderr } = await runCliForTest(['status']);

    expect(stderr).toBe(
      'error: no usable AWS credentials (Could not load credentials from any providers): run "aws configure" or ' +
        '"aws sso login", or pass --profile or set AWS_PROFILE\n',
    );
    expect(code).toBe(3);
  });

  it('says the stack has no refresher, where it looked, and what to pass instead, exit 3', async () => {
    cfn.on(DescribeStacksCommand).resolves(stackWith([], [{ OutputKey: 'NagraFunction', OutputValue: 'fn' }]));

    const { code, stderr } = await runCliForTest(['status', '--stack', 'TokenRefresher']);

    expect(stderr).toBe(
      'error: no refresher in stack "TokenRefresher" in eu-west-1: no stack output <Provider>Refresher in ' +
        'TokenRefresher (UPDATE_COMPLETE), and no manifest parameter tagged token-refresher:stack=TokenRefresher. ' +
        'Is a ProviderTokenRefresher deployed in it (npx cdk deploy)? Or pass --stage <name>, or another --stack\n',
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
      expect.stringMatching(
        /^warning: stack "TokenRefresher", output "ClickviewRefresher" is not a refresher manifest \(alarms: .+\)$/,
      ),
      'warning: stack "TokenRefresher", output "BrokenRefresher" is not JSON',
      '',
    ]);
    expect(code).toBe(1);

    const json = await runCliForTest(['status', '--json']);
    expect(JSON.parse(json.stdout).problems).toHaveLength(2);
    expect(json.stderr, 'under --json the problems are in the JSON only').toBe('');
    expect(json.code).toBe(1);
  });
});

describe('token-refresher status: secrets', () => {
  it('never prints the access token or the refresh token it reads, in a table or in JSON', async () => {
    fourProviders();

    const table = await runCliForTest(['status', '--wide']);
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

    const { stdout } = await runCliForTest(['status', '--wide']);

    expect(stdout).toContain('lockout guard: echo [redacted-jwt]');
    expect(stdout).not.toContain(jwt);
  });
});

describe('token-refresher status: progress line', () => {
  it('draws a spinner on a terminal and erases it before the table', async () => {
    oneHealthyProvider();

    const { stdout, stderr } = await runCliForTest(['status'], { stderrIsTTY: true });

    expect(stderr.startsWith('\r⠋ reading the stacks\x1b[K')).toBe(true);
    expect(stderr.endsWith('\r\x1b[K')).toBe(true);
    expect(stdout).not.toContain('\r');
  });

  it('draws nothing with --json, even on a terminal', async () => {
    oneHealthyProvider();

    const { stderr } = await runCliForTest(['status', '--json'], { stderrIsTTY: true });

    expect(stderr).toBe('');
  });
});
