import * as z from 'zod/mini';

/**
 * What the function returns for every run: a summary with no secret in it. The core builds it
 * (core/run/report.ts) and the operator CLI checks it before printing (cli/refresh/command.ts).
 */
export const refreshResultSchema = z.object({
  provider: z.string(),
  /** `pending`: the credentials secret never held a value and no token was ever published (docs/runbook.md). */
  outcome: z.enum(['fresh', 'refreshed', 'failed', 'pending']),
  grant: z.optional(z.enum(['refresh_token', 'password', 'client_credentials', 'jwt_bearer'])),
  expiresAt: z.optional(z.number()),
  error: z.optional(z.object({ kind: z.string(), code: z.string(), description: z.string() })),
  /** Something operators should know about a run that did not fail; a code of ours, never IdP prose. */
  note: z.optional(z.object({ code: z.string(), description: z.string() })),
});

/** As the CLI reads it: codes it does not know yet (from a newer function) are still shown. */
export type RefreshResultJson = z.infer<typeof refreshResultSchema>;

/** A code of ours and what it means; never IdP prose. */
export interface Note {
  readonly code: 'refresh_token_not_kept' | 'forced_run_limited' | 'waiting_for_credentials';
  readonly description: string;
}
