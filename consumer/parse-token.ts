import { checkPublishedToken, type PublishedToken } from '../contract/published-token.js';
import { TokenMalformedError } from './errors.js';

/**
 * Parses the stored text with the contract's own check, bounding `expires_at` by the reader's clock
 * (`nowMs`, epoch milliseconds). Errors name the source and the offending fields, never a value:
 * JSON.parse messages quote the input, so they are neither passed on nor kept.
 */
export function parsePublishedToken(tokenSource: string, text: string, nowMs: number): PublishedToken {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TokenMalformedError(tokenSource, 'the value is not JSON');
  }
  const checked = checkPublishedToken(json, Math.floor(nowMs / 1000));
  if (checked.ok) return checked.value;
  throw new TokenMalformedError(tokenSource, checked.error.join('; '));
}
