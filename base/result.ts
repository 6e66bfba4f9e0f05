/**
 * Success or why not, in one shape everywhere: a function that can fail for a reason its caller
 * handles returns a Result instead of throwing, or of a union told apart by which keys it has.
 * This room imports nothing: every other room, the reader package included, may use it.
 */
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}
