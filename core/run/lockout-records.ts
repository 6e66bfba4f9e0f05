import type { Failure } from '../../contract/failure.js';
import type { PrivateState } from '../../contract/private-state.js';
import type { ClassifiedFailure } from '../classify.js';
import type { GrantName } from '../ports.js';
import type { RunContext } from './context.js';

/**
 * Puts an attempt that sends credentials on record before it is sent (core/run/state-ledger.ts
 * `record`): the failure to report when the record could not be saved, and nothing is sent then.
 */
export async function recordAttempt(
  run: RunContext,
  record: Partial<PrivateState>,
  grant: GrantName,
): Promise<Failure | undefined> {
  const failed = await run.ledger.record(record);
  return failed && { ...failed, description: `${failed.description}; no ${grant} grant was sent` };
}

/**
 * Records what must outlive the run after a failed grant: a rejection of `credentialsVersion` is
 * the lockout guard, a configuration error blocks scheduled runs. The failure to report comes back.
 */
export function recordGrantFailure(
  run: RunContext,
  f: ClassifiedFailure,
  grant: GrantName,
  credentialsVersion: string | undefined,
): Failure {
  // A request that could not be signed reached no IdP: there is nothing to guard, and a key that is
  // unusable now (disabled, not allowed) is tried again on the next run, when it may be usable.
  if (f.notSent) return { kind: f.kind, code: f.code, description: f.description };
  const at = run.deps.clock.now();
  // The state keeps codes and our own words only: IdP prose may echo a secret in an encoding no
  // redactor knows, and the state outlives the run.
  const code = run.redactor.redact(f.code);
  const what = f.kind === 'credentials' ? 'rejected the credentials' : 'reported a configuration error';
  const record = { at, code, description: `the token endpoint ${what} on a ${grant} grant (${code})` };
  if (f.kind === 'credentials') {
    run.tally.credentialsRejected = true;
    if (credentialsVersion !== undefined) run.ledger.update({ guard: { ...record, credentialsVersion } });
  } else if (f.kind === 'configuration' && !run.route.failed) {
    // A discovered endpoint that is not there is read anew from the metadata (core/run/discovery-step.ts).
    run.ledger.update({ blocked: record });
  }
  return { kind: f.kind, code: f.code, description: f.description };
}
