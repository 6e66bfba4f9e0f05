import { ALARM_KINDS } from '../../lib/schema/refresher-manifest';
import { formatAgo, formatExpiresIn, formatTime } from './format-duration';
import type { LastOutcome } from './last-outcome';
import type { ProviderStatus, StatusReport } from './status';
import type { Recorded } from './stores';
import { renderTable } from './table';
import { oneLine } from './text';

export const STATUS_COLUMNS = ['PROVIDER', 'STORE', 'EXPIRES IN', 'LAST OUTCOME', 'GUARD', 'BLOCKED', 'ALARM'] as const;

const unreadable = (error: string) => `? (${error})`;

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

function outcomeName(last: LastOutcome): string {
  if (last.outcome === 'failed') return last.kind ? `failed:${last.kind}` : 'failed';
  return last.outcome;
}

function lastOutcomeCell(last: LastOutcome, now: number): string {
  if (last.outcome === 'unreadable') return unreadable(last.error);
  if (last.outcome === 'unknown') return 'unknown';
  return `${outcomeName(last)} ${formatAgo(last.at, now)}`;
}

/**
 * The function keeps a guard record until a primary grant succeeds, but treats it as holding only
 * while the credentials secret still has the rejected version; its LockoutGuardEngaged metric says which.
 */
function guardLifted(p: ProviderStatus): boolean {
  return p.state.state === 'ok' && p.state.guard !== undefined && p.recent.guardEngaged === false;
}

function guardCell(p: ProviderStatus): string {
  const { state, recent } = p;
  if (state.state === 'ok') {
    if (!state.guard) return '-';
    if (guardLifted(p)) return `lifted: secret changed after ${oneLine(state.guard.code)}`;
    return `engaged since ${formatTime(state.guard.at)} (${oneLine(state.guard.code)})`;
  }
  if (state.state === 'none') return '-';
  // The function's state cannot be read; its last run's LockoutGuardEngaged metric still tells.
  if (recent.guardEngaged !== undefined) return recent.guardEngaged ? 'engaged (per metrics)' : '- (per metrics)';
  return unreadable(state.state === 'invalid' ? 'unreadable state' : state.error);
}

function blockedCell(p: ProviderStatus): string {
  const { state } = p;
  if (state.state === 'ok')
    return state.blocked ? `since ${formatTime(state.blocked.at)} (${state.blocked.code})` : '-';
  if (state.state === 'none') return '-';
  return unreadable(state.state === 'invalid' ? 'unreadable state' : state.error);
}

function alarmCell(p: ProviderStatus): string {
  const { paging } = p.alarms;
  return paging.state ?? unreadable(paging.error ?? 'unknown');
}

/** What to do next, for what a table cell can only hint at. */
function notes(p: ProviderStatus): string[] {
  const { provider, credentialsSecret } = p.manifest;
  const out: string[] = [];
  if (guardLifted(p)) {
    out.push(
      `${provider}: the credentials secret changed after the lockout guard engaged; the next run that needs a ` +
        `login uses the new credentials (or run "token-refresher refresh ${provider}" now).`,
    );
  } else if (p.state.state === 'ok' && p.state.guard) {
    out.push(
      `${provider}: lockout guard: ${oneLine(p.state.guard.description)}. Put corrected credentials into secret ` +
        `"${credentialsSecret}"; any new version lifts the guard.`,
    );
  }
  if (p.state.state === 'ok' && p.state.blocked) {
    out.push(
      `${provider}: configuration error: ${oneLine(p.state.blocked.description)}. Fix the provider settings and ` +
        `redeploy, or run "token-refresher refresh ${provider}" once it is fixed upstream.`,
    );
  }
  return out;
}

export function statusRows(report: StatusReport): string[][] {
  return report.providers.map((p) => [
    p.manifest.provider,
    p.manifest.store === 'secretsmanager' ? 'SM' : 'PS',
    expiresCell(p, report.now),
    lastOutcomeCell(p.recent.last, report.now),
    guardCell(p),
    blockedCell(p),
    alarmCell(p),
  ]);
}

export function renderStatus(report: StatusReport): string {
  const table = renderTable(STATUS_COLUMNS, statusRows(report));
  const extra = report.providers.flatMap(notes);
  return extra.length > 0 ? `${table}\n${extra.join('\n')}\n` : table;
}

const iso = (epochSeconds: number) => formatTime(epochSeconds * 1000);

function recordedJson(r: Recorded) {
  return { since: formatTime(r.at), code: r.code, description: oneLine(r.description) };
}

function stateError(p: ProviderStatus): string {
  return p.state.state === 'unreadable' ? p.state.error : 'unreadable state';
}

function guardJson(p: ProviderStatus) {
  const { state, recent } = p;
  if (state.state === 'ok' && state.guard) {
    return { state: guardLifted(p) ? 'lifted' : 'engaged', ...recordedJson(state.guard) };
  }
  if (state.state === 'ok' || state.state === 'none') return { state: 'clear' };
  return {
    state: 'unreadable',
    error: stateError(p),
    ...(recent.guardEngaged === undefined ? {} : { engagedPerMetrics: recent.guardEngaged }),
  };
}

function blockedJson(p: ProviderStatus) {
  const { state } = p;
  if (state.state === 'ok' && state.blocked) return { state: 'blocked', ...recordedJson(state.blocked) };
  if (state.state === 'ok' || state.state === 'none') return { state: 'clear' };
  return { state: 'unreadable', error: stateError(p) };
}

function providerJson(p: ProviderStatus, now: number) {
  const { manifest: m, token, recent } = p;
  const nowSeconds = Math.floor(now / 1000);
  const last = recent.last;
  return {
    provider: m.provider,
    preset: m.preset,
    store: m.store,
    tokenSource: m.tokenSource,
    functionName: m.functionName,
    credentialsSecret: m.credentialsSecret,
    checkIntervalMinutes: m.checkIntervalMinutes,
    minValiditySeconds: m.minValiditySeconds,
    healthy: p.problems.length === 0,
    problems: p.problems,
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
    lastOutcome:
      last.outcome === 'unknown' || last.outcome === 'unreadable'
        ? last
        : { ...last, at: formatTime(last.at), ageSeconds: Math.max(0, Math.floor((now - last.at) / 1000)) },
    guard: guardJson(p),
    blocked: blockedJson(p),
    alarms: Object.fromEntries(
      ALARM_KINDS.map((kind) => {
        const a = p.alarms[kind];
        return [kind, { name: a.name, state: a.state ?? null, ...(a.error ? { error: a.error } : {}) }];
      }),
    ),
  };
}

export function statusJson(report: StatusReport) {
  const { stack } = report;
  return {
    stack: stack.stackName,
    region: stack.region,
    stackStatus: stack.stackStatus,
    checkedAt: formatTime(report.now),
    healthy: report.healthy,
    problems: stack.problems,
    providers: report.providers.map((p) => providerJson(p, report.now)),
  };
}
