import { formatAgo, formatExpiresIn, formatTime } from '../common/format-duration.js';
import { blockedPerMetrics, guardLifted, guardPerMetrics, stateError } from './guard-view.js';
import type { LastRun } from './last-run.js';
import type { ProviderStatus, StatusReport } from './model.js';
import { renderTable } from '../common/table.js';
import { oneLine } from '../common/text.js';
import { pagingView } from './alarms.js';

/** The header says where LAST RUN comes from, since metrics lag; a cell from the store says "(store)". */
export const STATUS_COLUMNS = [
  'PROVIDER',
  'STORE',
  'EXPIRES IN',
  'LAST RUN (metrics)',
  'GUARD',
  'BLOCKED',
  'ALARM',
  'HEALTH',
] as const;

const unreadable = (error: string) => `? (${error})`;
const perMetrics = (holds: boolean, what: string) => (holds ? `${what} (per metrics)` : '- (per metrics)');

function expiresCell(p: ProviderStatus, now: number): string {
  const { token } = p;
  switch (token.state) {
    case 'published':
      return formatExpiresIn(token.expiresAt, now);
    case 'not-published':
      return 'not published';
    case 'invalid':
      return unreadable('not a published token');
    case 'unreadable':
      return unreadable(token.error);
  }
}

function outcomeName(last: LastRun): string {
  if (last.outcome === 'failed') return last.kind ? `failed:${last.kind}` : 'failed';
  return last.outcome;
}

function lastRunCell(p: ProviderStatus, now: number): string {
  const last = p.lastRun;
  if (last.outcome === 'unreadable') return unreadable(last.error);
  if (last.outcome === 'unknown') return `no run in ${p.windowMinutes}m`;
  const cell = `${outcomeName(last)} ${formatAgo(last.at, now)}`;
  return last.source === 'store' ? `${cell} (store)` : cell;
}

function guardCell(p: ProviderStatus): string {
  const { state } = p;
  if (state.state === 'ok' && state.guard) {
    if (guardLifted(p)) return `lifted: secret changed after ${oneLine(state.guard.code)}`;
    return `engaged since ${formatTime(state.guard.at)} (${oneLine(state.guard.code)})`;
  }
  if (state.state === 'ok' || state.state === 'none') return '-';
  const metrics = guardPerMetrics(p);
  return metrics === undefined ? unreadable(stateError(p)) : perMetrics(metrics, 'engaged');
}

function blockedCell(p: ProviderStatus): string {
  const { state } = p;
  if (state.state === 'ok' && state.blocked) {
    return `since ${formatTime(state.blocked.at)} (${oneLine(state.blocked.code)})`;
  }
  if (state.state === 'ok' || state.state === 'none') return '-';
  const metrics = blockedPerMetrics(p);
  return metrics === undefined ? unreadable(stateError(p)) : perMetrics(metrics, 'blocked');
}

function alarmCell(p: ProviderStatus): string {
  const paging = pagingView(Object.values(p.alarms));
  if (paging === undefined) return unreadable('not in manifest');
  return paging.state ?? unreadable(paging.error ?? 'unknown');
}

function healthCell(p: ProviderStatus): string {
  return p.problems.length === 0 ? 'ok' : p.problems.map((problem) => problem.label).join(', ');
}

/** What to do next, for what a table cell can only hint at. */
function notes(p: ProviderStatus): string[] {
  const { provider, credentialsSecret } = p.manifest;
  const { state } = p;
  const refreshHint = `run "token-refresher refresh ${provider}"`;
  const credentialsHint = `Put corrected credentials into secret "${credentialsSecret}"; any new version lifts the guard.`;
  const out: string[] = [];
  if (guardLifted(p)) {
    out.push(
      `${provider}: the credentials secret changed after the lockout guard engaged; the next run that needs a ` +
        `login uses the new credentials (or ${refreshHint} now).`,
    );
  } else if (state.state === 'ok' && state.guard) {
    out.push(`${provider}: lockout guard: ${oneLine(state.guard.description)}. ${credentialsHint}`);
  } else if (guardPerMetrics(p)) {
    out.push(
      `${provider}: lockout guard engaged (per metrics; the function's state is not readable). ${credentialsHint}`,
    );
  }
  const fix = `Fix the provider settings and redeploy, or ${refreshHint} once it is fixed upstream.`;
  if (state.state === 'ok' && state.blocked) {
    out.push(`${provider}: configuration error: ${oneLine(state.blocked.description)}. ${fix}`);
  } else if (blockedPerMetrics(p)) {
    out.push(`${provider}: a configuration error blocks scheduled runs (per metrics). ${fix}`);
  }
  return out;
}

export function statusRows(report: StatusReport): string[][] {
  return report.providers.map((p) => [
    p.manifest.provider,
    p.manifest.store === 'secretsmanager' ? 'SM' : 'PS',
    expiresCell(p, report.now),
    lastRunCell(p, report.now),
    guardCell(p),
    blockedCell(p),
    alarmCell(p),
    healthCell(p),
  ]);
}

export function renderStatus(report: StatusReport): string {
  const table = renderTable(STATUS_COLUMNS, statusRows(report));
  const extra = report.providers.flatMap(notes);
  return extra.length > 0 ? `${table}\n${extra.join('\n')}\n` : table;
}
