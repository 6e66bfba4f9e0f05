/**
 * Plain-text tables: columns padded with two spaces, no trailing blanks, no colours, so the output
 * reads the same in a terminal, a CI log and a `grep`.
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}

/** `label  value` lines with aligned values; a value of several lines continues under the first. */
export function renderDetails(pairs: readonly (readonly [string, string | readonly string[]])[]): string {
  const width = Math.max(...pairs.map(([label]) => label.length));
  const lines: string[] = [];
  for (const [label, value] of pairs) {
    const values = typeof value === 'string' ? [value] : value;
    values.forEach((text, i) => lines.push(`${(i === 0 ? label : '').padEnd(width)}  ${text}`.trimEnd()));
  }
  return `${lines.join('\n')}\n`;
}
