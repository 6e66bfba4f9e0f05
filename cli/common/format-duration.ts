const UNITS: readonly [string, number][] = [
  ['d', 86_400],
  ['h', 3_600],
  ['m', 60],
  ['s', 1],
];

/**
 * A duration as its two largest units (`4m 12s`, `2h 5m`, `3d 4h`, `45s`): precise enough to act
 * on, short enough for a table cell. A zero second unit is left out (`1h`, not `1h 0m`).
 */
export function formatDuration(seconds: number): string {
  let rest = Math.max(0, Math.round(seconds));
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (parts.length > 0) {
      if (count > 0) parts.push(`${count}${unit}`);
      break;
    }
    if (count > 0) parts.push(`${count}${unit}`);
  }
  return parts.length > 0 ? parts.join(' ') : '0s';
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
