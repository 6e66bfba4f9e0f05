import { TOKEN_SOURCE_ENV } from './constants.js';
import { TokenSourceError } from './errors.js';
import { TokenReader } from './token-reader.js';

/** One reader per token source for the whole process, so that every caller shares one cache. */
const sharedReaders = new Map<string, TokenReader>();

/**
 * The process-wide reader of `tokenSource` (default: the `TOKEN_SOURCE` environment variable, which
 * `wireLambdaConsumer` and `wireEcsContainer` set), created with the defaults on first use. Use it to
 * `invalidate()` after a 401 when you read with `getAccessToken()` or the middleware.
 *
 * @example
 * import { getAccessToken, sharedTokenReader } from '@token-refresher/reader';
 *
 * const accessToken = await getAccessToken();
 * const response = await fetch(url, { headers: { authorization: `Bearer ${accessToken}` } });
 * if (response.status === 401) sharedTokenReader().invalidate(accessToken);
 */
export function sharedTokenReader(tokenSource?: string): TokenReader {
  const source = tokenSource ?? process.env[TOKEN_SOURCE_ENV];
  if (source === undefined || source === '') {
    throw new TokenSourceError(
      `no tokenSource was given and the ${TOKEN_SOURCE_ENV} environment variable is not set: wire the consumer with wireLambdaConsumer or wireEcsContainer, or pass the token source`,
    );
  }
  let reader = sharedReaders.get(source);
  if (!reader) {
    reader = new TokenReader({ tokenSource: source });
    sharedReaders.set(source, reader);
  }
  return reader;
}

/**
 * Zero-config read: the access token of `tokenSource` (default: `$TOKEN_SOURCE`), cached in the
 * process until it has `skewSeconds` (60) left. For other options, create a `TokenReader`.
 *
 * @example
 * import { getAccessToken } from '@token-refresher/reader';
 *
 * // TOKEN_SOURCE is set by wireLambdaConsumer or wireEcsContainer, e.g. "ssm:/token-refresher/nagra/token".
 * const accessToken = await getAccessToken();
 */
export async function getAccessToken(tokenSource?: string): Promise<string> {
  return sharedTokenReader(tokenSource).getAccessToken();
}
