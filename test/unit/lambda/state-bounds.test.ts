import { SSMClient } from '@aws-sdk/client-ssm';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  boundPrivateState,
  joinPrivateState,
  LEDGER_MAX_BYTES,
  type PrivateState,
  readPrivateState,
  splitPrivateState,
} from '../../../contract/private-state.js';
import type { ProviderSettings } from '../../../contract/provider-settings.js';
import { ParameterStateStore } from '../../../lambda/adapters/parameter-state-store.js';
import { type RunReport, runRefresh } from '../../../core/refresh.js';
import { type HttpAnswer, NoAnswerError, type StateStore } from '../../../core/ports.js';
import { type FakeAws, startFakeAws } from '../../helpers/fake-aws.js';
import {
  answer,
  clientCredentialsSettings,
  FakeClock,
  invalidGrant,
  keycloakSettings,
  MemoryCredentials,
  MemoryTokenStore,
  RecordingLog,
  ScriptedEndpoint,
  tokenAnswer,
} from './fakes.js';

/**
 * The private state through its real split and serialization (lambda/adapters/parameter-state-store.ts
 * over the fake Parameter Store): whatever the runs, its ledger stays within LEDGER_MAX_BYTES, a
 * standard-tier String parameter, and a state an earlier version let grow is repaired, not fatal.
 */
const names = { stateParameterName: '/tr/kc/state', ledgerParameterName: '/tr/kc/ledger' };
/** A Keycloak refresh token of realistic size: what made the old state drop it after ~465 forced renewals. */
const REFRESH_TOKEN_CHARS = 1500;
let aws: FakeAws;

beforeAll(async () => {
  aws = await startFakeAws();
});
afterAll(() => aws.close());
beforeEach(() => aws.parameters.clear());

function world() {
  const clock = new FakeClock();
  const client = new SSMClient({
    endpoint: aws.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const log = new RecordingLog();
  let issued = 0;
  // Every tenth token lives 200 s instead of 300 s (a Keycloak session nearing its end), so that
  // scheduled runs find it due between the operator's forced runs.
  const endpoint = new ScriptedEndpoint(
    () =>
      tokenAnswer({
        expires_in: ++issued % 10 === 0 ? 200 : 300,
        refresh_token: `rt-${issued}-${'r'.repeat(REFRESH_TOKEN_CHARS)}`,
      }),
    clock,
    50,
  );
  const tokenStore = new MemoryTokenStore('parameterstore');
  const deps = {
    settings: keycloakSettings(),
    tokenStore,
    stateStore: new ParameterStateStore(client, names, log, undefined, true),
    credentials: new MemoryCredentials(),
    endpoint,
    clock,
    sleep: clock.sleep,
    log,
    random: () => 0.5,
  };
  const run = (force: boolean) => runRefresh(deps, { force, deadlineMs: clock.now() + 50_000 });
  const bytes = (name: string) => {
    const value = aws.parameters.get(name)?.value;
    return value === undefined ? 0 : Buffer.byteLength(value, 'utf8');
  };
  return { clock, endpoint, tokenStore, log, run, bytes };
}

describe('the private state under a day of forced runs (Parameter Store)', () => {
  it('an operator forcing a renewal every minute for a day: the state stays bounded and every scheduled run renews', async () => {
    const w = world();
    const forced: RunReport[] = [];
    const scheduled: RunReport[] = [];
    let maxLedger = 0;
    let maxState = 0;
    let advancedLedger = false;
    const measure = () => {
      const ledger = w.bytes(names.ledgerParameterName);
      maxLedger = Math.max(maxLedger, ledger);
      maxState = Math.max(maxState, ledger + w.bytes(names.stateParameterName));
      advancedLedger ||= aws.parameters.get(names.ledgerParameterName)?.tier === 'Advanced';
    };
    await w.run(false);
    const start = w.clock.now();
    for (let minute = 0; minute < 1440; minute++) {
      w.clock.ms = start + minute * 60_000 + 60_000;
      forced.push(await w.run(true));
      measure();
      w.clock.ms += 30_000;
      scheduled.push(await w.run(false));
      measure();
    }

    const forcedRenewals = forced.filter((r) => r.result.outcome === 'refreshed');
    const scheduledRenewals = scheduled.filter((r) => r.result.outcome === 'refreshed');
    // The figures the issue asks for (issue 15, item 3).
    console.info(
      `1440 forced runs (${forcedRenewals.length} renewed), ${scheduledRenewals.length} scheduled renewals: ` +
        `max ledger ${maxLedger} B, max state (SecureString + ledger) ${maxState} B`,
    );
    expect(forcedRenewals.length).toBeGreaterThan(1000);
    expect(scheduledRenewals.length).toBeGreaterThan(100);
    expect([...forced, ...scheduled].filter((r) => r.result.outcome === 'failed')).toEqual([]);
    for (const r of scheduled) {
      expect(r.result.outcome === 'fresh' || r.result.grant === 'refresh_token').toBe(true);
    }
    expect([...forced, ...scheduled].filter((r) => r.result.note?.code === 'refresh_token_not_kept')).toEqual([]);
    expect(maxLedger).toBeLessThanOrEqual(LEDGER_MAX_BYTES);
    expect(maxState).toBeLessThanOrEqual(LEDGER_MAX_BYTES + REFRESH_TOKEN_CHARS + 200);
    expect(advancedLedger).toBe(false);
    expect(w.endpoint.grants().filter((g) => g === 'password')).toHaveLength(1);
  }, 120_000);

  it('repairs a ledger an earlier version let grow to the advanced tier: written back bounded, renewals keep the refresh token', async () => {
    const w = world();
    await w.run(false);
    const ledger = JSON.parse(aws.parameters.get(names.ledgerParameterName)!.value) as PrivateState;
    const now = w.clock.now();
    // As the version before the bound left it: a forced renewal a minute, 560 of them in the last 24 h.
    const grown = { ...ledger, forcedRenewals: Array.from({ length: 560 }, (_, i) => now - (560 - i) * 60_000) };
    aws.putParameter(names.ledgerParameterName, JSON.stringify(grown), { tier: 'Intelligent-Tiering' });
    expect(w.bytes(names.ledgerParameterName)).toBeGreaterThan(7500);
    expect(aws.parameters.get(names.ledgerParameterName)!.tier).toBe('Advanced');

    // Not due yet: a run that renews nothing still writes the ledger back bounded.
    w.clock.advance(30);
    const fresh = await w.run(false);
    const repaired = w.bytes(names.ledgerParameterName);
    w.clock.advance(120);
    const due = await w.run(false);

    expect(fresh.result.outcome).toBe('fresh');
    expect(repaired).toBeLessThanOrEqual(LEDGER_MAX_BYTES);
    expect(w.log.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', extra: expect.objectContaining({ code: 'state_pruned' }) }),
    );
    expect(due.result).toMatchObject({ outcome: 'refreshed', grant: 'refresh_token' });
    expect(due.result.note).toBeUndefined();
    expect(w.bytes(names.ledgerParameterName)).toBeLessThanOrEqual(LEDGER_MAX_BYTES);
  });
});

/**
 * The state split and serialized as the SSM adapter stores it (contract/private-state.ts), in
 * memory: every write is checked against the bound at the time it is made.
 */
class SplitMemoryStore implements StateStore {
  readonly maxBytes = 8192;
  ledger: string | undefined;
  chain: string | undefined;
  failWrites = false;
  readonly ledgerSizes: number[] = [];
  readonly unbounded: PrivateState[] = [];
  constructor(private readonly clock: FakeClock) {}
  async read() {
    const part = (text: string | undefined) => (text === undefined ? undefined : readPrivateState(text).state);
    return joinPrivateState(part(this.ledger), part(this.chain));
  }
  async write(state: PrivateState) {
    if (this.failWrites) throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
    const { ledger, chain } = splitPrivateState(state);
    this.ledger = JSON.stringify(ledger);
    this.chain = JSON.stringify(chain);
    this.ledgerSizes.push(Buffer.byteLength(this.ledger, 'utf8'));
    const stored = JSON.parse(JSON.stringify(state)) as PrivateState;
    if (JSON.stringify(boundPrivateState(stored, this.clock.now())) !== JSON.stringify(stored))
      this.unbounded.push(stored);
  }
}

type Answer =
  'token' | 'tokenNoRefresh' | 'invalidGrant' | 'invalidClient' | '503' | '502' | 'invalidScope' | 'timeout';
type Step =
  | { readonly kind: 'run'; readonly force: boolean; readonly advanceSeconds: number }
  | { readonly kind: 'idp'; readonly answer: Answer }
  | { readonly kind: 'rotate' }
  | { readonly kind: 'settings' }
  | { readonly kind: 'storeFails'; readonly failing: boolean };

const answers: Record<Answer, () => HttpAnswer | Error> = {
  token: () => tokenAnswer({ expires_in: 3600 }),
  tokenNoRefresh: () => tokenAnswer({ expires_in: 3600, refresh_token: undefined }),
  invalidGrant: () => invalidGrant('Invalid user credentials', 401),
  invalidClient: () => answer(401, { error: 'invalid_client' }),
  '503': () => answer(503, 'Service Unavailable'),
  '502': () => answer(502, '<html><title>Bad Gateway</title></html>'),
  invalidScope: () => answer(400, { error: 'invalid_scope' }),
  timeout: () => new NoAnswerError('timeout', 'unknown', 'no answer within 10 s'),
};

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('run' as const),
      force: fc.boolean(),
      advanceSeconds: fc.constantFrom(1, 30, 59, 60, 61, 120, 600, 901, 3600, 86_400),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('idp' as const),
      answer: fc.constantFrom(...(Object.keys(answers) as Answer[])),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'rotate' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'settings' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('storeFails' as const), failing: fc.boolean() }) },
);

const providers: Record<string, ProviderSettings> = {
  publicPassword: keycloakSettings({ expectedLifetimeSeconds: 3600, safetyMarginSeconds: 300 }),
  confidentialPassword: keycloakSettings({
    clientAuth: 'client_secret_post',
    expectedLifetimeSeconds: 3600,
    safetyMarginSeconds: 300,
  }),
  clientCredentials: clientCredentialsSettings({ expectedLifetimeSeconds: 3600, safetyMarginSeconds: 300 }),
};

describe('property: the serialized ledger never exceeds its bound, whatever the runs', () => {
  it('random runs (forced or scheduled, every IdP answer, rotations, settings changes, failing writes) from any stored state', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(providers)),
        fc.constantFrom('secretsmanager' as const, 'parameterstore' as const),
        fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
        fc.array(stepArbitrary, { minLength: 1, maxLength: 150 }),
        async (provider, kind, grownBy, steps) => {
          const clock = new FakeClock();
          const store = new SplitMemoryStore(clock);
          let idp: Answer = 'token';
          const endpoint = new ScriptedEndpoint(() => answers[idp](), clock, 50);
          const credentials = new MemoryCredentials({ username: 'alice', password: 'pw-1', client_secret: 'cs-1' });
          const tokenStore = new MemoryTokenStore(kind, 65_536);
          let settings = providers[provider]!;
          if (grownBy !== undefined) {
            // A ledger an earlier version let grow: forced renewals a minute apart, and more.
            const now = clock.now();
            store.ledger = JSON.stringify({
              v: 1,
              fingerprint: 'from-an-earlier-version',
              forcedRenewals: Array.from({ length: grownBy }, (_, i) => now - i * 60_000),
              guard: { credentialsVersion: 'v0', at: now - 86_400_000, code: 'invalid_grant', description: 'x' },
            });
          }
          for (const step of steps) {
            if (step.kind === 'idp') idp = step.answer;
            else if (step.kind === 'rotate') credentials.rotate({ ...credentials.values });
            else if (step.kind === 'settings')
              settings = { ...settings, scope: settings.scope === 'openid' ? 'openid email' : 'openid' };
            else if (step.kind === 'storeFails') store.failWrites = step.failing;
            else {
              clock.advance(step.advanceSeconds);
              const deps = {
                settings,
                tokenStore,
                stateStore: store,
                credentials,
                endpoint,
                clock,
                sleep: clock.sleep,
                log: new RecordingLog(),
                random: () => 0.5,
              };
              await runRefresh(deps, { force: step.force, deadlineMs: clock.now() + 50_000 });
            }
          }
          expect(store.unbounded).toEqual([]);
          expect(Math.max(0, ...store.ledgerSizes)).toBeLessThanOrEqual(LEDGER_MAX_BYTES);
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);
});
