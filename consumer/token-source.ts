import { type ParsedTokenSource, parseTokenSource as parse } from '../contract/token-source.js';
import { TokenSourceError } from './errors.js';

export type { ParsedTokenSource } from '../contract/token-source.js';

/**
 * Parses `secretsmanager:<secret ARN or name>`, `ssm:<parameter name or ARN>` or `file:<path>` (also
 * `file:///absolute/path`), as the construct's `tokenSource` gives it.
 * @throws TokenSourceError naming what is wrong, never echoing the string
 *
 * @example
 * parseTokenSource('ssm:/token-refresher/nagra/token'); // { kind: 'ssm', parameterName: '/token-refresher/nagra/token' }
 */
export function parseTokenSource(tokenSource: string): ParsedTokenSource {
  const parsed = parse(tokenSource);
  if (!parsed.ok) throw new TokenSourceError(parsed.error);
  return parsed.value;
}
