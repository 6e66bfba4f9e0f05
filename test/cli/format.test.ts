import { describe, expect, it } from 'vitest';
import { formatAgo, formatDuration, formatExpiresIn, formatTime } from '../../cli/common/format-duration.js';
import { renderDetails, renderTable } from '../../cli/common/table.js';
import { oneLine, wrap } from '../../cli/common/text.js';
import { NOW, NOW_SECONDS } from './helpers.js';

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [45, '45s'],
    [60, '1m'],
    [252, '4m 12s'],
    [3600, '1h'],
    [3720, '1h 2m'],
    [3630, '1h'],
    [86_400 + 3600, '1d 1h'],
    [14 * 86_400, '14d'],
    [-5, '0s'],
    [59.6, '1m'],
  ])('%s s is "%s"', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('expiry and age', () => {
  it('says how long a token lives, or how long ago it expired', () => {
    expect(formatExpiresIn(NOW_SECONDS + 252, NOW)).toBe('4m 12s');
    expect(formatExpiresIn(NOW_SECONDS - 180, NOW)).toBe('expired 3m ago');
    expect(formatExpiresIn(NOW_SECONDS, NOW)).toBe('expired 0s ago');
  });

  it('says how long ago something happened; a time ahead of the clock is "just now"', () => {
    expect(formatAgo(NOW - 120_000, NOW)).toBe('2m ago');
    expect(formatAgo(NOW + 5_000, NOW)).toBe('just now');
  });

  it('prints times in UTC to the second', () => {
    expect(formatTime(NOW + 123)).toBe('2026-06-01T12:00:00Z');
  });
});

describe('renderTable', () => {
  it('pads every column but the last, two spaces apart, with no trailing blanks', () => {
    expect(
      renderTable(
        ['A', 'LONGER', 'C'],
        [
          ['x', 'y', ''],
          ['wide', '', 'z'],
        ],
      ),
    ).toBe(['A     LONGER  C', 'x     y', 'wide          z', ''].join('\n'));
  });
});

describe('renderDetails', () => {
  it('aligns values and continues a multi-line value under the first line', () => {
    expect(
      renderDetails([
        ['a', '1'],
        ['longer', ['2', '3']],
      ]),
    ).toBe(['a       1', 'longer  2', '        3', ''].join('\n'));
  });
});

describe('oneLine', () => {
  it('flattens newlines and drops terminal control sequences from text that came from elsewhere', () => {
    expect(oneLine('line one\n  line two\x1b[2J\x07 end')).toBe('line one line two [2J end');
  });

  it('masks anything shaped like a JWT', () => {
    expect(oneLine('token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvcHMifQ.c2lnbmF0dXJl here')).toBe(
      'token [redacted-jwt] here',
    );
  });

  it('cuts very long text', () => {
    expect(oneLine('x'.repeat(1000))).toHaveLength(400);
  });
});

describe('wrap', () => {
  it('breaks at spaces within the width, continuing lines with the indent', () => {
    expect(wrap('aaa bbb ccc ddd', 8, '  ')).toEqual(['aaa bbb', '  ccc', '  ddd']);
  });

  it('cuts a word longer than a line, so that the width always holds', () => {
    const lines = wrap(`x ${'y'.repeat(25)} z`, 10, '  ');
    expect(lines).toEqual(['x', '  yyyyyyyy', '  yyyyyyyy', '  yyyyyyyy', '  y z']);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(10);
  });
});
