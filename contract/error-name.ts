/**
 * What the project's messages say about a thrown value: its name, never its message (SDK and
 * JSON.parse messages may quote input, which can be a secret). No dependency: every room uses it.
 */

/** The thrown value's `name` (AWS SDK: `ResourceNotFoundException`, `ParameterNotFound`, …), if it has one. */
export function errorNameOf(error: unknown): string | undefined {
  const name = (error as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' ? name : undefined;
}

/** For messages: the AWS error name, or the Node.js code (`EACCES`, `ECONNRESET`) of a plain `Error`. */
export function describeErrorName(error: unknown): string {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  const name = errorNameOf(error);
  if (typeof code === 'string' && (name === undefined || name === 'Error')) return code;
  return name ?? 'UnknownError';
}
