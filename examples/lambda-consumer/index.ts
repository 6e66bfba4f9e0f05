/**
 * The ExampleConsumer function: reads the provider's token the way every consumer should and
 * reports how long it has left. It calls nothing else and never returns or logs the token.
 */
import { sharedTokenReader } from '../../consumer/index.js';

export const handler = async (): Promise<{ provider: string; expiresInSeconds: number }> => {
  // The process-wide reader of $TOKEN_SOURCE (set by wireLambdaConsumer): one cache per execution
  // environment, reused by every invocation, re-read from the store only shortly before expiry.
  const token = await sharedTokenReader().getToken();
  return { provider: token.provider, expiresInSeconds: token.expires_at - Math.floor(Date.now() / 1000) };
};
