import { ALARM_KINDS, type AlarmKind, type RefresherManifest } from '../../lib/schema/refresher-manifest';
import { readAlarmStates } from './alarms';
import type { StackOptions } from './args';
import type { AwsClients } from './aws-clients';
import { EXIT, type ExitCode } from './exit-codes';
import type { CliIo } from './io';
import { type RecentRuns, readRecentRuns } from './last-outcome';
import { withProgress } from './spinner';
import { readStackManifests, type StackManifests } from './stack-manifest';
import { renderStatus, statusJson } from './status-view';
import { readStateView, readTokenView, type StateView, type TokenView } from './stores';

export interface AlarmView {
  readonly name: string;
  /** `OK`, `ALARM` or `INSUFFICIENT_DATA`; undefined when it could not be read. */
  readonly state?: string;
  readonly error?: string;
}

export interface ProviderStatus {
  readonly manifest: RefresherManifest;
  readonly token: TokenView;
  readonly state: StateView;
  readonly recent: RecentRuns;
  readonly alarms: Readonly<Record<AlarmKind, AlarmView>>;
  /** Why the provider is not healthy; empty when it is. */
  readonly problems: readonly string[];
}

export interface StatusReport {
  readonly stack: StackManifests;
  /** Epoch ms the report was made at. */
  readonly now: number;
  readonly providers: readonly ProviderStatus[];
  readonly healthy: boolean;
}

/**
 * Healthy means consumers get a token and nobody is being paged: the paging alarm is OK and the
 * published token has not expired. A value that cannot be read cannot vouch for that.
 */
function problemsOf(token: TokenView, paging: AlarmView, nowMs: number): string[] {
  const problems: string[] = [];
  if (token.state === 'not-published') problems.push('no token published');
  else if (token.state === 'invalid') problems.push('the token store holds no published token');
  else if (token.state === 'unreadable') problems.push(`token unreadable (${token.error})`);
  else if (token.expiresAt <= Math.floor(nowMs / 1000)) problems.push('token expired');
  if (paging.state === undefined) problems.push(`paging alarm unreadable (${paging.error ?? 'unknown'})`);
  else if (paging.state !== 'OK') problems.push(`paging alarm ${paging.state}`);
  return problems;
}

/** Reads everything `status` shows; every per-provider read runs in parallel and may fail on its own. */
export async function collectStatus(stack: StackManifests, clients: AwsClients, nowMs: number): Promise<StatusReport> {
  const alarmNames = stack.refreshers.flatMap((r) => ALARM_KINDS.map((kind) => r.alarms[kind]));
  const [alarmStates, perProvider] = await Promise.all([
    readAlarmStates(clients.cloudWatch, alarmNames),
    Promise.all(
      stack.refreshers.map(async (manifest) => {
        const [token, state, recent] = await Promise.all([
          readTokenView(clients, manifest.tokenSource),
          readStateView(clients.ssm, manifest.stateParameter),
          readRecentRuns(clients.cloudWatch, manifest.provider, manifest.checkIntervalMinutes, nowMs),
        ]);
        return { manifest, token, state, recent };
      }),
    ),
  ]);
  const alarmView = (name: string): AlarmView => {
    if ('error' in alarmStates) return { name, error: alarmStates.error };
    const state = alarmStates.states.get(name);
    return state === undefined ? { name, error: 'not found' } : { name, state };
  };
  const providers = perProvider.map((p) => {
    const alarms = Object.fromEntries(ALARM_KINDS.map((kind) => [kind, alarmView(p.manifest.alarms[kind])])) as Record<
      AlarmKind,
      AlarmView
    >;
    return { ...p, alarms, problems: problemsOf(p.token, alarms.paging, nowMs) };
  });
  const healthy = stack.problems.length === 0 && providers.every((p) => p.problems.length === 0);
  return { stack, now: nowMs, providers, healthy };
}

export async function runStatus(options: StackOptions, io: CliIo, clients: AwsClients): Promise<ExitCode> {
  const report = await withProgress(io, `reading stack ${options.stack}`, options, async (progress) => {
    const stack = await readStackManifests(clients.cloudFormation, options.stack);
    progress.update(`reading ${stack.refreshers.length} provider(s) of ${options.stack}`);
    return collectStatus(stack, clients, io.now());
  });
  for (const problem of report.stack.problems) io.stderr(`warning: ${problem}\n`);
  io.stdout(options.json ? `${JSON.stringify(statusJson(report), null, 2)}\n` : renderStatus(report));
  return report.healthy ? EXIT.ok : EXIT.failed;
}
