// @middy/core has ES module types only; this lets the reader's CommonJS declarations (scripts/module-formats.ts) find them.
import type { MiddlewareObj } from '@middy/core' with { 'resolution-mode': 'import' };
import type { Context } from 'aws-lambda';
import { withDeadline } from '../base/deadline.js';
import { TOKEN_READ_FAILED, TokenReaderError } from './errors.js';
import { sharedTokenReader } from './shared-reader.js';
import type { TokenReader } from './token-reader.js';

/** What the middleware leaves of the invocation for the failure to be reported, when it stops waiting for a read. */
const REPORT_MARGIN_MS = 500;

/** The handler's context with the access token the middleware put there. */
export type AccessTokenContext<TKey extends string = 'accessToken'> = Context & { readonly [K in TKey]: string };

export interface TokenMiddlewareOptions<TKey extends string = 'accessToken'> {
  /** @default - the `TOKEN_SOURCE` environment variable */
  readonly tokenSource?: string;
  /** A reader with your own options (skew, clients). @default - the process-wide reader of `tokenSource` */
  readonly reader?: TokenReader;
  /** The context property that receives the access token. @default 'accessToken' */
  readonly contextKey?: TKey;
}

/**
 * middy middleware: before the handler runs, puts a fresh access token on `context[contextKey]`.
 * Reader errors (`StaleTokenError`, `TokenNotFoundError`, …) fail the invocation unchanged: a stale
 * token is never handed to the handler. The reader is resolved on the first invocation, so a missing
 * `TOKEN_SOURCE` fails invocations with a clear error instead of crashing the cold start.
 *
 * It waits for a store read at most until 500 ms before the invocation's own timeout, then fails it
 * with a `TOKEN_READ_FAILED` error that names the store, instead of Lambda's bare "Task timed out".
 *
 * @example
 * import middy from '@middy/core';
 * import { type AccessTokenContext, tokenMiddleware } from '@token-refresher/reader';
 *
 * export const handler = middy(async (_event: unknown, context: AccessTokenContext) => {
 *   const response = await fetch(url, { headers: { authorization: `Bearer ${context.accessToken}` } });
 *   return response.json();
 * }).use(tokenMiddleware());
 */
export function tokenMiddleware<TKey extends string = 'accessToken'>(
  options: TokenMiddlewareOptions<TKey> = {},
): MiddlewareObj<unknown, unknown, Error, Context> {
  const contextKey = options.contextKey ?? 'accessToken';
  let reader = options.reader;
  return {
    name: 'token-refresher',
    before: async (request) => {
      reader ??= sharedTokenReader(options.tokenSource);
      const accessToken = withinInvocation(reader, request.context);
      (request.context as unknown as Record<string, unknown>)[contextKey] = await accessToken;
    },
  };
}

function withinInvocation(reader: TokenReader, context: Context): Promise<string> {
  const read = reader.getAccessToken();
  // A plain object given as context in tests or other callers may lack the method.
  if (typeof context.getRemainingTimeInMillis !== 'function') return read;
  const waitMs = Math.max(0, context.getRemainingTimeInMillis() - REPORT_MARGIN_MS);
  // The read gets at least the 1 ms Node gives any timer: a token already cached is still handed out.
  return withDeadline(
    () => read,
    Math.max(1, waitMs),
    () =>
      new TokenReaderError(
        `token-refresher: no token from ${reader.tokenSource} within the ${waitMs} ms the invocation had left: the store is slow or unreachable`,
        { code: TOKEN_READ_FAILED, tokenSource: reader.tokenSource },
      ),
  );
}
