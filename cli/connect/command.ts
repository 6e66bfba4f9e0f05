import type { ProviderSettings } from '../../contract/provider-settings.js';
import type { Connection } from '../../core/connection-state.js';
import { writeConnection } from '../../core/connection-state.js';
import { Redactor } from '../../core/redactor.js';
import { ParameterStateStore, StateNeedsFunctionRunError } from '../../lambda/adapters/parameter-state-store.js';
import type { StackOptions } from '../common/stack-options.js';
import { resolveCredentials } from '../check/credentials.js';
import type { AwsClients } from '../common/aws-clients.js';
import { CliError, UsageError } from '../common/errors.js';
import { formatExpiresIn } from '../common/format-duration.js';
import type { CliIo } from '../common/io.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { invokeForced, type RefreshResult } from '../refresh/command.js';
import { authorizationServer, type Fetch } from './authorization-server.js';
import { browserFlow } from './browser-flow.js';
import { type DeployedConnection, readDeployedConnection } from './deployed.js';
import { type DeviceClock, deviceFlow } from './device-flow.js';
import { clientAuthFor, connectionFrom, type FlowContext, flowFailure } from './flow.js';
import { readBoundedStdin, readRefreshTokenFile, refreshTokenFrom } from './token-input.js';

/** How the refresh token is obtained. */
export type ConnectSource =
  | { readonly kind: 'browser'; readonly openBrowser: boolean }
  | { readonly kind: 'device' }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'stdin' };

export interface ConnectOptions extends StackOptions {
  readonly provider: string;
  readonly from: ConnectSource;
}

/** What the command takes from the process; tests replace each. */
export interface ConnectDeps {
  readonly fetch?: Fetch;
  /** Opens the operator's browser at a URL (bin/cli.ts: the platform's opener). */
  readonly openBrowser?: (url: string) => void;
  readonly clock?: DeviceClock;
  readonly stdin?: AsyncIterable<Buffer | string>;
}

const realClock: DeviceClock = { now: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

/** The refresh token a person gives: through the browser, a device code, a file or standard input. */
export async function obtain(
  settings: ProviderSettings,
  from: ConnectSource,
  io: CliIo,
  deps: ConnectDeps,
  redactor: Redactor,
): Promise<Connection> {
  if (from.kind === 'file') return { refreshToken: await readRefreshTokenFile(from.path, io.cwd) };
  if (from.kind === 'stdin') {
    if (!deps.stdin) throw new UsageError('--refresh-token-stdin needs standard input', 'connect');
    return { refreshToken: refreshTokenFrom(await readBoundedStdin(deps.stdin), 'standard input') };
  }
  const needsSecret = settings.clientAuth === 'client_secret_post' || settings.clientAuth === 'client_secret_basic';
  const secret = needsSecret ? (await resolveCredentials(['client_secret'], settings.id, io)).client_secret : undefined;
  redactor.add(secret);
  const clientAuth = clientAuthFor(settings, secret);
  const ctx: FlowContext = {
    settings,
    as: await authorizationServer(settings, deps.fetch),
    client: { client_id: settings.clientId },
    clientAuth,
    io,
    redactor,
  };
  try {
    const answer =
      from.kind === 'device'
        ? await deviceFlow(ctx, deps.clock ?? realClock, deps.fetch)
        : await browserFlow(ctx, from.openBrowser ? deps.openBrowser : undefined, deps.fetch);
    return connectionFrom(answer, redactor);
  } catch (e) {
    throw flowFailure(e, redactor);
  }
}

/** Stores the connection where the function reads it: the same adapter, parameters and KMS key. */
async function store(deployed: DeployedConnection, connection: Connection, clients: AwsClients, io: CliIo) {
  const log = { info: () => undefined, warn: (message: string) => io.stderr(`warning: ${message}\n`) };
  const names = { stateParameterName: deployed.stateParameterName, ledgerParameterName: deployed.ledgerParameterName };
  const parameters = new ParameterStateStore(clients.ssm, names, log, deployed.parameterKeyId);
  try {
    await writeConnection(parameters, deployed.settings, connection, io.now());
  } catch (e) {
    if (e instanceof StateNeedsFunctionRunError) {
      throw new CliError(
        `${e.message}; nothing was changed; run "token-refresher refresh ${deployed.settings.id}" once, which moves ` +
          'its lockout memory to the ledger, then connect again',
        EXIT.failed,
        'state_not_migrated',
      );
    }
    const name = (e as { name?: string }).name ?? 'Error';
    throw new CliError(
      `could not store the refresh token in ${deployed.stateParameterName} (${name}); nothing was changed for the ` +
        'function; check ssm:PutParameter on it and kms:Encrypt on its key, then connect again',
      EXIT.aws,
      'state_write_failed',
    );
  }
}

export function describeProof(result: RefreshResult, now: number): string {
  if (result.outcome === 'refreshed' && result.expiresAt !== undefined) {
    return `renewed with it: the published token expires in ${formatExpiresIn(result.expiresAt, now)}`;
  }
  if (result.outcome === 'fresh') return 'the published token is fresh; the next due run renews with it';
  return `the renewal failed: ${result.error?.code ?? result.outcome}: ${result.error?.description ?? ''}`;
}

/**
 * `token-refresher connect <provider>`: a person obtains the provider's refresh token, which goes
 * into its private state (never printed), then the function runs once with it, as `refresh` runs it:
 * through Lambda, one run at a time, so nothing here races the schedule or presents the token.
 */
export async function runConnect(options: ConnectOptions, io: CliIo, clients: AwsClients, deps: ConnectDeps) {
  const deployed = await readDeployedConnection(options.source, options.provider, clients, io.cwd);
  if (deployed.settings.grant !== 'refresh_token') {
    throw new UsageError(
      `provider "${options.provider}" has grant "${deployed.settings.grant}": connect is for providers with grant ` +
        '"refresh_token", whose refresh token a person obtains',
      'connect',
    );
  }
  const redactor = new Redactor();
  const connection = await obtain(deployed.settings, options.from, io, deps, redactor);
  redactor.add(connection.refreshToken);
  await store(deployed, connection, clients, io);
  const result = await invokeForced(clients.lambda, deployed.functionName);
  const proof = redactor.redact(describeProof(result, io.now()));
  const renewed = result.outcome === 'refreshed' || result.outcome === 'fresh';
  if (options.json) {
    const json = { provider: options.provider, stored: deployed.stateParameterName, result };
    io.stdout(`${redactor.redact(JSON.stringify(json, null, 2))}\n`);
  } else {
    io.stdout(`connected ${options.provider}: refresh token stored in ${deployed.stateParameterName}; ${proof}\n`);
  }
  return (renewed ? EXIT.ok : EXIT.failed) as ExitCode;
}
