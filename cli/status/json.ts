import { ALARM_KINDS } from '../../contract/refresher-manifest.js';
import { formatTime } from '../common/format-duration.js';
import { blockedPerMetrics, guardLifted, guardPerMetrics, stateError } from './guard-view.js';
import type { LastRun } from './last-run.js';
import type { ProviderStatus, StatusReport } from './model.js';
import type { Recorded } from './stores.js';
import { oneLine } from '../common/text.js';

/** `status --json`: the same facts as the table, with every alarm and the full problem sentences. */

const iso = (epochSeconds: number) => formatTime(epochSeconds * 1000);

function recordedJson(r: Recorded) {
  return { since: formatTime(r.at), code: oneLine(r.code), description: oneLine(r.description) };
}

function guardJson(p: ProviderStatus) {
  const { state } = p;
  if (state.state === 'ok' && state.guard) {
    return { state: guardLifted(p) ? 'lifted' : 'engaged', ...recordedJson(state.guard) };
  }
  if (state.state === 'ok' || state.state === 'none') return { state: 'clear' };
  const metrics = guardPerMetrics(p);
  return {
    state: 'unreadable',
    error: stateError(p),
    ...(metrics === undefined ? {} : { engagedPerMetrics: metrics }),
  };
}

function blockedJson(p: ProviderStatus) {
  const { state } = p;
  if (state.state === 'ok' && state.blocked) return { state: 'blocked', ...recordedJson(state.blocked) };
  if (state.state === 'ok' || state.state === 'none') return { state: 'clear' };
  const metrics = blockedPerMetrics(p);
  return {
    state: 'unreadable',
    error: stateError(p),
    ...(metrics === undefined ? {} : { blockedPerMetrics: metrics }),
  };
}

function lastOutcomeJson(last: LastRun, windowMinutes: number, now: number) {
  if (last.outcome === 'unknown') return { ...last, windowMinutes };
  if (last.outcome === 'unreadable') return last;
  return { ...last, at: formatTime(last.at), ageSeconds: Math.max(0, Math.floor((now - last.at) / 1000)) };
}

function providerJson(p: ProviderStatus, now: number) {
  const { manifest: m, token } = p;
  const nowSeconds = Math.floor(now / 1000);
  return {
    provider: m.provider,
    stack: m.stackName,
    preset: m.preset,
    store: m.store,
    tokenSource: m.tokenSource,
    functionName: m.functionName,
    credentialsSecret: m.credentialsSecret,
    // Newer stacks name them, for the runbook's commands; older ones do not.
    ...(m.scheduleName === undefined ? {} : { scheduleName: m.scheduleName }),
    ...(m.deadLetterQueueName === undefined ? {} : { deadLetterQueueName: m.deadLetterQueueName }),
    checkIntervalMinutes: m.checkIntervalMinutes,
    minValiditySeconds: m.minValiditySeconds,
    healthy: p.problems.length === 0,
    problems: p.problems.map((problem) => problem.detail),
    token:
      token.state === 'published'
        ? {
            state: token.state,
            expiresAt: iso(token.expiresAt),
            expiresInSeconds: token.expiresAt - nowSeconds,
            issuedAt: iso(token.issuedAt),
            ...(token.scope === undefined ? {} : { scope: token.scope }),
          }
        : token,
    lastOutcome: lastOutcomeJson(p.lastRun, p.windowMinutes, now),
    guard: guardJson(p),
    blocked: blockedJson(p),
    alarms: Object.fromEntries(
      ALARM_KINDS.flatMap((kind) => {
        const a = p.alarms[kind];
        if (a === undefined) return [];
        return [[kind, { name: a.name, state: a.state ?? null, ...(a.error ? { error: a.error } : {}) }]];
      }),
    ),
  };
}

export function statusJson(report: StatusReport) {
  const { deployment } = report;
  return {
    ...(deployment.stage === undefined ? {} : { stage: deployment.stage }),
    ...(deployment.outputsFile === undefined ? {} : { outputsFile: deployment.outputsFile }),
    region: deployment.region,
    stacks: deployment.stacks,
    checkedAt: formatTime(report.now),
    healthy: report.healthy,
    problems: deployment.problems.map((p) => p.message),
    providers: report.providers.map((p) => providerJson(p, report.now)),
  };
}
