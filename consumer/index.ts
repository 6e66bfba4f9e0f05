/**
 * Consumer library of token-refresher (package subpath `@token-refresher/reader`): reads the token a
 * refresher publishes, caches it until shortly before `expires_at`, and never hands out a stale one.
 * It imports no aws-cdk-lib, and each AWS SDK client only when a token source of its kind is read.
 */
export type { PublishedToken } from '../contract/published-token.js';
export { DEFAULT_SKEW_SECONDS, TOKEN_SOURCE_ENV } from './constants.js';
export {
  StaleTokenError,
  TOKEN_MALFORMED,
  TOKEN_NOT_FOUND,
  TOKEN_READ_FAILED,
  TOKEN_SOURCE_INVALID,
  TOKEN_STALE,
  TokenMalformedError,
  TokenNotFoundError,
  TokenReadError,
  TokenReaderError,
  type TokenReaderErrorCode,
  TokenSourceError,
} from './errors.js';
export { type AccessTokenContext, tokenMiddleware, type TokenMiddlewareOptions } from './middleware.js';
export { getAccessToken, sharedTokenReader } from './shared-reader.js';
export { TokenReader, type TokenReaderOptions } from './token-reader.js';
export { type ParsedTokenSource, parseTokenSource } from './token-source.js';
