import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { sharedTokenReader } from './shared-reader';
import type { TokenReader } from './token-reader';

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
      (request.context as unknown as Record<string, unknown>)[contextKey] = await reader.getAccessToken();
    },
  };
}
