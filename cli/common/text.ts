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
