import { EXIT, type ExitCode } from '../exit-codes.js';
import { oneLine } from './text.js';
import { describeErrorName } from '../../contract/error-name.js';

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

/**
 * A failure the CLI explains in one line and ends with `exitCode` (missing stack, no region, ...).
 * `code` is the stable word scripts branch on under `--json`; `details` are further lines (a
 * providers file's problems, one each).
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly code: string = DEFAULT_CODE[exitCode],
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = 'CliError';
  }
}

const DEFAULT_CODE: Record<ExitCode, string> = { 0: 'ok', 1: 'failed', 2: 'usage', 3: 'aws' };

export function errorMessage(error: unknown): string {
  const message = (error as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : String(error);
}

/** The SDK could not work out a region (no --region, AWS_REGION or profile region). */
export function isMissingRegion(error: unknown): boolean {
  return /region is missing/i.test(errorMessage(error));
}

export const NO_REGION_MESSAGE =
  'no AWS region: pass --region or --profile, or set AWS_REGION, or set a region in your AWS profile (aws configure)';

/** What the CLI reports for a failure: one message, and under `--json` a code and facts for scripts. */
export interface Failure {
  readonly exitCode: ExitCode;
  readonly code: string;
  readonly message: string;
  /** Lines after the message: a pointer to `--help`, a file's problems. */
  readonly details: readonly string[];
  /** An AWS failure's service, operation, HTTP status and endpoint (cli/common/aws-failure.ts). */
  readonly aws?: Readonly<Record<string, string | number>>;
}

/** An error that knows how it is reported (cli/common/aws-failure.ts has the AWS one). */
export abstract class ReportedError extends Error {
  abstract failure(): Failure;
}

/** What `main` reports for anything thrown, and the exit code that goes with it. */
export function describeFailure(error: unknown): Failure {
  if (error instanceof UsageError) {
    const help = error.command ? `token-refresher ${error.command} --help` : 'token-refresher --help';
    return { exitCode: EXIT.usage, code: 'usage', message: error.message, details: [`Run "${help}" for usage.`] };
  }
  if (error instanceof CliError) {
    return { exitCode: error.exitCode, code: error.code, message: error.message, details: error.details };
  }
  if (error instanceof ReportedError) return error.failure();
  // A bug in the CLI: still one line, since a stack trace could carry values of the failed call.
  return {
    exitCode: EXIT.failed,
    code: 'unexpected',
    message: `unexpected ${describeErrorName(error)}: ${oneLine(errorMessage(error))}`,
    details: [],
  };
}

/** The text form: `error: <message>` and its detail lines, as the CLI has always printed them. */
export function failureText(failure: Failure): string {
  return `${[`error: ${failure.message}`, ...failure.details].join('\n')}\n`;
}

/** The `--json` form: one object on one line, so that a script can parse stderr as it is. */
export function failureJson(failure: Failure): string {
  const { code, message, details, exitCode, aws } = failure;
  return `${JSON.stringify({ error: { code, message, exitCode, ...(details.length > 0 ? { details } : {}), ...(aws ? { aws } : {}) } })}\n`;
}
