import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { beforeEach, describe, expect, it } from 'vitest';
import { STATUS_COLUMNS, STATUS_WIDTH } from '../../cli/status/table.js';
import {
  awsError,
  manifest,
  NOW,
  NOW_SECONDS,
  privateState,
  publishedToken,
  run,
  runCliForTest,
  stackWith,
  tableRows,
} from './helpers.js';
import {
  alarmStates,
  allAlarms,
  cfn,
  fourProviders,
  metricsPerProvider,
  resetMocks,
  sm,
  ssm,
} from './status-fixtures.js';

beforeEach(resetMocks);

/** The longest id a provider may have (contract/provider-settings.ts): 40 characters. */
const id = (letter: string) => `${letter}${'-x'.repeat(19)}${letter}`;
const LONG_CODE = 'urn:example:params:oauth:error:the_identity_provider_rejected_this_client_for_good';
const LONG_ERROR = 'SomeRemarkablyLongAwsServiceExceptionNameNobodyExpected';

/**
 * Every state at its widest at once: 40-character ids, a guard and a block with long codes and
 * descriptions, an unreadable token with a long error name, unreadable metrics, the oldest run a
 * 6-hour interval can show, a token that expired days ago, every problem at once.
 */
function worstCase() {
  const guarded = manifest(id('a'), { checkIntervalMinutes: 360 });
  const unreadable = manifest(id('b'), { store: 'secretsmanager' });
  const expired = manifest(id('c'), { checkIntervalMinutes: 360 });
  expect(guarded.provider).toHaveLength(40);
  cfn.on(DescribeStacksCommand).resolves(stackWith([guarded, unreadable, expired]));
  const recorded = (code: string) => ({
    at: NOW - 86_400_000,
    code,
    description: `${'a long account of it, '.repeat(12)}end`,
  });
  ssm
    .on(GetParameterCommand, { Name: `/token-refresher/${guarded.provider}/token` })
    .rejects(awsError('ParameterNotFound', 'none'))
    .on(GetParameterCommand, { Name: `/token-refresher/${guarded.provider}/state` })
    .resolves({
      Parameter: {
        Value: privateState({
          guard: { credentialsVersion: 'v-1', ...recorded(LONG_CODE) },
          blocked: recorded(LONG_CODE),
        }),
      },
    })
    .on(GetParameterCommand, { Name: `/token-refresher/${unreadable.provider}/state` })
    .rejects(awsError(LONG_ERROR, 'denied'))
    .on(GetParameterCommand, { Name: `/token-refresher/${expired.provider}/token` })
    .resolves({ Parameter: { Value: publishedToken(expired.provider, NOW_SECONDS - 13 * 86_400 - 82_800) } });
  sm.on(GetSecretValueCommand).rejects(awsError(LONG_ERROR, 'denied'));
  metricsPerProvider({
    // Renewals show only through a published token's issued_at: with none, the run reads as fresh.
    [guarded.provider]: run(1079, 'Refreshed', 1, 1),
    [unreadable.provider]: run(1, 'FailedInvalidResponse'),
    [expired.provider]: run(1079, 'FailedInvalidResponse'),
  });
  alarmStates({
    ...allAlarms(guarded, 'INSUFFICIENT_DATA'),
    ...allAlarms(expired, 'ALARM'),
  });
}

describe('status fits a 100-column terminal', () => {
  it('keeps every line of the default view within 100 columns in the worst case, and moves details below', async () => {
    worstCase();

    const { stdout } = await runCliForTest(['status']);

    for (const line of stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(STATUS_WIDTH);
    expect(tableRows(stdout)).toEqual([
      [...STATUS_COLUMNS],
      [id('a'), 'PS', 'not published', 'fresh 17h 59m ago', '2 problems'],
      [id('b'), 'SM', '?', 'failed 1m ago', '2 problems'],
      [id('c'), 'PS', 'expired', 'failed 17h 59m ago', '2 problems'],
    ]);
    const below = stdout.split('\n\n')[1]!;
    expect(below).toContain(`${id('a')}: no token published; paging alarm INSUFFICIENT_DATA`);
    expect(below).toContain(`${id('b')}: token unreadable\n  (${LONG_ERROR}); paging alarm unreadable`);
    expect(below).toContain('last run failed:invalid-response 1m ago');
    expect(below).toContain(
      '    "token-refresher/a-x-x-x-x-x-x-x-x-x-x-x-x-x-x-x-x-x-x-xa/credentials"; any new version',
    );
  });

  it('shows every value in full with --wide, however wide', async () => {
    worstCase();

    const { stdout } = await runCliForTest(['status', '--wide']);

    const rows = tableRows(stdout);
    expect(rows[1]).toContain(`engaged since 2026-05-31T12:00:00Z (${LONG_CODE})`);
    expect(rows[2]).toContain(`? (${LONG_ERROR})`);
    expect(rows[3]).toContain('expired 13d 23h ago');
    expect(Math.max(...stdout.split('\n').map((line) => line.length))).toBeGreaterThan(STATUS_WIDTH);
  });

  it('keeps the lines below the table to what needs attention', async () => {
    fourProviders();

    const { stdout } = await runCliForTest(['status']);

    expect(stdout.split('\n\n')[1]).toBe(
      [
        'clickview: token expired; paging alarm ALARM; last run failed:credentials 1m ago',
        '  lockout guard: client_credentials grant: HTTP 400, invalid_client. Put corrected credentials into',
        '    secret "token-refresher/clickview/credentials"; any new version lifts the guard.',
        'mediahound: token unreadable (AccessDeniedException); no run in the last 180 minutes: the schedule',
        '  or the function is not running; paging alarm INSUFFICIENT_DATA',
        'movingimage: no token published; paging alarm ALARM; last run failed:configuration 5m ago',
        '  configuration error: password grant: HTTP 400, invalid_scope. Fix the provider settings and',
        '    redeploy, or run "token-refresher refresh movingimage" once it is fixed upstream.',
        '',
      ].join('\n'),
    );
  });
});
