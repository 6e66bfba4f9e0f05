import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatRate, PLAN_COLUMNS, PLAN_WIDTH } from '../../cli/plan/command.js';
import { stageCost } from '../../cli/plan/cost-model.js';
import { fleetStackIndex, MAX_PROVIDERS_PER_STAGE, refresherStackName } from '../../providers/fleet.js';
import type { Plan } from '../../cli/plan/plan.js';
import { fleetProviders } from '../../scripts/fleet-file.js';
import { runCliForTest } from './helpers.js';

const SHIPPED = 'providers.json';

function writeFile(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'plan-'));
  const file = join(dir, 'providers.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

async function planJson(args: string[]): Promise<Plan> {
  const { code, stdout, stderr } = await runCliForTest(['plan', ...args, '--json']);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return JSON.parse(stdout) as Plan;
}

describe('plan --json', () => {
  it('gives every shipped provider its schedule, renewals, store and reason, alarms and itemized cost', async () => {
    const plan = await planJson(['--providers-file', SHIPPED]);
    expect(plan.stage).toBe('default');
    expect(plan.stackName).toBe('TokenRefresher');
    expect(plan.prices).toEqual({ date: '2026-11-29', region: 'us-east-1', currency: 'USD' });
    expect(plan.providers.map((p) => p.id)).toEqual(['mediamelon', 'movingimage', 'nagra', 'clickview', 'mediahound']);
    const nagra = plan.providers.find((p) => p.id === 'nagra')!;
    expect(nagra.renewals).toMatchObject({ checkIntervalMinutes: 1, renewalPeriodSeconds: 60, ratioToBound: 4 });
    expect(nagra.store).toBe('parameterstore');
    expect(nagra.storeReason).toMatch(/^auto: written about 1,440 times a day/);
    for (const p of plan.providers) {
      // The reason quotes the rate the table shows: "about 2" for 1.09 a day contradicted it.
      const quoted = /written (?:about ([\d,.]+) times a day|at most once a day)/.exec(p.storeReason);
      expect(quoted, p.storeReason).not.toBeNull();
      if (quoted![1] !== undefined) expect(quoted![1], p.id).toBe(formatRate(p.renewals.storeWritesPerDay));
      else expect(p.renewals.storeWritesPerDay).toBeLessThanOrEqual(1);
    }
    expect(nagra.pages.map((a) => a.name)).toEqual([
      'token-refresher-nagra-TokenFreshness',
      'token-refresher-nagra-CredentialsRejected',
      'token-refresher-nagra-RefresherSilent',
    ]);
    for (const p of plan.providers) {
      expect(p.cost.totalUsd).toBeCloseTo(
        p.cost.items.reduce((a, i) => a + i.usd, 0),
        10,
      );
    }
    expect(plan.totalUsd).toBeCloseTo(
      plan.providers.reduce((a, p) => a + p.cost.totalUsd, 0),
      10,
    );
    expect(plan.stageCost.totalUsd).toBeCloseTo(stageCost().totalUsd, 10);
  });

  it("groups the providers into the stacks providers/fleet.ts gives their ids, and names a stage's stacks", async () => {
    const plan = await planJson(['--providers-file', writeFile({ providers: fleetProviders(200) }), '--stage', 'prod']);
    expect(plan.stackName).toBe('TokenRefresher-prod');
    expect(plan.namePrefix).toBe('token-refresher-prod');
    const [shared, ...refreshers] = plan.stacks;
    // A named stage is new: each credentials secret lives in its refresher's stack (providers/fleet.ts).
    expect(plan.credentialsLayout).toBe('refresher-stacks');
    expect(shared).toEqual({ name: 'TokenRefresher-prod', role: 'shared', providers: [] });
    expect(refreshers.flatMap((s) => s.providers).sort()).toEqual(plan.providers.map((p) => p.id).sort());
    const layout = 'refresher-stacks';
    for (const stack of refreshers) {
      for (const id of stack.providers) {
        expect(stack.index).toBe(fleetStackIndex(id, layout));
        expect(stack.name).toBe(refresherStackName('TokenRefresher-prod', fleetStackIndex(id, layout), layout));
      }
    }
    for (const p of plan.providers)
      expect(p.stack).toBe(refresherStackName('TokenRefresher-prod', fleetStackIndex(p.id, layout), layout));
    expect(plan.providers[0]!.pages[0]!.name).toBe('token-refresher-prod_tenant-000-TokenFreshness');
    // The stage's shared cost is spread over all 200.
    const share = plan.providers[0]!.cost.items.find((i) => i.service === 'Stage share')!;
    expect(share.usd).toBeCloseTo(stageCost().totalUsd / 200, 10);
  });
});

describe('plan (text)', () => {
  it('shows the table, each provider in detail, the stacks, the shared cost and the total', async () => {
    const { code, stdout, stderr } = await runCliForTest(['plan']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^${PLAN_COLUMNS.map((c) => c.replace('$', '\\$')).join(' +')}$`, 'm'));
    const row = (id: string) =>
      stdout
        .split('\n')
        .find((line) => line.startsWith(`${id} `))
        ?.split(/ {2,}/);
    expect(row('nagra')).toEqual(['nagra', '1m', '1m', '1,440', '4.00x', 'PS', '2.38']);
    expect(row('clickview')).toEqual(['clickview', '1h', '22h', '1.09', '1.09x', 'SM', '2.33']);
    expect(row('mediahound')).toEqual(['mediahound', '5m', '13d 23h', '0.0715', '1.00x', 'SM', '2.41']);
    expect(stdout).toContain(
      'nagra (preset nagra)\n  stack   TokenRefresher-11\n  renews  every 1m (checked every 1m)',
    );
    expect(stdout).toContain('  store   Parameter Store: auto: written about 1,440 times a day');
    expect(stdout).toContain(
      '  pages   token-refresher-nagra-TokenFreshness, token-refresher-nagra-CredentialsRejected,',
    );
    expect(stdout).toMatch(/^ {10}KMS {20}\$0\.267 {2}89,060 requests/m);
    expect(stdout).toMatch(/^ {2}TokenRefresher-11 {2}nagra, clickview$/m);
    expect(stdout).toContain('Stage shared cost: $4.60 a month, $0.92 per provider:');
    expect(stdout).toMatch(/^Total: \$11\.50 a month for 5 providers/m);
  });

  it('says a provider configured by issuer has its token endpoint discovered at run time, reading nothing now', async () => {
    const file = writeFile({
      providers: [
        {
          id: 'okta-disc',
          preset: 'generic',
          issuer: 'https://login.example.com/oauth2/default',
          clientId: 'svc',
          grant: 'client_credentials',
          clientAuth: 'tls_client_auth',
          expectedLifetimeSeconds: 3600,
        },
      ],
    });

    const { code, stdout } = await runCliForTest(['plan', '--providers-file', file]);
    const plan = await planJson(['--providers-file', file]);

    expect(code).toBe(0);
    expect(stdout).toContain(
      '  token   endpoint discovered at run time from https://login.example.com/oauth2/default\n',
    );
    expect(plan.providers[0]!.issuer).toBe('https://login.example.com/oauth2/default');
  });

  it('fits 100 columns, with 40-character ids and a 200-provider fleet', async () => {
    const file = { providers: fleetProviders(200) };
    const long = {
      ...file,
      providers: file.providers.map((p, i) => ({ ...p, id: `${'x'.repeat(36)}${String(i).padStart(4, '0')}` })),
    };
    const { code, stdout } = await runCliForTest([
      'plan',
      '--providers-file',
      writeFile(long),
      '--stage',
      'a-twenty-char-stage1',
    ]);
    expect(code).toBe(0);
    for (const line of stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(PLAN_WIDTH);
  });
});

describe('plan errors', () => {
  it('reports a bad providers file as JSON under --json, exit 2', async () => {
    const { code, stdout, stderr } = await runCliForTest([
      'plan',
      '--providers-file',
      writeFile('{"providers": ['),
      '--json',
    ]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const { error } = JSON.parse(stderr) as { error: { code: string; message: string; exitCode: number } };
    expect(error).toMatchObject({ code: 'providers_file', exitCode: 2 });
    expect(error.message).toMatch(/is not valid JSON/);
  });

  it('refuses a loopback http token endpoint, as cdk synth does, and reads a file with a byte-order mark', async () => {
    const loopback = { providers: [{ id: 'mm', preset: 'mediamelon', tokenEndpoint: 'http://127.0.0.1:8080/token' }] };
    const { code, stderr } = await runCliForTest([
      'plan',
      '--providers-file',
      writeFile(`\uFEFF${JSON.stringify(loopback)}`),
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      'provider "mm" (providers[0]), field "tokenEndpoint": got "http://127.0.0.1:8080/token": must be an https:// ' +
        'URL when deployed: plain http:// on a loopback host is for local mode only',
    );
  });

  it('refuses a fleet that does not fit one stage, naming why', async () => {
    const { code, stderr } = await runCliForTest([
      'plan',
      '--providers-file',
      writeFile({ providers: fleetProviders(MAX_PROVIDERS_PER_STAGE + 1) }),
      '--json',
    ]);
    expect(code).toBe(2);
    const { error } = JSON.parse(stderr) as { error: { code: string; details: string[] } };
    expect(error.code).toBe('fleet_capacity');
    expect(error.details[0]).toMatch(/221 providers in one stage, at most 220/);
  });

  it.each([
    [['plan', '--stage', 'Prod'], /--stage "Prod" must be 1 to 20 lowercase letters/],
    [['plan', '--stage', ''], /--stage must not be empty/],
    [['plan', 'nagra'], /unexpected argument "nagra"/],
    [['plan', '--region', 'eu-west-1'], /unknown option --region/],
  ])('%j is a usage error', async (argv, message) => {
    const { code, stderr } = await runCliForTest(argv);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toContain('token-refresher plan --help');
  });
});
