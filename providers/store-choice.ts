import { err, ok, type Result } from '../base/result.js';
import { SECRETS_MANAGER_MAX_WRITES_PER_DAY, type StoreKind } from '../contract/token-stores.js';
import { formatRate } from './schedule-plan.js';

/**
 * Which store a providers-file entry's token goes to: the one it asks for, or with `auto` the one its
 * planned writes a day fit (contract/token-stores.ts has Secrets Manager's quota).
 */
export const STORE_REQUESTS = ['auto', 'secretsmanager', 'parameterstore'] as const;
export type StoreRequest = (typeof STORE_REQUESTS)[number];

/** The store and why it was chosen; a request the store cannot serve is an error that says what is allowed. */
type StoreChoice = Result<{ readonly kind: StoreKind; readonly reason: string }, string>;

export function chooseStore(requested: StoreRequest, writesPerDay: number): StoreChoice {
  const rate = !Number.isFinite(writesPerDay)
    ? 'on every run'
    : writesPerDay <= 1
      ? 'at most once a day'
      : `about ${formatRate(writesPerDay)} times a day`;
  const fitsSecretsManager = writesPerDay < SECRETS_MANAGER_MAX_WRITES_PER_DAY;
  if (requested === 'parameterstore') return ok({ kind: 'parameterstore', reason: `requested (written ${rate})` });
  if (requested === 'secretsmanager') {
    if (fitsSecretsManager) return ok({ kind: 'secretsmanager', reason: `requested (written ${rate})` });
    return err(
      `"secretsmanager" would be written ${rate}, but Secrets Manager keeps every version younger than 24 h ` +
        `against a quota of 100 versions per secret and AWS asks for at most one PutSecretValue every 10 minutes, ` +
        `so writes would start failing within hours. Allowed: "auto" or "parameterstore" for this token, or ` +
        `"secretsmanager" with a longer-lived token (under ${SECRETS_MANAGER_MAX_WRITES_PER_DAY} writes a day)`,
    );
  }
  return fitsSecretsManager
    ? ok({ kind: 'secretsmanager', reason: `auto: written ${rate}, within Secrets Manager's version quota` })
    : ok({ kind: 'parameterstore', reason: `auto: written ${rate}, too often for Secrets Manager's version quota` });
}
