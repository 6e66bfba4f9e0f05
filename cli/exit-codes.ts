/**
 * The CLI's exit codes, documented in every `--help`. Scripts and monitors branch on them, so they
 * never change meaning: 1 is always "something is wrong with a provider", never "the CLI broke".
 */
export const EXIT = {
  /** Every provider healthy / the refresh or the check succeeded. */
  ok: 0,
  /** A provider is unhealthy, a refresh failed, or the token endpoint refused the check. */
  failed: 1,
  /** Bad arguments, unknown provider, bad providers file, missing credentials for `check`. */
  usage: 2,
  /** The stack cannot be read, or an AWS call failed. */
  aws: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
