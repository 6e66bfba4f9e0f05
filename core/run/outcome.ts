import type { Failure } from '../../contract/failure.js';
import type { GrantName } from '../ports.js';
import type { GrantedToken } from '../token-response.js';
import type { Vetted } from './vet.js';

/** A token a grant step obtained and vetted: the story persists the state, then publishes it. */
export interface Granted {
  readonly grant: GrantName;
  /** The answer as granted (its refresh token goes to the state, never to the published token). */
  readonly token: GrantedToken;
  readonly vetted: Vetted;
}

/**
 * How the story ends without (another) renewal. `failed` reports the failure; with `save`, the
 * state is saved first, and a renewal an earlier step already published is reported instead.
 * `pending` is day one: the credentials secret never held a value.
 */
export type Stop =
  | { readonly end: 'failed'; readonly failure: Failure; readonly save: boolean }
  | { readonly end: 'pending'; readonly failure: Failure };

/** What the primary grant step hands back to the story: a token to publish, or the end. */
export type GrantOutcome =
  { readonly next: 'publish'; readonly granted: Granted } | { readonly next: 'stop'; readonly stop: Stop };

/**
 * What the refresh step hands back: also `primary` when there is no refresh chain, or it is dead or
 * about to be, and one primary grant follows (`why`, for the log, says which).
 */
export type StepOutcome =
  GrantOutcome | { readonly next: 'primary'; readonly why?: { readonly message: string; readonly extra: object } };

/** A failure that ends the run after saving what it learned. */
export const failAfterSaving = (failure: Failure): Stop => ({ end: 'failed', failure, save: true });

/** A step's outcome that ends the run after saving what it learned. */
export const stopAfterSaving = (failure: Failure): GrantOutcome => ({ next: 'stop', stop: failAfterSaving(failure) });
