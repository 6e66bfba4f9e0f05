import { parseCommand } from './args.js';
import { type AwsClientFactory, type AwsTarget, createAwsClients, destroyAwsClients } from './common/aws-clients.js';
import { runCheck } from './check/command.js';
import { type ConnectDeps, runConnect } from './connect/command.js';
import { runConnectLocal } from './connect/local.js';
import { runCleanup } from './cleanup/command.js';
import { describeFailure, failureJson, failureText } from './common/errors.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import type { CliIo } from './common/io.js';
import { PromptCancelled } from './common/prompt.js';
import { runPlan } from './plan/command.js';
import { runPublicKey } from './public-key/command.js';
import { runRefresh } from './refresh/command.js';
import { runStatus } from './status/command.js';
import { runLocalStatus } from './status/local.js';
import type { RunHost } from './run/host.js';
import { runLocal } from './run/command.js';
import { packageVersion } from './version.js';

export interface CliDeps {
  readonly io: CliIo;
  /** AWS clients for a region; tests keep the default and mock the SDK with aws-sdk-client-mock. */
  readonly awsClients?: AwsClientFactory;
  /** The token endpoint's fetch, for `check`. */
  readonly fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /** Signals, terminal and time for `run`; bin/cli.ts passes the process's (cli/run/host.ts). */
  readonly host?: RunHost;
  /** The browser, standard input and the clock for `connect`; its HTTP goes through `fetch`. */
  readonly connect?: Omit<ConnectDeps, 'fetch'>;
}

/** Exit code of a shell when Ctrl-C ended the program (128 + SIGINT). */
const CANCELLED = 130;

/**
 * Runs one CLI invocation and returns its exit code. Never throws: every failure becomes one
 * readable line on stderr (one JSON object under `--json`) and its documented exit code, never a
 * stack trace (which could carry values of the failed call).
 */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  const { io } = deps;
  try {
    const command = parseCommand(argv);
    switch (command.name) {
      case 'help':
        io.stdout(command.text);
        return EXIT.ok;
      case 'version':
        io.stdout(`${packageVersion()}\n`);
        return EXIT.ok;
      case 'check': {
        const { deployment } = command;
        if (deployment === undefined) return await runCheck(command, io, deps.fetch);
        return await withAws(deps, deployment, (clients) => runCheck(command, io, deps.fetch, clients));
      }
      case 'run':
        if (!deps.host) throw new Error('run needs a RunHost');
        return await runLocal(command, io, deps.host);
      case 'plan':
        return runPlan(command, io);
      case 'status-local':
        return await runLocalStatus(command, io);
      case 'status':
      case 'refresh':
        return await withAws(deps, command, (clients) =>
          command.name === 'status' ? runStatus(command, io, clients) : runRefresh(command, io, clients),
        );
      case 'connect-local': {
        const connectDeps: ConnectDeps = { ...deps.connect, ...(deps.fetch ? { fetch: deps.fetch } : {}) };
        return await runConnectLocal(command, io, connectDeps);
      }
      case 'connect': {
        const connectDeps: ConnectDeps = { ...deps.connect, ...(deps.fetch ? { fetch: deps.fetch } : {}) };
        return await withAws(deps, command, (clients) => runConnect(command, io, clients, connectDeps));
      }
      case 'public-key':
        return await withAws(deps, command, (clients) => runPublicKey(command, io, clients));
      case 'cleanup':
        return await withAws(deps, command, (clients) => runCleanup(command, io, clients));
    }
  } catch (error) {
    if (error instanceof PromptCancelled) return CANCELLED;
    const failure = describeFailure(error);
    io.stderr(wantsJson(argv) ? failureJson(failure) : failureText(failure));
    return failure.exitCode;
  }
}

/**
 * `--json` anywhere before `--`, also when the arguments did not parse: a script that asked for JSON
 * gets its error as JSON whatever went wrong.
 */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

async function withAws(
  deps: CliDeps,
  target: AwsTarget,
  run: (clients: ReturnType<AwsClientFactory>) => Promise<ExitCode>,
): Promise<ExitCode> {
  const { region, profile } = target;
  const clients = (deps.awsClients ?? createAwsClients)({
    ...(region === undefined ? {} : { region }),
    ...(profile === undefined ? {} : { profile }),
  });
  try {
    return await run(clients);
  } finally {
    destroyAwsClients(clients);
  }
}
