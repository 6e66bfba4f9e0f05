import { formatAgo, formatExpiresIn, formatTime } from '../common/format-duration.js';
import { blockedPerMetrics, guardLifted, guardPerMetrics, stateError } from './guard-view.js';
import type { LastRun } from './last-run.js';
import type { ProviderStatus, StatusReport } from './model.js';
import { renderTable } from '../common/table.js';
import { oneLine, wrap } from '../common/text.js';
import { pagingView } from './alarms.js';

/** The terminal width the default view is made for: every line fits it, whatever the values. */
export const STATUS_WIDTH = 100;

/**
 * The default view: cells of bounded width, so that with a 40-character provider id (the most an id
 * may have, contract/provider-settings.ts) every row fits STATUS_WIDTH; what does not fit goes into
 * the lines below the table, wrapped to that width.
 */
export const STATUS_COLUMNS = ['PROVIDER', 'STORE', 'EXPIRES IN', 'LAST RUN', 'HEALTH'] as const;

/**
 * `--wide`: every value in full, however wide. The header says where LAST RUN comes from, since
 * metrics lag; a cell from the store says "(store)".
 */
export const WIDE_COLUMNS = [
  'PROVIDER',
  'STORE',
  'EXPIRES IN',
  'LAST RUN (metrics)',
  'GUARD',
  'BLOCKED',
  'ALARM',
  'HEALTH',
  'STACK',
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

/** `expired` and `?`: how long ago, and why, are in the lines below (and in --wide). */
function compactExpiresCell(p: ProviderStatus, now: number): string {
  const { token } = p;
  if (token.state === 'published')
    return token.expiresAt * 1000 > now ? formatExpiresIn(token.expiresAt, now) : 'expired';
  return token.state === 'not-published' ? 'not published' : '?';
}

/** The outcome without the failure kind, which the lines below give. */
function compactLastRunCell(p: ProviderStatus, now: number): string {
  const last = p.lastRun;
  if (last.outcome === 'unreadable') return '?';
  if (last.outcome === 'unknown') return `no run in ${p.windowMinutes}m`;
  return `${last.outcome} ${formatAgo(last.at, now)}`;
}

function compactHealthCell(p: ProviderStatus): string {
  const n = p.problems.length;
  return n === 0 ? 'ok' : `${n} problem${n === 1 ? '' : 's'}`;
}

function outcomeName(last: LastRun): string {
  if (last.outcome === 'failed') return last.kind ? `failed:${last.kind}` : 'failed';
  if (last.outcome === 'pending') return 'waiting for credentials';
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

/** What to do next, for what a table cell can only hint at; each note starts a sentence. */
function notes(p: ProviderStatus): string[] {
  const { provider, credentialsSecret } = p.manifest;
  const { state } = p;
  const refreshHint = `run "token-refresher refresh ${provider}"`;
  const credentialsHint = `Put corrected credentials into secret "${credentialsSecret}"; any new version lifts the guard.`;
  const out: string[] = [];
  if (guardLifted(p)) {
    out.push(
      'the credentials secret changed after the lockout guard engaged; the next run that needs a ' +
        `login uses the new credentials (or ${refreshHint} now).`,
    );
  } else if (state.state === 'ok' && state.guard) {
    out.push(`lockout guard: ${oneLine(state.guard.description)}. ${credentialsHint}`);
  } else if (guardPerMetrics(p)) {
    out.push(`lockout guard engaged (per metrics; the function's state is not readable). ${credentialsHint}`);
  }
  if (p.lastRun.outcome === 'pending') {
    out.push(
      `Put the provider's credentials into secret "${credentialsSecret}" (its description names the JSON keys); ` +
        'the next run uses them.',
    );
  }
  const fix = `Fix the provider settings and redeploy, or ${refreshHint} once it is fixed upstream.`;
  if (state.state === 'ok' && state.blocked) {
    out.push(`configuration error: ${oneLine(state.blocked.description)}. ${fix}`);
  } else if (blockedPerMetrics(p)) {
    out.push(`a configuration error blocks scheduled runs (per metrics). ${fix}`);
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
    p.manifest.stackName,
  ]);
}

function compactRows(report: StatusReport): string[][] {
  return report.providers.map((p) => [
    p.manifest.provider,
    p.manifest.store === 'secretsmanager' ? 'SM' : 'PS',
    compactExpiresCell(p, report.now),
    compactLastRunCell(p, report.now),
    compactHealthCell(p),
  ]);
}

/**
 * Per provider that needs attention: its problems, the last run's failure and unreadable values in
 * one sentence, then what to do, each wrapped to STATUS_WIDTH.
 */
function detailLines(p: ProviderStatus, now: number): string[] {
  const facts = p.problems.map((problem) => problem.detail);
  const last = p.lastRun;
  if (last.outcome === 'failed') facts.push(`last run ${outcomeName(last)} ${formatAgo(last.at, now)}`);
  if (last.outcome === 'unreadable') facts.push(`last run unreadable (${last.error})`);
  const todo = notes(p);
  if (facts.length === 0 && todo.length === 0) return [];
  const head = `${p.manifest.provider}: ${facts.length > 0 ? facts.join('; ') : 'ok'}`;
  return [head, ...todo.map((note) => `  ${note}`)].flatMap((line) => {
    const indent = line.startsWith('  ') ? '  ' : '';
    return wrap(line.slice(indent.length), STATUS_WIDTH - indent.length, '  ').map((l) => `${indent}${l}`);
  });
}

export function renderStatus(report: StatusReport, options: { wide: boolean } = { wide: false }): string {
  if (options.wide) {
    const table = renderTable(WIDE_COLUMNS, statusRows(report));
    const extra = report.providers.flatMap((p) => notes(p).map((note) => `${p.manifest.provider}: ${note}`));
    return extra.length > 0 ? `${table}\n${extra.join('\n')}\n` : table;
  }
  const table = renderTable(STATUS_COLUMNS, compactRows(report));
  const extra = report.providers.flatMap((p) => detailLines(p, report.now));
  return extra.length > 0 ? `${table}\n${extra.join('\n')}\n` : table;
}
