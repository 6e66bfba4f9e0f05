/** How a failed run is classified (ARCHITECTURE section 5.4); each kind has its own metric and alarm. */
export const FAILURE_KINDS = ['transient', 'credentials', 'configuration', 'invalid-response', 'store'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

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
