/**
 * The two AWS stores a token is published to, and the write quota that the providers file's store
 * choice (providers/store-choice.ts) and the function's forced-run budget (core/forced-runs.ts) both
 * obey. No dependency: the consumer reader's types name a store kind.
 */

/** Where a token is published: a Secrets Manager secret or an SSM SecureString parameter. */
export type StoreKind = 'secretsmanager' | 'parameterstore';

/**
 * Secrets Manager keeps every version younger than 24 h against a quota of 100 versions per secret,
 * and AWS asks for at most one PutSecretValue every 10 minutes. Parameter Store keeps the 100 newest
 * versions and drops the oldest itself. Below this many planned writes a day Secrets Manager is safe.
 */
export const SECRETS_MANAGER_MAX_WRITES_PER_DAY = 96;

/**
 * Forced renewals of a token that is not due Secrets Manager takes in 24 h (core/forced-runs.ts):
 * what the version quota leaves above the planned writes, minus one for a retried write.
 */
export const SECRETS_MANAGER_FORCED_RENEWALS_PER_DAY = 100 - SECRETS_MANAGER_MAX_WRITES_PER_DAY - 1;
