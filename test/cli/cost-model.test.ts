import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CostItem,
  PRICES,
  type ProviderCost,
  providerCost,
  renewals,
  stageCost,
} from '../../cli/plan/cost-model.js';
import { FRESH_RUN_CALLS, renewingRunCalls, TOKEN_SECRET_CHECK_CALLS } from '../../cli/plan/run-calls.js';
import { CREDENTIALS_CACHE_SECONDS } from '../../contract/credentials.js';
import { parseStackConfig, type ResolvedProvider } from '../../providers/providers-file.js';
import { renewalPeriodSeconds } from '../../providers/schedule-plan.js';
import { fleetProviders } from '../../scripts/fleet-file.js';

const shipped = parseStackConfig(
  JSON.parse(readFileSync(new URL('../../providers.json', import.meta.url), 'utf8')),
).providers;
const fleet = parseStackConfig({ providers: fleetProviders(200) }).providers;

/** AWS's billing month, by which CloudWatch and KMS prorate. */
const HOURS_PER_MONTH = 730;
/**
 * What the model assumes of Lambda's containers: one checked at least every WARM_INTERVAL_MINUTES
 * stays warm and starts anew COLD_STARTS_PER_HOUR times an hour; one checked less often starts cold.
 */
const WARM_INTERVAL_MINUTES = 5;
const COLD_STARTS_PER_HOUR = 1;

/** Issue 9's budgets, a month per provider, the stage's shared costs divided among its providers. */
const SHIPPED_BUDGET_USD = 2.5;
const FLEET_BUDGET_USD = 1.5;

const item = (cost: ProviderCost, service: CostItem['service']) => cost.items.find((i) => i.service === service)!.usd;
const one = (providers: readonly ResolvedProvider[], id: string) => providers.find((p) => p.settings.id === id)!;
const generic = (overrides: Record<string, unknown>) =>
  parseStackConfig({
    providers: [
      {
        id: 'p',
        preset: 'generic',
        tokenEndpoint: 'https://idp.example.com/token',
        clientId: 'c',
        grant: 'password',
        clientAuth: 'none',
        expectedLifetimeSeconds: 3600,
        // A signing key serves an assertion: such a provider authenticates with private_key_jwt.
        ...(overrides.signingKey ? { clientAuth: 'private_key_jwt' } : {}),
        ...overrides,
      },
    ],
  }).providers[0]!;

describe('the price table', () => {
  it('states its date, region and currency', () => {
    expect(PRICES).toMatchObject({ date: '2026-11-29', region: 'us-east-1', currency: 'USD' });
  });

  it('prices the stage: key, dashboard, and the two stage-wide metrics (Renewals, TokenRequestLatency) every hour', () => {
    const stage = stageCost();
    expect(stage.items.map((i) => [i.service, i.usd])).toEqual([
      ['KMS', PRICES.kmsKeyMonth],
      ['CloudWatch dashboard', PRICES.dashboardMonth],
      ['CloudWatch metrics', 2 * PRICES.metricMonth],
    ]);
    expect(stage.totalUsd).toBeCloseTo(4.6, 10);
  });
});

describe('a provider month', () => {
  it('adds its items up to its total, one item per service in a fixed order', () => {
    for (const p of [...shipped, ...fleet]) {
      const cost = providerCost(p, 5);
      expect(cost.items.map((i) => i.service)).toEqual([
        'CloudWatch metrics',
        'CloudWatch alarms',
        'CloudWatch Logs',
        'Secrets Manager',
        'KMS',
        'Lambda',
        'EventBridge Scheduler',
        'EventBridge events',
        'SSM Parameter Store',
        'Stage share',
      ]);
      expect(cost.totalUsd).toBeCloseTo(
        cost.items.reduce((a, i) => a + i.usd, 0),
        10,
      );
      for (const i of cost.items) expect(i.usd).toBeGreaterThanOrEqual(0);
    }
  });

  it('prices lifecycle events: nothing in a healthy month, $1 a million renewals with Token Renewed on', () => {
    for (const p of shipped) {
      const quiet = providerCost(p, 5);
      const renewed = providerCost(p, 5, { tokenRenewed: true });
      expect(item(quiet, 'EventBridge events')).toBe(0);
      expect(item(renewed, 'EventBridge events')).toBeCloseTo((renewed.usage.renewals / 1e6) * 1, 12);
      expect(renewed.totalUsd - quiet.totalUsd).toBeCloseTo(item(renewed, 'EventBridge events'), 12);
    }
  });

  it("divides the stage's shared cost among the stage's providers", () => {
    const p = shipped[0]!;
    expect(item(providerCost(p, 1), 'Stage share')).toBeCloseTo(stageCost().totalUsd, 10);
    expect(item(providerCost(p, 200), 'Stage share')).toBeCloseTo(stageCost().totalUsd / 200, 10);
    expect(providerCost(p, 1).totalUsd - providerCost(p, 4).totalUsd).toBeCloseTo((stageCost().totalUsd * 3) / 4, 10);
    expect(() => providerCost(p, 0)).toThrow(/at least 1/);
  });

  it('bills the heartbeat every hour up to hourly checks, and one hour per run beyond', () => {
    const heartbeatHours = (checkIntervalMinutes: number) =>
      providerCost(generic({ expectedLifetimeSeconds: 7 * 86_400, checkIntervalMinutes }), 1).usage.heartbeatHours;
    expect(heartbeatHours(1)).toBe(HOURS_PER_MONTH);
    expect(heartbeatHours(60)).toBe(HOURS_PER_MONTH);
    expect(heartbeatHours(120)).toBe(HOURS_PER_MONTH / 2);
    const sixHourly = generic({ expectedLifetimeSeconds: 7 * 86_400, checkIntervalMinutes: 360 });
    expect(item(providerCost(sixHourly, 1), 'CloudWatch metrics')).toBeCloseTo(PRICES.metricMonth / 6, 10);
    expect(item(providerCost(one(shipped, 'nagra'), 1), 'CloudWatch metrics')).toBeCloseTo(PRICES.metricMonth, 10);
  });

  it('prices three one-metric alarms, whatever the provider', () => {
    for (const p of shipped) expect(item(providerCost(p, 5), 'CloudWatch alarms')).toBeCloseTo(0.3, 10);
  });

  it('counts a KMS request for every write and secret read, and a SecureString read only in a cold container', () => {
    // nagra: checked and renewed every minute by refresh token, public client: state and token
    // written every run; token and state read by version, decrypted once an hour (a new container);
    // credentials never read.
    const cold = 2 * HOURS_PER_MONTH * COLD_STARTS_PER_HOUR;
    const nagra = providerCost(one(shipped, 'nagra'), 5);
    expect(nagra.usage.runs).toBe(43_800);
    expect(nagra.usage.renewals).toBeCloseTo(43_800, 6);
    expect(nagra.usage.kmsRequests).toBeCloseTo(2 * 43_800 + cold, 6);
    expect(nagra.usage.secretsManagerCalls).toBeCloseTo(0, 6);
    expect(item(nagra, 'KMS')).toBeCloseTo(((2 * 43_800 + cold) * PRICES.kmsPer10kRequests) / 10_000, 10);
    // The same token renewed by client_credentials: the state's two writes go to the String ledger
    // (no KMS request); the credentials come from the secret once in five renewals and after each
    // cold start, from the container's cache otherwise; no refresh token, so no SecureString state read.
    const cc = providerCost(
      generic({
        grant: 'client_credentials',
        clientAuth: 'client_secret_post',
        useRefreshToken: false,
        expectedLifetimeSeconds: 300,
      }),
      5,
    );
    const fetches = 43_800 / (CREDENTIALS_CACHE_SECONDS / 60) + HOURS_PER_MONTH * COLD_STARTS_PER_HOUR;
    expect(cc.usage.kmsRequests).toBeCloseTo(43_800 + fetches + HOURS_PER_MONTH * COLD_STARTS_PER_HOUR, 6);
    expect(cc.usage.secretsManagerCalls).toBeCloseTo(fetches, 6);
    // A password is never sent from the cache: renewed by password grant, every renewal reads the secret.
    const password = providerCost(generic({ useRefreshToken: false, expectedLifetimeSeconds: 300 }), 5);
    expect(password.usage.secretsManagerCalls).toBeCloseTo(43_800, 6);
  });

  it('reads the token and the state on every run, and more only when renewing', () => {
    expect(FRESH_RUN_CALLS).toEqual({
      tokenReads: 1,
      stateReads: 1,
      credentialsReads: 0,
      stateWrites: 0,
      refreshTokenWrites: 0,
      tokenWrites: 0,
      tokenRequests: 0,
    });
    const s = (o: Record<string, unknown>) => generic(o).settings;
    expect(renewingRunCalls(s({}))).toMatchObject({
      credentialsReads: 0,
      stateWrites: 1,
      refreshTokenWrites: 1,
      tokenWrites: 1,
      tokenRequests: 1,
    });
    // A client secret's attempt is put on record before the refresh is sent: one more ledger put.
    expect(renewingRunCalls(s({ clientAuth: 'client_secret_post' }))).toMatchObject({
      credentialsReads: 1,
      stateWrites: 2,
      refreshTokenWrites: 1,
    });
    expect(renewingRunCalls(s({ useRefreshToken: false }))).toMatchObject({
      credentialsReads: 1,
      stateWrites: 2,
      refreshTokenWrites: 0,
    });
  });

  it('checks a Secrets Manager token secret once per container that writes it: two calls, no KMS request', () => {
    // clickview: checked hourly, so every run starts cold; renewed about once a day by client_credentials.
    const clickview = one(shipped, 'clickview');
    const cost = providerCost(clickview, 5);
    const { runs, renewals: renewed } = cost.usage;
    // The same provider with its token in Parameter Store: every run starts cold, so each SecureString
    // read of the token decrypts; plus the credentials read and the token write of each renewal.
    const inParameterStore = providerCost({ ...clickview, store: 'parameterstore' }, 5);
    expect(inParameterStore.usage.kmsRequests).toBeCloseTo(runs + 2 * renewed, 6);
    // Every run reads the token; every renewal reads the credentials (cold: no cache), checks (each renewing
    // container once: as many checks as renewals), writes.
    expect(cost.usage.secretsManagerCalls).toBeCloseTo(runs + 2 * renewed + TOKEN_SECRET_CHECK_CALLS * renewed, 6);
    expect(cost.usage.kmsRequests).toBeCloseTo(runs + 2 * renewed, 6);
    // In Parameter Store: no token read, write or check in Secrets Manager.
    expect(cost.usage.secretsManagerCalls - inParameterStore.usage.secretsManagerCalls).toBeCloseTo(
      runs + renewed + TOKEN_SECRET_CHECK_CALLS * renewed,
      6,
    );
    // A warm container renewing on every run checks once per cold start (one an hour), not per renewal.
    const nagra = one(shipped, 'nagra');
    const warm = providerCost({ ...nagra, store: 'secretsmanager' }, 5).usage;
    expect(warm.renewals).toBeCloseTo(warm.runs, 6);
    expect(
      warm.secretsManagerCalls - providerCost({ ...nagra, store: 'parameterstore' }, 5).usage.secretsManagerCalls,
    ).toBeCloseTo(warm.runs + warm.renewals + TOKEN_SECRET_CHECK_CALLS * HOURS_PER_MONTH * COLD_STARTS_PER_HOUR, 6);
  });

  it('pays for a token secret only with store secretsmanager', () => {
    const sm = providerCost(one(shipped, 'clickview'), 5);
    const ps = providerCost(one(shipped, 'mediamelon'), 5);
    expect(one(shipped, 'clickview').store).toBe('secretsmanager');
    expect(item(sm, 'Secrets Manager')).toBeGreaterThanOrEqual(2 * PRICES.secretMonth);
    expect(item(ps, 'Secrets Manager')).toBeCloseTo(PRICES.secretMonth, 10);
  });

  it('grows with every run: a shorter check interval never costs less, warm or cold (property)', () => {
    // Across WARM_INTERVAL_MINUTES a container goes from warm (reads by version) to cold: compare within one.
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 59 }).filter((i) => i !== WARM_INTERVAL_MINUTES),
        (interval) => {
          const slow = generic({ expectedLifetimeSeconds: 86_400, checkIntervalMinutes: interval + 1 });
          const fast = generic({ expectedLifetimeSeconds: 86_400, checkIntervalMinutes: interval });
          expect(providerCost(fast, 1).totalUsd).toBeGreaterThan(providerCost(slow, 1).totalUsd);
        },
      ),
    );
  });
});

describe('renewals against the bound 86400 / (lifetime - minValiditySeconds)', () => {
  it('follows the schedule: one renewal per renewal period, one store write per renewal', () => {
    for (const p of [...shipped, ...fleet]) {
      const r = renewals(p.settings);
      expect(r.renewalPeriodSeconds).toBe(renewalPeriodSeconds(p.settings.expectedLifetimeSeconds, p.settings));
      expect(r.renewalsPerDay).toBeCloseTo(p.plannedWritesPerDay, 10);
      expect(r.storeWritesPerDay).toBeCloseTo(r.renewalsPerDay, 10);
      // No schedule renews less often than the bound: a consumer would see less than minValidity.
      expect(r.ratioToBound).toBeGreaterThanOrEqual(1);
    }
  });

  it('reports the shipped providers as the schedule renews them', () => {
    const ratios = Object.fromEntries(shipped.map((p) => [p.settings.id, renewals(p.settings)]));
    expect(ratios.movingimage).toMatchObject({ renewalsPerDay: 1440, boundPerDay: 360, ratioToBound: 4 });
    expect(ratios.nagra).toMatchObject({ renewalsPerDay: 1440, boundPerDay: 360, ratioToBound: 4 });
    expect(ratios.mediamelon!.renewalsPerDay).toBe(160);
    expect(ratios.mediamelon!.ratioToBound).toBeCloseTo(160 / (86_400 / 840), 10);
    expect(ratios.clickview!.ratioToBound).toBeCloseTo(1.09, 2);
    expect(ratios.mediahound!.ratioToBound).toBeCloseTo(1, 3);
  });
});

/** Issue 9's budgets, as the product is built today. */
describe('budget', () => {
  const over = (providers: readonly ResolvedProvider[], n: number, budget: number) =>
    providers.filter((p) => providerCost(p, n).totalUsd > budget).map((p) => p.settings.id);

  it(`keeps every shipped provider at or under $${SHIPPED_BUDGET_USD} a month`, () => {
    expect(over(shipped, shipped.length, SHIPPED_BUDGET_USD)).toEqual([]);
    for (const p of shipped) expect(providerCost(p, 5).totalUsd, p.settings.id).toBeGreaterThan(1.5);
  });

  it(`keeps every provider of the 200-provider generic fleet of scripts/fleet-file.ts at or under $${FLEET_BUDGET_USD}`, () => {
    expect(fleet).toHaveLength(200);
    expect(new Set(fleet.map((p) => p.settings.expectedLifetimeSeconds))).toEqual(new Set([300, 900, 3_600, 86_400]));
    expect(new Set(fleet.map((p) => p.settings.grant))).toEqual(new Set(['password', 'client_credentials']));
    expect(over(fleet, fleet.length, FLEET_BUDGET_USD)).toEqual([]);
  });

  it('renews a 5-minute client_credentials token on every 1-minute run within the budget', () => {
    // The one-retry guarantee with Scheduler's 60 s precision renews a 5-minute token on every run
    // (providers/schedule-plan.ts). By client_credentials each renewal also reads the credentials and puts
    // the attempt on record before sending it (core/lockout.ts): the record goes to the String
    // ledger, and the credentials come from the container's cache four times in five.
    const cc = fleet.filter(
      (p) => p.settings.expectedLifetimeSeconds === 300 && p.settings.grant === 'client_credentials',
    );
    expect(cc).toHaveLength(20);
    for (const p of cc) {
      const cost = providerCost(p, fleet.length);
      expect(cost.usage.renewals).toBeCloseTo(43_800, 6);
      expect(cost.totalUsd, p.settings.id).toBeLessThanOrEqual(FLEET_BUDGET_USD);
    }
  });
});

describe('a provider whose assertions a KMS key signs', () => {
  const SIGN_PRICE_PER_REQUEST = PRICES.kmsAsymmetricPer10kRequests / 10_000;
  const signing = (cost: ProviderCost) => cost.items.find((i) => i.service === 'KMS signing');

  it('is priced $1.00 a month per key and $0.15 per 10,000 Sign requests (us-east-1 list prices)', () => {
    expect(PRICES.kmsAsymmetricKeyMonth).toBe(1);
    expect(PRICES.kmsAsymmetricPer10kRequests).toBe(0.15);
  });

  it('pays for a created key and one Sign per token request, itemized after the stage key requests', () => {
    const p = generic({ signingKey: 'kms', useRefreshToken: false });
    const cost = providerCost(p, 1);
    const renewalsPerMonth = (renewals(p.settings).renewalsPerDay * HOURS_PER_MONTH) / 24;
    expect(cost.usage.kmsSignRequests).toBeCloseTo(renewalsPerMonth, 6);
    expect(signing(cost)!.usd).toBeCloseTo(1 + renewalsPerMonth * SIGN_PRICE_PER_REQUEST, 10);
    expect(signing(cost)!.basis).toMatch(/^the provider's asymmetric key, [\d,]+ Sign requests \(one per assertion/);
    const services = cost.items.map((i) => i.service);
    expect(services.indexOf('KMS signing')).toBe(services.indexOf('KMS') + 1);
    expect(cost.totalUsd).toBeCloseTo(
      providerCost(generic({ useRefreshToken: false }), 1).totalUsd + signing(cost)!.usd,
      10,
    );
  });

  it('changes its KMS signing line with the schedule: a shorter token, more renewals, more Sign requests', () => {
    const hourly = providerCost(generic({ signingKey: 'kms', expectedLifetimeSeconds: 3600 }), 1);
    const fiveMinutes = providerCost(generic({ signingKey: 'kms', expectedLifetimeSeconds: 300 }), 1);
    expect(fiveMinutes.usage.kmsSignRequests).toBeGreaterThan(10 * hourly.usage.kmsSignRequests);
    expect(signing(fiveMinutes)!.usd - signing(hourly)!.usd).toBeCloseTo(
      (fiveMinutes.usage.kmsSignRequests - hourly.usage.kmsSignRequests) * SIGN_PRICE_PER_REQUEST,
      10,
    );
  });

  it('pays no key-month for a key the providers file names, and nothing for a key in the credentials', () => {
    const named = providerCost(
      generic({
        signingKey: { kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
      }),
      1,
    );
    expect(signing(named)!.usd).toBeCloseTo(named.usage.kmsSignRequests * SIGN_PRICE_PER_REQUEST, 10);
    expect(signing(named)!.basis).toContain('paid where it was created');
    for (const signingKey of ['credentials', undefined]) {
      const cost = providerCost(generic(signingKey === undefined ? {} : { signingKey }), 1);
      expect(signing(cost)).toBeUndefined();
      expect(cost.usage.kmsSignRequests).toBe(0);
    }
  });
});
