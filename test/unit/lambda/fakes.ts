import {
  type ClientAuthentication,
  type Credentials,
  type CredentialsSource,
  CredentialsUnavailableError,
  type HttpAnswer,
  type Log,
  type PublishedTokenStore,
  type StateStore,
  type TokenEndpoint,
  type TokenRequest,
} from '../../../core/ports.js';
import type { PrivateState } from '../../../contract/private-state.js';
import type { RefreshDeps, RunReport } from '../../../core/refresh.js';
import type { ProviderSettings } from '../../../contract/provider-settings.js';
import type { PublishedToken } from '../../../contract/published-token.js';
import { FORCED_RUN_BUDGET, type ForcedRunBudget, STORE_DISPLAY_NAME } from '../../../contract/token-stores.js';

/** A clock that only moves when told to, or when the code under test sleeps. */
export class FakeClock {
  constructor(public ms = Date.UTC(2026, 10, 23, 12, 0, 0)) {}
  now = () => this.ms;
  advance = (seconds: number) => {
    this.ms += seconds * 1000;
  };
  sleep = async (ms: number) => {
    this.sleeps.push(ms);
    this.ms += ms;
  };
  readonly sleeps: number[] = [];
  get seconds() {
    return Math.floor(this.ms / 1000);
  }
}

export class MemoryTokenStore implements PublishedTokenStore {
  readonly displayName: string;
  readonly forcedRunBudget: ForcedRunBudget;
  token: PublishedToken | undefined;
  writes: PublishedToken[] = [];
  failWrites = false;
  failReads = false;
  constructor(
    readonly kind: 'secretsmanager' | 'parameterstore' = 'parameterstore',
    readonly maxBytes = 8192,
  ) {
    // As the adapter of the same store carries them (lambda/adapters/*-token-store.ts).
    this.displayName = STORE_DISPLAY_NAME[kind];
    this.forcedRunBudget = FORCED_RUN_BUDGET[kind];
  }
  async read() {
    if (this.failReads) throw Object.assign(new Error('boom'), { name: 'ThrottlingException' });
    return this.token;
  }
  async write(token: PublishedToken) {
    if (this.failWrites) throw Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
    this.writes.push(token);
    this.token = token;
  }
}

export class MemoryStateStore implements StateStore {
  readonly maxBytes = 8192;
  state: PrivateState | undefined;
  writes: PrivateState[] = [];
  failWrites = false;
  async read() {
    return this.state;
  }
  async write(state: PrivateState) {
    if (this.failWrites) throw Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
    // Like SSM: a value over the parameter's limit is refused.
    if (JSON.stringify(state).length > this.maxBytes) {
      throw Object.assign(new Error('too large'), { name: 'ValidationException' });
    }
    this.writes.push(structuredClone(state));
    this.state = structuredClone(state);
  }
}

export class MemoryCredentials implements CredentialsSource {
  readonly secretId = 'token-refresher/test/credentials';
  reads = 0;
  /** `cachedVersion` of every read, in order: the version of which a cached answer would do, if any. */
  readonly cachedVersions: (string | undefined)[] = [];
  unavailable: CredentialsUnavailableError | undefined;
  constructor(
    public values: Record<string, string> = { username: 'alice', password: 'pw-Secret-1' },
    public versionId = 'v1',
  ) {}
  /** Operators put a new version into the secret. */
  rotate(values: Record<string, string>) {
    this.values = values;
    this.versionId = `v${Number(this.versionId.slice(1)) + 1}`;
  }
  async read(_signal?: AbortSignal, options?: { readonly cachedVersion?: string }): Promise<Credentials> {
    this.reads++;
    this.cachedVersions.push(options?.cachedVersion);
    if (this.unavailable) throw this.unavailable;
    return { versionId: this.versionId, values: this.values };
  }
  static missing() {
    const c = new MemoryCredentials();
    c.unavailable = new CredentialsUnavailableError('credentials_empty', 'credentials secret "x" has no value yet');
    return c;
  }
}

/**
 * A request as the endpoint got it: the grant's fields, how the client authenticated, and, for a
 * client-secret method, its secret beside the grant's fields (as before client authentication was a
 * value of its own), so that a script can answer by it.
 */
export type SentRequest = TokenRequest & { readonly auth: ClientAuthentication; readonly clientSecret?: string };

type Script = (req: SentRequest) => HttpAnswer | Error | Promise<HttpAnswer | Error>;

/** A token endpoint that answers from a script and records what it was sent. */
export class ScriptedEndpoint implements TokenEndpoint {
  readonly requests: SentRequest[] = [];
  /** Clock time (ms) at which each request was sent. */
  readonly sentAt: number[] = [];
  /** The timeout each request was sent with. */
  readonly timeouts: number[] = [];
  constructor(
    public script: Script,
    private readonly clock?: FakeClock,
    private readonly latencyMs = 0,
  ) {}
  async send(request: TokenRequest, auth: ClientAuthentication, timeoutMs: number): Promise<HttpAnswer> {
    const sent: SentRequest = {
      ...request,
      auth,
      ...('clientSecret' in auth ? { clientSecret: auth.clientSecret } : {}),
    };
    this.requests.push(sent);
    this.timeouts.push(timeoutMs);
    if (this.clock) this.sentAt.push(this.clock.now());
    if (this.clock) this.clock.ms += this.latencyMs;
    const answer = await this.script(sent);
    if (answer instanceof Error) throw answer;
    return answer;
  }
  grants() {
    return this.requests.map((r) => r.grant);
  }
}

export function answer(status: number, body: unknown, headers: Record<string, string> = {}): HttpAnswer {
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    status,
    headers: { get: (name: string) => lower.get(name.toLowerCase()) ?? null },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

let counter = 0;
export function tokenAnswer(overrides: Record<string, unknown> = {}): HttpAnswer {
  counter++;
  return answer(200, {
    access_token: `access-${counter}-xyz`,
    token_type: 'Bearer',
    expires_in: 300,
    refresh_token: `refresh-${counter}-xyz`,
    refresh_expires_in: 1800,
    scope: 'openid profile',
    ...overrides,
  });
}

export const invalidGrant = (description: string, status = 400) =>
  answer(status, { error: 'invalid_grant', error_description: description });

export class RecordingLog implements Log {
  readonly lines: { level: string; message: string; extra?: object }[] = [];
  info = (message: string, extra?: object) => {
    this.lines.push({ level: 'info', message, ...(extra ? { extra } : {}) });
  };
  warn = (message: string, extra?: object) => {
    this.lines.push({ level: 'warn', message, ...(extra ? { extra } : {}) });
  };
}

export function keycloakSettings(overrides: Partial<ProviderSettings> = {}): ProviderSettings {
  return {
    id: 'kc',
    preset: 'movingimage',
    tokenEndpoint: 'https://login.example.com/auth/realms/platform/protocol/openid-connect/token',
    clientId: 'anonymous',
    grant: 'password',
    clientAuth: 'none',
    scope: 'openid',
    extraParams: { response_type: 'token' },
    useRefreshToken: true,
    expectedLifetimeSeconds: 300,
    lifetimeDocumented: true,
    minValiditySeconds: 60,
    checkIntervalMinutes: 1,
    safetyMarginSeconds: 60,
    requestTimeoutSeconds: 10,
    maxAttempts: 3,
    ...overrides,
  };
}

export function clientCredentialsSettings(overrides: Partial<ProviderSettings> = {}): ProviderSettings {
  return keycloakSettings({
    id: 'cc',
    preset: 'clickview',
    tokenEndpoint: 'https://auth.example.com/connect/token',
    clientId: 'svc',
    grant: 'client_credentials',
    clientAuth: 'client_secret_post',
    scope: 'smartembed.viewkey',
    extraParams: {},
    useRefreshToken: false,
    expectedLifetimeSeconds: 86_400,
    checkIntervalMinutes: 60,
    safetyMarginSeconds: 3600,
    ...overrides,
  });
}

export interface World<C extends CredentialsSource = MemoryCredentials> {
  clock: FakeClock;
  tokenStore: MemoryTokenStore;
  stateStore: MemoryStateStore;
  credentials: C;
  endpoint: ScriptedEndpoint;
  log: RecordingLog;
  deps: RefreshDeps;
  /** One run, with a deadline one minute ahead like a 60 s Lambda timeout. */
  run(force?: boolean): Promise<RunReport>;
}

export async function makeWorld(
  settings: ProviderSettings,
  script: Script,
  credentials?: MemoryCredentials,
): Promise<World>;
/** With another credentials source: the real Secrets Manager adapter over a mocked client, for instance. */
export async function makeWorld<C extends CredentialsSource>(
  settings: ProviderSettings,
  script: Script,
  credentials: C,
): Promise<World<C>>;
export async function makeWorld(
  settings: ProviderSettings,
  script: Script,
  credentials: CredentialsSource = new MemoryCredentials(),
): Promise<World<CredentialsSource>> {
  const { runRefresh } = await import('../../../core/refresh.js');
  const clock = new FakeClock();
  const tokenStore = new MemoryTokenStore();
  const stateStore = new MemoryStateStore();
  const endpoint = new ScriptedEndpoint(script, clock, 50);
  const log = new RecordingLog();
  const deps: RefreshDeps = {
    settings,
    tokenStore,
    stateStore,
    credentials,
    endpoint,
    clock,
    sleep: clock.sleep,
    log,
    random: () => 0.5,
  };
  return {
    clock,
    tokenStore,
    stateStore,
    credentials,
    endpoint,
    log,
    deps,
    run: (force = false) => runRefresh(deps, { force, deadlineMs: clock.now() + 50_000 }),
  };
}
