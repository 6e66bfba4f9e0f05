import { checkPublishedToken, type PublishedToken } from '../contract/published-token.js';
import { TokenMalformedError } from './errors.js';

/**
 * Parses the stored text with the contract's own check. Errors name the source and the offending
 * fields, never a value: JSON.parse messages quote the input, so they are neither passed on nor kept.
 */
export function parsePublishedToken(tokenSource: string, text: string): PublishedToken {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TokenMalformedError(tokenSource, 'the value is not JSON');
  }
  const checked = checkPublishedToken(json);
  if ('token' in checked) return checked.token;
  throw new TokenMalformedError(tokenSource, checked.problems.join('; '));
}
