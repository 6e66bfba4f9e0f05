import type { FailureKind } from './metrics.js';

export { FAILURE_KINDS, type FailureKind } from './metrics.js';

/** A classified failure. `description` never holds a secret: it is redacted before it leaves the core. */
export interface Failure {
  readonly kind: FailureKind;
  /** The OAuth `error` when the server sent one, else a stable code of ours such as `timeout`. */
  readonly code: string;
  readonly description: string;
}

export function failure(kind: FailureKind, code: string, description: string): Failure {
  return { kind, code, description };
}
