import { formatDuration } from '../common/format-duration.js';
import { oneLine } from '../common/text.js';
import { PENDING_TEXT } from '../../local/pending-record.js';
import type { LocalEvent } from '../../local/runner.js';

/** `12:00:05`, local mode's clock in UTC, like every time the CLI prints. */
export const clockTime = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/** What a run did, in a few words: `refreshed (refresh_token)`, `failed: credentials (lockout_guard)`. */
export function outcomeText(event: Extract<LocalEvent, { type: 'run' }>): string {
  const { result, guardEngaged } = event.report;
  if (result.outcome === 'pending') return PENDING_TEXT;
  if (result.outcome === 'failed' && result.error) {
    const guard = guardEngaged && result.error.kind !== 'credentials' ? ', guard holds' : '';
    return `failed: ${result.error.kind} (${oneLine(result.error.code)})${guard}`;
  }
  if (result.outcome === 'refreshed') return `refreshed (${result.grant ?? '?'})`;
  return guardEngaged ? 'fresh, guard holds' : 'fresh';
}

/** Seconds a token has left, or how long ago it expired. */
export function leftText(expiresAt: number | undefined, nowMs: number): string {
  if (expiresAt === undefined) return 'no token';
  const left = expiresAt - Math.floor(nowMs / 1000);
  return left > 0 ? `${left}s` : `expired ${formatDuration(-left)} ago`;
}

/** Ids line up in 12 columns; a longer one (ids go up to 40) still keeps a space before the outcome. */
const idColumn = (id: string) => (id.length < 12 ? id.padEnd(12) : `${id} `);

/** One line per event, for logs and pipes (and the live view's recent events). */
export function describeEvent(event: LocalEvent, nowMs: number): string {
  const head = `${clockTime(event.at)}  ${idColumn(event.provider ?? '')}`;
  const next = (at: number | undefined) => (at === undefined ? '' : `; next run ${clockTime(at)}`);
  switch (event.type) {
    case 'run': {
      const { result } = event.report;
      const left = leftText(result.expiresAt, nowMs);
      const shownLeft =
        result.expiresAt === undefined ? 'no token yet' : left.startsWith('expired') ? left : `${left} left`;
      // Pending: the note says which file entry or variable to add.
      const detail = result.error?.description ?? (result.outcome === 'pending' ? result.note?.description : undefined);
      const description = detail === undefined ? '' : `: ${oneLine(detail)}`;
      return `${head}${outcomeText(event)}; ${shownLeft}${next(event.nextRunAt)}${description}`;
    }
    case 'crash':
      return `${head}run crashed (${oneLine(event.error)}), a bug: please report it${next(event.nextRunAt)}`;
    case 'note':
      return `${head}${oneLine(event.message)}`;
    case 'log': {
      const extra = event.extra as { kind?: unknown; code?: unknown; description?: unknown } | undefined;
      const detail =
        typeof extra?.code === 'string' && typeof extra.description === 'string'
          ? ` (${String(extra.kind)} ${extra.code}: ${extra.description})`
          : '';
      return `${head}${event.level === 'warn' ? 'warning: ' : ''}${oneLine(event.message + detail)}`;
    }
  }
}
