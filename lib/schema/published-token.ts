import * as z from 'zod/mini';

/**
 * What consumers read. `expires_at` and `issued_at` are epoch seconds computed from the time the token
 * request was sent plus `expires_in`; nothing else (no refresh token, no credentials) is ever published.
 */
export const publishedTokenSchema = z.strictObject({
  access_token: z.string().check(z.minLength(1)),
  token_type: z.literal('Bearer'),
  expires_at: z.number().check(z.int()),
  issued_at: z.number().check(z.int()),
  provider: z.string().check(z.minLength(1)),
  scope: z.optional(z.string()),
});

export type PublishedToken = z.infer<typeof publishedTokenSchema>;

/** Bytes the published JSON takes in a store. */
export function publishedTokenBytes(token: PublishedToken): number {
  return Buffer.byteLength(JSON.stringify(token), 'utf8');
}

/** Secrets Manager's limit on a secret value. */
export const SECRETS_MANAGER_MAX_BYTES = 65_536;
/** An advanced-tier SecureString holds 8 KB; Intelligent-Tiering moves a value over 4 KB there by itself. */
export const PARAMETER_STORE_MAX_BYTES = 8192;
