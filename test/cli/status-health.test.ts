import 'aws-sdk-client-mock-vitest/extend';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { beforeEach, describe, expect, it } from 'vitest';
import { awsError, NOW_SECONDS, publishedToken, run, runCliForTest, stackWith, tableRows } from './helpers.js';
import { cfn, cw, metricsPerProvider, nagra, oneHealthyProvider, resetMocks, ssm } from './status-fixtures.js';

beforeEach(resetMocks);

/** nagra's published token, epoch seconds. */
function nagraToken(expiresAt: number, issuedAt: number) {
  ssm
    .on(GetParameterCommand, { Name: '/token-refresher/nagra/token' })
    .resolves({ Parameter: { Value: publishedToken('nagra', expiresAt, issuedAt) } });
}

function stateDenied() {
  ssm
    .on(GetParameterCommand, { Name: '/token-refresher/nagra/state' })
    .rejects(awsError('AccessDeniedException', 'not authorized to perform ssm:GetParameter'));
}

async function statusBoth() {
  const table = await runCliForTest(['status', '--wide']);
  const json = await runCliForTest(['status', '--json']);
  return { table, row: tableRows(table.stdout)[1], json: JSON.parse(json.stdout), jsonCode: json.code };
}

describe('status: a token with less than minValiditySeconds left is unhealthy', () => {
  it('exits 1 and says why when 45 s are left and consumers were promised 60 s', async () => {
    oneHealthyProvider();
    nagraToken(NOW_SECONDS + 45, NOW_SECONDS - 100);

    const { table, row, json, jsonCode } = await statusBoth();

    expect(row?.[2]).toBe('45s');
    expect(row?.[7]).toBe('token below minValidity');
    expect(json.providers[0]).toMatchObject({
      healthy: false,
      problems: ['token expires in 45 s, less than minValiditySeconds (60)'],
    });
    expect(json.healthy).toBe(false);
    expect([table.code, jsonCode]).toEqual([1, 1]);
  });

  it('stays healthy with exactly minValiditySeconds left', async () => {
    oneHealthyProvider();
    nagraToken(NOW_SECONDS + 60, NOW_SECONDS - 100);

    const { table, row } = await statusBoth();

    expect(row?.[7]).toBe('ok');
    expect(table.code).toBe(0);
  });
});

describe('status: the last run from the published token when the metrics lag', () => {
  it('shows a refresh newer than the last metric as "refreshed ... (store)", from issued_at', async () => {
    oneHealthyProvider();
    // A failed run 5 minutes ago; "refresh" then published a token 30 s ago, not yet in the metrics.
    metricsPerProvider({ nagra: run(5, 'FailedTransient') });
    nagraToken(NOW_SECONDS + 270, NOW_SECONDS - 30);

    const { table, row, json } = await statusBoth();

    expect(tableRows(table.stdout)[0]?.[3]).toBe('LAST RUN (metrics)');
    expect(row?.[3]).toBe('refreshed 30s ago (store)');
    expect(json.providers[0].lastOutcome).toEqual({
      outcome: 'refreshed',
      at: '2026-06-01T11:59:30Z',
      ageSeconds: 30,
      source: 'store',
    });
    expect(table.code).toBe(0);
  });

  it('keeps a failure the metrics show in the same minute the token was issued: they cannot be ordered', async () => {
    oneHealthyProvider();
    metricsPerProvider({ nagra: run(1, 'FailedCredentials') });
    nagraToken(NOW_SECONDS + 270, NOW_SECONDS - 30);

    const { row, json } = await statusBoth();

    expect(row?.[3]).toBe('failed:credentials 1m ago');
    expect(json.providers[0].lastOutcome).toMatchObject({ outcome: 'failed', source: 'metrics' });
  });

  it('counts a token issued inside the window as a run, when no metric has arrived yet', async () => {
    oneHealthyProvider();
    metricsPerProvider({});
    nagraToken(NOW_SECONDS + 180, NOW_SECONDS - 120);

    const { table, row } = await statusBoth();

    expect(row?.[3]).toBe('refreshed 2m ago (store)');
    expect(row?.[7]).toBe('ok');
    expect(table.code).toBe(0);
  });

  it('leaves unreadable metrics as "? (<error>)" rather than guessing from the store', async () => {
    oneHealthyProvider();
    cw.on(GetMetricDataCommand).rejects(awsError('AccessDeniedException', 'no cloudwatch:GetMetricData'));
    nagraToken(NOW_SECONDS + 270, NOW_SECONDS - 30);

    const { row } = await statusBoth();

    expect(row?.[3]).toBe('? (AccessDeniedException)');
  });
});

describe('status: guard and block from the metrics when the state may not be read', () => {
  it('asks CloudWatch for the ConfigurationBlocked gauge along with LockoutGuardEngaged', async () => {
    oneHealthyProvider();

    await runCliForTest(['status', '--wide']);

    const names = cw
      .commandCalls(GetMetricDataCommand)
      .flatMap((c) => c.args[0].input.MetricDataQueries ?? [])
      .map((q) => q.MetricStat?.Metric);
    expect(names).toContainEqual({
      Namespace: 'TokenRefresher',
      MetricName: 'ConfigurationBlocked',
      Dimensions: [{ Name: 'Provider', Value: 'nagra' }],
    });
    expect(names.map((m) => m?.MetricName)).toContain('LockoutGuardEngaged');
  });

  it('shows a block the metrics report, with what to do, in the table and in JSON', async () => {
    oneHealthyProvider();
    stateDenied();
    metricsPerProvider({ nagra: run(1, 'FailedConfiguration', 0, 1) });

    const { table, row, json } = await statusBoth();

    expect(row?.slice(4, 6)).toEqual(['- (per metrics)', 'blocked (per metrics)']);
    expect(table.stdout).toContain(
      '\nnagra: a configuration error blocks scheduled runs (per metrics). Fix the provider settings and ' +
        'redeploy, or run "token-refresher refresh nagra" once it is fixed upstream.\n',
    );
    expect(json.providers[0].blocked).toEqual({
      state: 'unreadable',
      error: 'AccessDeniedException',
      blockedPerMetrics: true,
    });
    expect(json.providers[0].guard).toEqual({
      state: 'unreadable',
      error: 'AccessDeniedException',
      engagedPerMetrics: false,
    });
  });

  it('says what to do about a guard the metrics report', async () => {
    oneHealthyProvider();
    stateDenied();
    metricsPerProvider({ nagra: run(1, 'FailedCredentials', 1) });

    const { table } = await statusBoth();

    expect(table.stdout).toContain(
      "\nnagra: lockout guard engaged (per metrics; the function's state is not readable). Put corrected " +
        'credentials into secret "token-refresher/nagra/credentials"; any new version lifts the guard.\n',
    );
  });

  it('reads no guard and no block from a last run that emitted neither: the gauges are sent only while they hold', async () => {
    oneHealthyProvider();
    stateDenied();
    metricsPerProvider({ nagra: run(1, 'Fresh') });

    const { row } = await statusBoth();

    expect(row?.slice(4, 6)).toEqual(['- (per metrics)', '- (per metrics)']);
  });
});

describe('status: what the stack manifest names', () => {
  const withNames = {
    ...nagra,
    scheduleName: 'token-refresher-nagra',
    deadLetterQueueName: 'token-refresher-nagra-dlq',
  };

  it('puts scheduleName and deadLetterQueueName into --json, and nothing new into the table', async () => {
    oneHealthyProvider();
    const plain = (await runCliForTest(['status', '--wide'])).stdout;
    cfn.on(DescribeStacksCommand).resolves(stackWith([withNames]));

    const { table, json } = await statusBoth();

    expect(table.stdout).toBe(plain);
    expect(json.providers[0]).toMatchObject({
      scheduleName: 'token-refresher-nagra',
      deadLetterQueueName: 'token-refresher-nagra-dlq',
    });
  });

  it('leaves them out of --json for a stack that does not name them', async () => {
    oneHealthyProvider();

    const { json } = await statusBoth();

    expect(json.providers[0]).not.toHaveProperty('scheduleName');
    expect(json.providers[0]).not.toHaveProperty('deadLetterQueueName');
  });

  it('reads a manifest that names fewer alarms, or others, than this version knows', async () => {
    oneHealthyProvider();
    const { refresherSilent: _new, ...olderAlarms } = nagra.alarms;
    cfn
      .on(DescribeStacksCommand)
      .resolves(stackWith([{ ...nagra, alarms: { ...olderAlarms, paging: 'token-refresher-nagra-Paging' } }]));

    const { table, json } = await statusBoth();

    expect(Object.keys(json.providers[0].alarms).sort()).toEqual(['credentialsRejected', 'tokenFreshness']);
    expect(json.providers[0].alarms.tokenFreshness).toEqual({
      name: 'token-refresher-nagra-TokenFreshness',
      state: 'OK',
    });
    expect(table.code).toBe(0);
  });

  it('counts a manifest without any alarm as unhealthy: nothing vouches for the provider', async () => {
    oneHealthyProvider();
    cfn.on(DescribeStacksCommand).resolves(stackWith([{ ...nagra, alarms: {} }]));

    const { table, row } = await statusBoth();

    expect(row?.slice(6)).toEqual(['? (not in manifest)', 'no paging alarm', 'TokenRefresher']);
    expect(table.code).toBe(1);
  });
});
