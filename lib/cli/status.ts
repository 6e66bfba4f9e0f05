import { ALARM_KINDS, type AlarmKind } from '../../lib/schema/refresher-manifest';
import { type AlarmView, readAlarmStates } from './alarms';
import type { StackOptions } from './args';
import type { AwsClients } from './aws-clients';
import { EXIT, type ExitCode } from './exit-codes';
import { type Problem, problemsOf } from './health';
import type { CliIo } from './io';
import { outcomeWindowMinutes, type RecentRuns, readRecentRuns } from './last-outcome';
import { type LastRun, lastRun } from './last-run';
import { withProgress } from './spinner';
import { readStackManifests, type Refresher, type StackManifests } from './stack-manifest';
import { statusJson } from './status-json';
import { renderStatus } from './status-view';
import { readStateView, readTokenView, type StateView, type TokenView } from './stores';

export type { AlarmView } from './alarms';

export interface ProviderStatus {
  readonly manifest: Refresher;
  readonly token: TokenView;
  readonly state: StateView;
  readonly recent: RecentRuns;
  /** The newer of the metrics' last outcome and the published token's `issued_at`. */
  readonly lastRun: LastRun;
  /** How far back the metrics were read, in minutes. */
  readonly windowMinutes: number;
  /** Only the alarms the stack's manifest names: a stack deployed by an older version has fewer. */
  readonly alarms: Readonly<Partial<Record<AlarmKind, AlarmView>>>;
  /** Why the provider is not healthy; empty when it is. */
  readonly problems: readonly Problem[];
}

export interface StatusReport {
  readonly stack: StackManifests;
  /** Epoch ms the report was made at. */
  readonly now: number;
  readonly providers: readonly ProviderStatus[];
  readonly healthy: boolean;
}

/** Reads everything `status` shows; every per-provider read runs in parallel and may fail on its own. */
export async function collectStatus(stack: StackManifests, clients: AwsClients, nowMs: number): Promise<StatusReport> {
  const alarmNames = stack.refreshers.flatMap((r) => Object.values(r.alarms).filter((n) => n !== undefined));
  const [alarmStates, perProvider] = await Promise.all([
    readAlarmStates(clients.cloudWatch, alarmNames),
    Promise.all(
      stack.refreshers.map(async (manifest) => {
        const [token, state, recent] = await Promise.all([
          readTokenView(clients, manifest.tokenSource),
          // Optional: without ssm:GetParameter on it, the guard and block come from the metrics.
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
  const providers = perProvider.map((p): ProviderStatus => {
    const alarms = Object.fromEntries(
      ALARM_KINDS.flatMap((kind) => {
        const name = p.manifest.alarms[kind];
        return name === undefined ? [] : [[kind, alarmView(name)]];
      }),
    ) as Partial<Record<AlarmKind, AlarmView>>;
    const windowMinutes = outcomeWindowMinutes(p.manifest.checkIntervalMinutes);
    const last = lastRun(p.recent.last, p.token, nowMs - windowMinutes * 60_000);
    const problems = problemsOf({
      token: p.token,
      lastRun: last,
      paging: alarms.paging,
      minValiditySeconds: p.manifest.minValiditySeconds,
      windowMinutes,
      nowMs,
    });
    return { ...p, lastRun: last, windowMinutes, alarms, problems };
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
