import { EXIT, type ExitCode } from '../exit-codes.js';
import { oneLine } from './text.js';
import { describeErrorName, errorNameOf } from '../../contract/error-name.js';

/** How the CLI was called is wrong: exit 2, with a pointer to the command's `--help`. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose `--help` to point at; none for top-level mistakes. */
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure the CLI explains in one line and ends with `exitCode` (missing stack, no region, ...). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** An AWS API call that failed; `operation` is the API name operators look up in IAM and CloudTrail. */
export class AwsCallError extends Error {
  constructor(
    readonly operation: string,
    override readonly cause: unknown,
  ) {
    super(`${operation} failed: ${describeErrorName(cause)}`);
    this.name = 'AwsCallError';
  }
}

export function errorMessage(error: unknown): string {
  const message = (error as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : String(error);
}

/** Runs one AWS call so that its failure names the operation. */
export async function awsCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new AwsCallError(operation, error);
  }
}

/** The credential chain found nothing usable (no profile, expired SSO session, ...). */
function isMissingCredentials(error: unknown): boolean {
  return errorNameOf(error) === 'CredentialsProviderError';
}

/** The SDK could not work out a region (no --region, AWS_REGION or profile region). */
export function isMissingRegion(error: unknown): boolean {
  return /region is missing/i.test(errorMessage(error));
}

export const NO_REGION_MESSAGE =
  'no AWS region: pass --region, or set AWS_REGION, or set a region in your AWS profile (aws configure)';

/** One line for an AWS failure, without a stack trace: what the operator needs to act on it. */
export function describeAwsFailure(error: AwsCallError): string {
  const { operation, cause } = error;
  if (isMissingCredentials(cause)) {
    return `no usable AWS credentials (${oneLine(errorMessage(cause))}): run "aws configure" or "aws sso login", or set AWS_PROFILE`;
  }
  if (isMissingRegion(cause)) return NO_REGION_MESSAGE;
  return `${operation} failed: ${describeErrorName(cause)}: ${oneLine(errorMessage(cause))}`;
}

/** What `main` prints for anything thrown, and the exit code that goes with it. */
export function describeFailure(error: unknown): { lines: string[]; exitCode: ExitCode } {
  if (error instanceof UsageError) {
    const help = error.command ? `token-refresher ${error.command} --help` : 'token-refresher --help';
    return { lines: [`error: ${error.message}`, `Run "${help}" for usage.`], exitCode: EXIT.usage };
  }
  if (error instanceof CliError) return { lines: [`error: ${error.message}`], exitCode: error.exitCode };
  if (error instanceof AwsCallError) return { lines: [`error: ${describeAwsFailure(error)}`], exitCode: EXIT.aws };
  // A bug in the CLI: still one line, since a stack trace could carry values from the failed call.
  return {
    lines: [`error: unexpected ${describeErrorName(error)}: ${oneLine(errorMessage(error))}`],
    exitCode: EXIT.failed,
  };
}
