import { ALARM_KINDS, type AlarmKind } from '../../contract/refresher-manifest.js';
import { type AlarmView, pagingView, readAlarmStates } from './alarms.js';
import type { StatusOptions } from '../args.js';
import type { AwsClients } from '../common/aws-clients.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { problemsOf } from './health.js';
import type { CliIo } from '../common/io.js';
import { outcomeWindowMinutes, readRecentRuns } from './last-outcome.js';
import { lastRun } from './last-run.js';
import { withProgress } from '../common/spinner.js';
import { type Deployment, readDeployment, selectProviders } from '../common/deployment.js';
import { statusJson } from './json.js';
import { renderStatus } from './table.js';
import { readStateView, readTokenView } from './stores.js';
import type { ProviderStatus, StatusReport } from './model.js';

export type { AlarmView } from './alarms.js';
export type { ProviderStatus, StatusReport } from './model.js';

/** Reads everything `status` shows; every per-provider read runs in parallel and may fail on its own. */
export async function collectStatus(deployment: Deployment, clients: AwsClients, nowMs: number): Promise<StatusReport> {
  const alarmNames = deployment.refreshers.flatMap((r) => Object.values(r.alarms).filter((n) => n !== undefined));
  const [alarmStates, perProvider] = await Promise.all([
    readAlarmStates(clients.cloudWatch, alarmNames),
    Promise.all(
      deployment.refreshers.map(async (manifest) => {
        const [token, state, recent] = await Promise.all([
          readTokenView(clients, manifest.tokenSource),
          // Optional: without ssm:GetParameter on it, the guard and block come from the metrics.
          readStateView(clients.ssm, {
            state: manifest.stateParameter,
            ...(manifest.ledgerParameter === undefined ? {} : { ledger: manifest.ledgerParameter }),
          }),
          readRecentRuns(
            clients.cloudWatch,
            manifest.provider,
            manifest.checkIntervalMinutes,
            nowMs,
            manifest.metricsNamespace,
          ),
        ]);
        return { manifest, token, state, recent };
      }),
    ),
  ]);
  const alarmView = (name: string): AlarmView => {
    if (!alarmStates.ok) return { name, error: alarmStates.error };
    const state = alarmStates.value.get(name);
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
      paging: pagingView(Object.values(alarms)),
      minValiditySeconds: p.manifest.minValiditySeconds,
      windowMinutes,
      nowMs,
    });
    return { ...p, lastRun: last, windowMinutes, alarms, problems };
  });
  const healthy = deployment.problems.length === 0 && providers.every((p) => p.problems.length === 0);
  return { deployment, now: nowMs, providers, healthy };
}

export async function runStatus(options: StatusOptions, io: CliIo, clients: AwsClients): Promise<ExitCode> {
  const report = await withProgress(io, 'reading the stacks', options, async (progress) => {
    const all = await readDeployment(options.source, clients, io.cwd);
    const deployment = selectProviders(all, options.providers, 'status');
    progress.update(`reading ${deployment.refreshers.length} provider(s) of ${deployment.description}`);
    return collectStatus(deployment, clients, io.now());
  });
  // Under --json the problems are in the JSON, and stderr carries only errors, as JSON.
  if (!options.json) for (const problem of report.deployment.problems) io.stderr(`warning: ${problem.message}\n`);
  io.stdout(options.json ? `${JSON.stringify(statusJson(report), null, 2)}\n` : renderStatus(report, options));
  return report.healthy ? EXIT.ok : EXIT.failed;
}
