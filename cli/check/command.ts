import { OAuthTokenEndpoint } from '../../core/oauth-endpoint.js';
import type { Failure } from '../../contract/failure.js';
import { type LifetimeSource, resolveLifetime } from '../../core/lifetime.js';
import { err } from '../../base/result.js';
import { attemptMaker } from '../../core/attempt.js';
import type { TokenEndpoint } from '../../core/ports.js';
import { primaryPlan } from '../../core/run/primary-step.js';
import { resolveSigners } from '../../core/run/signers.js';
import { Redactor } from '../../core/redactor.js';
import { requestToken, type TokenOutcome } from '../../core/request-token.js';
import { type ProviderSettings } from '../../contract/provider-settings.js';
import {
  PARAMETER_STORE_STANDARD_BYTES,
  publishedToken,
  publishedTokenBytes,
  STORE_MAX_BYTES,
} from '../../contract/published-token.js';
import { dueThresholdSeconds } from '../../contract/schedule.js';
import type { StoreKind } from '../../contract/token-stores.js';
import { checkCredentialKeys, kmsSigningProblem, resolveCredentials } from './credentials.js';
import { type CheckDiscovery, discoveryLines, prepareRoute } from './discovery.js';
import { type CheckedProvider, readDeployedProvider } from './deployed-provider.js';
import type { StackOptions } from '../common/stack-options.js';
import type { AwsClients } from '../common/aws-clients.js';
import { UsageError } from '../common/errors.js';
import { loadStackConfig } from '../common/providers-file.js';
import { CliError } from '../common/errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { formatDuration } from '../common/format-duration.js';
import type { CliIo } from '../common/io.js';
import { withProgress } from '../common/spinner.js';
import { renderDetails } from '../common/table.js';
import { oneLine } from '../common/text.js';

const LIFETIME_SOURCE: Readonly<Record<LifetimeSource, string>> = {
  expires_in: 'from expires_in',
  documented: "no expires_in: the preset's documented lifetime",
  jwt: "no expires_in: the JWT's exp - iat",
  configured: 'no expires_in: expectedLifetimeSeconds from the providers file',
};

/** What `check` learnt: only sizes, times and codes, never a token or a secret. */
export interface CheckReport {
  readonly provider: string;
  readonly preset: string;
  /** Undefined when the issuer's metadata did not name one. */
  readonly tokenEndpoint?: string;
  /** What the issuer's metadata said, for a provider configured by `issuer`. */
  readonly discovery?: CheckDiscovery;
  readonly grant: ProviderSettings['grant'];
  readonly store: StoreKind;
  readonly storeMaxBytes: number;
  /** Undefined when no HTTP answer arrived (network error, timeout). */
  readonly httpStatus?: number;
  readonly granted?: {
    readonly lifetimeSeconds: number;
    readonly lifetimeSource: LifetimeSource;
    /** The scope the server granted, when it said. */
    readonly scope?: string;
    readonly refreshTokenIssued: boolean;
    readonly refreshExpiresInSeconds?: number;
    /** Size of the JSON the function would publish. */
    readonly publishedBytes: number;
    readonly fitsStore: boolean;
  };
  readonly error?: Failure;
  readonly warnings: readonly string[];
}

export interface CheckOptions {
  readonly provider: string;
  /** Where the settings come from unless `deployment` is given. */
  readonly providersFile: string;
  readonly json: boolean;
  /** Read the settings the deployed function runs with instead (`--stage`, `--stack`, `--outputs-file`). */
  readonly deployment?: Omit<StackOptions, 'json'>;
}

/** What `check` needs of a provider: its settings and the store its token goes to. */

function loadProvider(options: CheckOptions, io: CliIo): CheckedProvider {
  // `check` calls the token endpoint from this machine, as local mode does.
  const { path, providers } = loadStackConfig(options.providersFile, io, 'local');
  const found = providers.find((p) => p.settings.id === options.provider);
  if (found) return found;
  const known = providers.map((p) => p.settings.id).join(', ');
  throw new UsageError(`unknown provider "${options.provider}" in ${path}; known: ${known}`, 'check');
}

/** What a granted lifetime means for the schedule and the plan, when it is not what they assume. */
function lifetimeWarnings(lifetime: ReturnType<typeof resolveLifetime>, settings: ProviderSettings): string[] {
  const threshold = dueThresholdSeconds(settings);
  if (lifetime.seconds <= threshold) {
    return [
      `a ${lifetime.seconds} s token is due as soon as it is issued (renewal starts ${threshold} s before expiry): ` +
        'every run will renew it; lower checkIntervalMinutes or safetyMarginSeconds',
    ];
  }
  if (lifetime.source === 'expires_in' && lifetime.seconds < settings.expectedLifetimeSeconds) {
    return [
      `the server grants ${lifetime.seconds} s, but the schedule and store were planned for ` +
        `${settings.expectedLifetimeSeconds} s: set "expectedLifetimeSeconds": ${lifetime.seconds} in the providers file`,
    ];
  }
  return [];
}

/**
 * One primary grant as the function would send it, the key in the credentials signing its
 * assertions; `maxAttempts: 1` means no retry, ever.
 */
async function grantOnce(
  settings: ProviderSettings,
  credentials: Record<string, string>,
  endpoint: TokenEndpoint,
  tokenEndpoint: string | undefined,
  redactor: Redactor,
  nowMs: () => number,
): Promise<TokenOutcome> {
  const clock = { now: nowMs };
  // A KMS key signs only in the function (runCheck stops before this for one: kmsSigningProblem);
  // here, the key in the credentials signs, as it would there.
  const signers = resolveSigners({
    settings,
    values: credentials,
    secretVersion: 'check',
    secretId: 'check',
    kms: undefined,
  });
  const { grant } = settings;
  // runCheck refuses a provider that lives on its refresh token before asking for credentials.
  if (grant === 'refresh_token') throw new TypeError('check sends a primary grant; refresh_token has none');
  return signers.ok
    ? await requestToken(
        {
          endpoint,
          clock,
          sleep: () => Promise.resolve(),
          random: () => 0,
          timeoutMs: settings.requestTimeoutSeconds * 1000,
          maxAttempts: 1,
          deadlineMs: Number.POSITIVE_INFINITY,
          // An IdP may echo what it was sent; the body is scrubbed before it is classified.
          redact: (text) => redactor.redact(text),
        },
        grant,
        attemptMaker(
          {
            settings,
            tokenEndpoint,
            values: credentials,
            signers: signers.value,
            clock,
            randomBytes: (size) => crypto.getRandomValues(new Uint8Array(size)),
            remember: (secret) => redactor.add(secret),
          },
          primaryPlan(grant, credentials),
        ),
      )
    : err({ ...signers.error, refreshRejected: false, ambiguous: false, retryable: false });
}

/**
 * Exactly one primary grant, through the function's own endpoint adapter and response parsing, so
 * that `check` sees what the deployed refresher would see: `maxAttempts: 1` means no retry, ever.
 */
export async function checkProvider(
  provider: CheckedProvider,
  credentials: Record<string, string>,
  nowMs: () => number,
  fetchImpl?: (url: string, init: RequestInit) => Promise<Response>,
): Promise<CheckReport> {
  const { settings, store } = provider;
  const redactor = new Redactor();
  // As in the function: secrets are redacted, the username stays readable in the IdP's messages.
  redactor.add(...Object.entries(credentials).flatMap(([key, value]) => (key === 'username' ? [] : [value])));
  const prepared = await prepareRoute(settings, credentials, nowMs, fetchImpl);
  const route = {
    provider: settings.id,
    preset: settings.preset,
    ...prepared.found,
    grant: settings.grant,
    store,
    storeMaxBytes: STORE_MAX_BYTES[store],
  };
  if (prepared.error) return { ...route, error: prepared.error, warnings: [] };
  const inner = new OAuthTokenEndpoint(settings, fetchImpl);
  let httpStatus: number | undefined;
  const endpoint: TokenEndpoint = {
    send: async (request, auth, timeoutMs) => {
      const answer = await inner.send(request, auth, timeoutMs, prepared.transport);
      httpStatus = answer.status;
      return answer;
    },
  };
  const outcome = await grantOnce(
    settings,
    credentials,
    endpoint,
    prepared.transport.url ?? settings.tokenEndpoint,
    redactor,
    nowMs,
  );
  const base = { ...route, ...(httpStatus === undefined ? {} : { httpStatus }) };
  if (!outcome.ok) {
    const { kind, code, description } = outcome.error;
    // Redacted once more: a timeout or network description is built outside the body's scrubbing.
    return { ...base, error: { kind, code, description: redactor.redact(description) }, warnings: [] };
  }

  const { token, sentAtMs } = outcome.value;
  redactor.add(token.accessToken, token.refreshToken);
  const lifetime = resolveLifetime(token.expiresIn, token.accessToken, settings);
  // Measured on the exact JSON the function would publish, then dropped: only the size is kept.
  const publishedBytes = publishedTokenBytes(
    publishedToken({
      accessToken: token.accessToken,
      provider: settings.id,
      sentAt: Math.floor(sentAtMs / 1000),
      lifetimeSeconds: lifetime.seconds,
      scope: token.scope ?? settings.scope,
    }),
  );
  const warnings = lifetimeWarnings(lifetime, settings);
  return {
    ...base,
    granted: {
      lifetimeSeconds: lifetime.seconds,
      lifetimeSource: lifetime.source,
      ...(token.scope === undefined ? {} : { scope: token.scope }),
      refreshTokenIssued: token.refreshToken !== undefined,
      ...(token.refreshToken !== undefined && token.refreshExpiresIn !== undefined
        ? { refreshExpiresInSeconds: token.refreshExpiresIn }
        : {}),
      publishedBytes,
      fitsStore: publishedBytes <= STORE_MAX_BYTES[store],
    },
    warnings,
  };
}

function sizeLine(report: CheckReport, bytes: number, fits: boolean): string {
  const { store, storeMaxBytes } = report;
  if (!fits) {
    return (
      `${bytes} bytes as published: too large for ${store} (at most ${storeMaxBytes}); ask the IdP for a smaller ` +
      'token (fewer roles or claims), or one that lives long enough for store "secretsmanager" (64 KB)'
    );
  }
  const tier =
    store === 'parameterstore' && bytes > PARAMETER_STORE_STANDARD_BYTES
      ? `, in the advanced tier (over ${PARAMETER_STORE_STANDARD_BYTES} bytes)`
      : '';
  return `${bytes} bytes as published: fits ${store} (at most ${storeMaxBytes})${tier}`;
}

/**
 * The error code, description and granted scope are the IdP's words: every one goes through
 * `oneLine` here, where it is printed, whatever the function's classifier already filtered.
 */
export function renderCheck(report: CheckReport, requestedScope: string | undefined): string {
  const pairs: [string, string | string[]][] = [
    ['provider', `${report.provider} (preset ${report.preset})`],
    ...(report.discovery
      ? discoveryLines(report.discovery)
      : ([['token endpoint', report.tokenEndpoint ?? '']] satisfies [string, string][])),
    ['grant', report.grant],
  ];
  const status = report.httpStatus === undefined ? 'no HTTP answer' : `HTTP ${report.httpStatus}`;
  const { granted, error } = report;
  if (error) {
    pairs.push(['answer', `${status}: failed`]);
    pairs.push(['error', [`${error.kind} (${oneLine(error.code)})`, oneLine(error.description)]]);
  }
  if (granted) {
    pairs.push(['answer', `${status}: token granted`]);
    pairs.push([
      'lifetime',
      `${granted.lifetimeSeconds} s (${formatDuration(granted.lifetimeSeconds)}), ${LIFETIME_SOURCE[granted.lifetimeSource]}`,
    ]);
    pairs.push([
      'scope',
      granted.scope !== undefined
        ? oneLine(granted.scope) || '(empty)'
        : requestedScope
          ? `not in the answer (requested: ${requestedScope})`
          : 'not in the answer',
    ]);
    const lives =
      granted.refreshExpiresInSeconds === undefined
        ? ''
        : ` (lives ${formatDuration(granted.refreshExpiresInSeconds)})`;
    pairs.push(['refresh token', granted.refreshTokenIssued ? `yes${lives}` : 'no']);
    pairs.push(['token size', sizeLine(report, granted.publishedBytes, granted.fitsStore)]);
  }
  for (const warning of report.warnings) pairs.push(['warning', warning]);
  return renderDetails(pairs);
}

export function checkJson(report: CheckReport, requestedScope: string | undefined) {
  const { granted, error } = report;
  return {
    provider: report.provider,
    preset: report.preset,
    tokenEndpoint: report.tokenEndpoint ?? null,
    ...(report.discovery ? { discovery: report.discovery } : {}),
    grant: report.grant,
    httpStatus: report.httpStatus ?? null,
    ok: granted !== undefined,
    ...(granted
      ? {
          lifetimeSeconds: granted.lifetimeSeconds,
          lifetimeSource: granted.lifetimeSource,
          scope: granted.scope === undefined ? null : oneLine(granted.scope),
          requestedScope: requestedScope ?? null,
          refreshTokenIssued: granted.refreshTokenIssued,
          ...(granted.refreshExpiresInSeconds === undefined
            ? {}
            : { refreshExpiresInSeconds: granted.refreshExpiresInSeconds }),
          publishedBytes: granted.publishedBytes,
          store: report.store,
          storeMaxBytes: report.storeMaxBytes,
          fitsStore: granted.fitsStore,
        }
      : {}),
    ...(error
      ? { error: { kind: error.kind, code: oneLine(error.code), description: oneLine(error.description) } }
      : {}),
    warnings: report.warnings,
  };
}

export async function runCheck(
  options: CheckOptions,
  io: CliIo,
  fetchImpl?: (url: string, init: RequestInit) => Promise<Response>,
  clients?: AwsClients,
): Promise<ExitCode> {
  const { deployment } = options;
  let provider: CheckedProvider;
  if (deployment === undefined) provider = loadProvider(options, io);
  else if (clients === undefined) throw new Error('check from a deployment needs AWS clients');
  else {
    provider = await withProgress(io, 'reading the deployed settings', options, () =>
      readDeployedProvider(deployment.source, options.provider, clients, io.cwd),
    );
  }
  const { settings } = provider;
  if (settings.grant === 'refresh_token') {
    throw new CliError(
      `provider "${settings.id}" lives on a refresh token a person connects (grant "refresh_token"): \`check\` sends a ` +
        `primary grant, which it has none of; connect it with \`token-refresher connect ${settings.id}\`, which proves it with one renewal`,
      EXIT.usage,
      'not_checkable',
    );
  }
  const kms = kmsSigningProblem(settings);
  if (kms) throw kms;
  const credentials = await resolveCredentials(checkCredentialKeys(settings), settings.id, io);
  const host = new URL(settings.tokenEndpoint ?? settings.issuer!).host;
  const report = await withProgress(io, `requesting a ${settings.grant} token from ${host}`, options, () =>
    checkProvider(provider, credentials, io.now, fetchImpl),
  );
  io.stdout(
    options.json
      ? `${JSON.stringify(checkJson(report, settings.scope), null, 2)}\n`
      : renderCheck(report, settings.scope),
  );
  return report.granted?.fitsStore ? EXIT.ok : EXIT.failed;
}
