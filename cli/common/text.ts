import { Redactor } from '../../core/redactor.js';

const MAX_LINE = 400;
/** C0 and C1 control characters: escape sequences start with them. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]+/g;

/**
 * Text that came from elsewhere (AWS error messages, function results, IdP descriptions) as one
 * printable line: control characters could move the cursor or rewrite the terminal, and anything
 * shaped like a JWT is a token whoever it belongs to, so it is masked here as a last line of defence.
 */
export function oneLine(text: string, redactor: Redactor = new Redactor()): string {
  const flat = redactor.redact(text).replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > MAX_LINE ? `${flat.slice(0, MAX_LINE - 3)}...` : flat;
}

/**
 * Breaks one line of text at spaces so that no line is longer than `width`; lines after the first
 * start with `indent`. A word longer than a line (an ARN, a long code) is cut, so the width holds.
 */
export function wrap(text: string, width: number, indent = '  '): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ').filter(Boolean)) {
    const start = lines.length === 0 && line === '' ? '' : indent;
    const candidate = line === '' ? `${start}${word}` : `${line} ${word}`;
    if (candidate.length <= width) {
      line = candidate;
      continue;
    }
    if (line !== '') lines.push(line);
    let rest = `${indent}${word}`;
    if (lines.length === 0) rest = word;
    while (rest.length > width) {
      lines.push(rest.slice(0, width));
      rest = `${indent}${rest.slice(width)}`;
    }
    line = rest;
  }
  if (line !== '') lines.push(line);
  return lines;
}
