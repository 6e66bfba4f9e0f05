import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DescribeStacksCommandOutput, Output, Stack, StackStatus } from '@aws-sdk/client-cloudformation';
import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { createAwsClients } from '../../cli/common/aws-clients.js';
import type { CliIo } from '../../cli/common/io.js';
import { runCli } from '../../cli/main.js';
import { DEFAULT_STAGE, STAGE_TAG } from '../../contract/naming.js';
import { ALARM_KINDS, ALARM_SUFFIX, type RefresherManifest } from '../../contract/refresher-manifest.js';

/** Every test runs at this instant: 2026-06-01T12:00:00Z. */
export const NOW = Date.parse('2026-06-01T12:00:00Z');
export const NOW_SECONDS = NOW / 1000;
export const REGION = 'eu-west-1';

/** Distinctive values that must never appear in anything the CLI prints. */
export const SECRETS = {
  accessToken: 'FAKE-ACCESS-TOKEN-8c1f0d2e-must-never-print',
  refreshToken: 'FAKE-REFRESH-TOKEN-5b7a9e31-must-never-print',
  password: 'FAKE-PASSWORD-d41d8cd9-must-never-print',
  clientSecret: 'FAKE-CLIENT-SECRET-e3b0c442-must-never-print',
} as const;

export function expectNoSecrets(text: string): void {
  for (const [name, value] of Object.entries(SECRETS)) {
    if (text.includes(value)) throw new Error(`the ${name} was printed:\n${text}`);
  }
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with a fake terminal; AWS clients are real classes whose `send` the tests mock. */
export async function runCliForTest(argv: string[], io: Partial<CliIo> = {}): Promise<RunResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    io: {
      stdout: (text) => void out.push(text),
      stderr: (text) => void err.push(text),
      stderrIsTTY: false,
      stdinIsTTY: false,
      env: {},
      now: () => NOW,
      prompt: () => Promise.reject(new Error('the test did not expect a prompt')),
      cwd: process.cwd(),
      ...io,
    },
    awsClients: ({ region, profile }) =>
      createAwsClients({ region: region ?? REGION, ...(profile ? { profile } : {}) }),
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const pascal = (id: string) =>
  id
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

/** A manifest as the stack publishes it (contract/refresher-manifest.ts). */
export function manifest(provider: string, overrides: Partial<RefresherManifest> = {}): RefresherManifest {
  const store = overrides.store ?? 'parameterstore';
  return {
    provider,
    preset: provider,
    store,
    tokenSource:
      store === 'parameterstore'
        ? `ssm:/token-refresher/${provider}/token`
        : `secretsmanager:arn:aws:secretsmanager:${REGION}:123456789012:secret:token-refresher/${provider}/token-AbCdEf`,
    functionName: `TokenRefresher-${pascal(provider)}Function-0123ABCD`,
    credentialsSecret: `token-refresher/${provider}/credentials`,
    stateParameter: `/token-refresher/${provider}/state`,
    minValiditySeconds: 60,
    checkIntervalMinutes: 1,
    alarms: Object.fromEntries(ALARM_KINDS.map((kind) => [kind, `token-refresher-${provider}-${ALARM_SUFFIX[kind]}`])),
    ...overrides,
  };
}

/** A stack of stage `stage` (the tag the app puts on every stack) with these refreshers and other outputs. */
export function stackOf(
  name: string,
  manifests: readonly RefresherManifest[],
  options: { stage?: string | null; status?: StackStatus; extraOutputs?: Output[] } = {},
): Stack {
  const outputs: Output[] = manifests.flatMap((m) => [
    { OutputKey: `${pascal(m.provider)}Refresher`, OutputValue: JSON.stringify(m) },
    { OutputKey: `${pascal(m.provider)}Function`, OutputValue: m.functionName },
  ]);
  const stage = options.stage === undefined ? DEFAULT_STAGE : options.stage;
  return {
    StackName: name,
    StackStatus: options.status ?? 'UPDATE_COMPLETE',
    CreationTime: new Date(NOW - 86_400_000),
    Outputs: [...outputs, ...(options.extraOutputs ?? [])],
    ...(stage === null ? {} : { Tags: [{ Key: STAGE_TAG, Value: stage }] }),
  };
}

/**
 * DescribeStacks' answer for the stack `TokenRefresher` of the default stage with these refreshers,
 * plus the outputs the stack has besides: the same answer with or without a StackName.
 */
export function stackWith(
  manifests: readonly RefresherManifest[],
  extraOutputs: Output[] = [],
): Partial<DescribeStacksCommandOutput> {
  return { Stacks: [stackOf('TokenRefresher', manifests, { extraOutputs })] };
}

/** A published token as the function writes it; epoch seconds. */
export function publishedToken(provider: string, expiresAt: number, issuedAt = expiresAt - 300): string {
  return JSON.stringify({
    access_token: SECRETS.accessToken,
    token_type: 'Bearer',
    expires_at: expiresAt,
    issued_at: issuedAt,
    provider,
    scope: 'openid',
  });
}

/** The function's private state, refresh token included. */
export function privateState(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ v: 1, fingerprint: '0123456789abcdef', refreshToken: SECRETS.refreshToken, ...extra });
}

/** Points per metric name, as [minutes before NOW, value]. */
export type MetricPoints = Record<string, [number, number][]>;

/** GetMetricData's answer to whatever the CLI asked, from points per metric name. */
export function metricAnswer(queries: MetricDataQuery[] | undefined, points: MetricPoints) {
  return {
    MetricDataResults: (queries ?? []).map((q) => {
      const series = points[q.MetricStat?.Metric?.MetricName ?? ''] ?? [];
      return {
        Id: q.Id,
        StatusCode: 'Complete' as const,
        Timestamps: series.map(([minutesAgo]) => new Date(NOW - minutesAgo * 60_000)),
        Values: series.map(([, value]) => value),
      };
    }),
  };
}

/**
 * One run's metrics `minutesAgo`, as the function emits them (contract/metrics.ts): the heartbeat
 * always, a failure's count and the gauges only when they hold. A renewal shows only through the
 * token's `issued_at`, so `Fresh` and `Refreshed` emit the same points.
 */
export function run(
  minutesAgo: number,
  outcome: 'Fresh' | 'Refreshed' | `Failed${string}`,
  guard = 0,
  blocked = 0,
): MetricPoints {
  const points: MetricPoints = { TokenSecondsRemaining: [[minutesAgo, 200]] };
  if (outcome.startsWith('Failed')) points[outcome] = [[minutesAgo, 1]];
  if (guard > 0) points.LockoutGuardEngaged = [[minutesAgo, guard]];
  if (blocked > 0) points.ConfigurationBlocked = [[minutesAgo, blocked]];
  return points;
}

/** Several runs' points, as CloudWatch's Maximum per minute reports them. */
export function runs(...all: MetricPoints[]): MetricPoints {
  const merged: Record<string, Map<number, number>> = {};
  for (const points of all) {
    for (const [name, series] of Object.entries(points)) {
      const byMinute = (merged[name] ??= new Map());
      for (const [minutesAgo, value] of series)
        byMinute.set(minutesAgo, Math.max(value, byMinute.get(minutesAgo) ?? 0));
    }
  }
  return Object.fromEntries(Object.entries(merged).map(([name, byMinute]) => [name, [...byMinute]]));
}

/** A providers file in a fresh temp directory; returns its path. */
export function writeProvidersFile(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'token-refresher-cli-'));
  const path = join(dir, 'providers.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

/** An SDK service error as the clients throw it (name, message, $fault). */
export function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

/**
 * A table's rows as cells (cells hold single spaces only, columns are two or more apart), after
 * checking that every cell starts exactly under its column's header.
 */
export function tableRows(text: string): string[][] {
  const lines = text.split('\n\n')[0]!.split('\n').filter(Boolean);
  const header = lines[0]!;
  const starts = [...header.matchAll(/(?:^|\s{2,})(\S)/g)].map((m) => m.index + m[0].length - 1);
  for (const line of lines) {
    const cells = [...line.matchAll(/(?:^|\s{2,})(\S)/g)].map((m) => m.index + m[0].length - 1);
    if (cells.join() !== starts.slice(0, cells.length).join()) throw new Error(`misaligned row:\n${header}\n${line}`);
  }
  return lines.map((line) => line.split(/\s{2,}/));
}
