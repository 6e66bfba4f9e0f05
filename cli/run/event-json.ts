import { formatTime } from '../common/format-duration.js';
import { oneLine } from '../common/text.js';
import type { LocalEvent } from '../../local/runner.js';

/**
 * Strings from elsewhere (the IdP's words in descriptions, log fields) as one printable line, JWTs
 * masked. The core has already removed every secret it saw (core/redactor.ts); this is the last line
 * of defence, as in `check` and `status`.
 */
function clean(value: unknown): unknown {
  if (typeof value === 'string') return oneLine(value);
  if (Array.isArray(value)) return value.map(clean);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clean(v)]));
  }
  return value;
}

/** `--json`: one object per event, for scripts. Times are ISO 8601 UTC; no token, no secret. */
export function eventJson(event: LocalEvent): object {
  const at = formatTime(event.at);
  switch (event.type) {
    case 'run': {
      const { report } = event;
      const { result } = report;
      return {
        event: 'run',
        at,
        provider: event.provider,
        outcome: result.outcome,
        ...(result.grant ? { grant: result.grant } : {}),
        expiresAt: result.expiresAt ?? null,
        secondsLeft: report.secondsRemaining,
        tokenFile: event.tokenFile,
        nextRunAt: event.nextRunAt === undefined ? null : formatTime(event.nextRunAt),
        guardEngaged: report.guardEngaged,
        configurationBlocked: report.configurationBlocked,
        credentialsRejected: report.credentialsRejected,
        waitingForCredentials: report.waitingForCredentials,
        tokenWrites: report.tokenWrites,
        attempts: report.attempts.map((a) => ({ grant: a.grant, latencyMs: a.latencyMs, outcome: a.outcome })),
        ...(result.error ? { error: clean(result.error) } : {}),
        ...(result.note ? { note: clean(result.note) } : {}),
      };
    }
    case 'crash':
      return { event: 'crash', at, provider: event.provider, error: oneLine(event.error) };
    case 'note':
      return {
        event: 'note',
        at,
        ...(event.provider ? { provider: event.provider } : {}),
        message: oneLine(event.message),
      };
    case 'log':
      return {
        event: 'log',
        at,
        provider: event.provider,
        level: event.level,
        message: oneLine(event.message),
        ...(event.extra ? { details: clean(event.extra) } : {}),
      };
  }
}
