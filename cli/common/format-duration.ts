import prettyMilliseconds from 'pretty-ms';

/** Below a day the second unit is minutes or seconds, from a day on hours: smaller parts are noise. */
const PRECISION: readonly [number, number][] = [
  [86_400, 3_600],
  [3_600, 60],
];

/**
 * A duration as its two largest units (`4m 12s`, `2h 5m`, `3d 4h`, `45s`): precise enough to act
 * on, short enough for a table cell. A zero second unit is left out (`1h`, not `1h 0m`).
 */
export function formatDuration(seconds: number): string {
  let rest = Math.max(0, Math.round(seconds));
  if (rest === 0) return '0s';
  // pretty-ms counts non-zero units, so `3630` would read `1h 30s`: cut to the second unit first.
  const step = PRECISION.find(([largest]) => rest >= largest)?.[1];
  if (step !== undefined) rest -= rest % step;
  return prettyMilliseconds(rest * 1000, { unitCount: 2, secondsDecimalDigits: 0 });
}

/** `4m 12s` while a token lives, `expired 3m ago` after: `expiresAt` in epoch seconds. */
export function formatExpiresIn(expiresAt: number, nowMs: number): string {
  const remaining = expiresAt - Math.floor(nowMs / 1000);
  return remaining > 0 ? formatDuration(remaining) : `expired ${formatDuration(-remaining)} ago`;
}

/** `2m ago`; a time slightly in the future (clock skew) reads `just now`. */
export function formatAgo(atMs: number, nowMs: number): string {
  const seconds = Math.floor((nowMs - atMs) / 1000);
  return seconds <= 0 ? 'just now' : `${formatDuration(seconds)} ago`;
}

/** ISO 8601 in UTC to the second: `2025-06-01T12:00:00Z`. */
export function formatTime(atMs: number): string {
  return new Date(atMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
