import type { AlarmView } from './alarms.js';
import type { LastRun } from './last-run.js';
import type { TokenView } from './stores.js';

/** Why a provider is not healthy: a few words for the table, a sentence for `--json`. */
export interface Problem {
  readonly label: string;
  readonly detail: string;
}

export interface HealthInputs {
  readonly token: TokenView;
  readonly lastRun: LastRun;
  /** Undefined when the stack's manifest names no paging alarm (a stack deployed by an older version). */
  readonly paging: AlarmView | undefined;
  readonly minValiditySeconds: number;
  readonly windowMinutes: number;
  readonly nowMs: number;
}

function tokenProblem(token: TokenView, minValiditySeconds: number, nowMs: number): Problem | undefined {
  switch (token.state) {
    case 'not-published':
      return { label: 'no token', detail: 'no token published' };
    case 'invalid':
      return { label: 'token invalid', detail: 'the token store holds no published token' };
    case 'unreadable':
      return { label: 'token unreadable', detail: `token unreadable (${token.error})` };
    case 'published': {
      const left = token.expiresAt - Math.floor(nowMs / 1000);
      if (left <= 0) return { label: 'token expired', detail: 'token expired' };
      // Consumers are promised at least minValiditySeconds; the function renews well before that.
      if (left < minValiditySeconds) {
        return {
          label: 'token below minValidity',
          detail: `token expires in ${left} s, less than minValiditySeconds (${minValiditySeconds})`,
        };
      }
      return undefined;
    }
  }
}

function pagingProblem(paging: AlarmView | undefined): Problem | undefined {
  if (paging === undefined) return { label: 'no paging alarm', detail: 'the stack manifest names no paging alarm' };
  if (paging.state === undefined) {
    return { label: 'alarm unreadable', detail: `paging alarm unreadable (${paging.error ?? 'unknown'})` };
  }
  return paging.state === 'OK' ? undefined : { label: `alarm ${paging.state}`, detail: `paging alarm ${paging.state}` };
}

/**
 * Healthy means consumers get a token that lives long enough, the schedule runs, and nobody is being
 * paged. A value that cannot be read cannot vouch for that; an unreadable metric is not "no run".
 */
export function problemsOf(p: HealthInputs): Problem[] {
  const noRun: Problem | undefined =
    p.lastRun.outcome === 'unknown'
      ? {
          label: 'no runs',
          detail: `no run in the last ${p.windowMinutes} minutes: the schedule or the function is not running`,
        }
      : undefined;
  const pending: Problem | undefined =
    p.lastRun.outcome === 'pending'
      ? {
          label: 'waiting for credentials',
          detail:
            'waiting for credentials: the credentials secret has never held a value (nothing is paged until it does)',
        }
      : undefined;
  return [pending ?? tokenProblem(p.token, p.minValiditySeconds, p.nowMs), noRun, pagingProblem(p.paging)].filter(
    (problem): problem is Problem => problem !== undefined,
  );
}
