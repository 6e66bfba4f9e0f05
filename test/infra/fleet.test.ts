import { type App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { MAX_PROVIDERS_PER_STACK } from '../../providers/fleet.js';
import { parseProvidersFile, type ResolvedProvider } from '../../providers/providers-file.js';
import { TokenRefresherFleet } from '../../lib/token-refresher-fleet.js';
import { fleetProviders } from '../../scripts/fleet-file.js';
import { functionEnvironment, intrinsicOf, shippedProviders, STUB_ENTRY, testApp } from './fixtures.js';

/**
 * The fleet layout (lib/token-refresher-fleet.ts): a stage of any size fits CloudFormation's limits,
 * adding or removing a provider leaves every other provider's resources exactly as they were, and
 * two stages in one account share no name.
 */
type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;
interface TemplateJson {
  Resources: Resources;
  Outputs?: Record<string, unknown>;
}

function fleet(providers: readonly ResolvedProvider[], stage?: string, app: App = testApp()) {
  const built = new TokenRefresherFleet(app, `Fleet${stage ?? ''}`, {
    providers,
    functionEntry: STUB_ENTRY,
    ...(stage ? { stage } : {}),
  });
  const stacks: Stack[] = [built.sharedStack, ...built.refresherStacks.values()];
  // Synthesised when first asked, so that two stages can be built in one app first.
  let templates: Map<string, TemplateJson> | undefined;
  return {
    built,
    stacks,
    get templates() {
      return (templates ??= new Map(stacks.map((s) => [s.stackName, Template.fromStack(s).toJSON() as TemplateJson])));
    },
  };
}

const resolved = (count: number) => parseProvidersFile({ providers: fleetProviders(count) }, 'fleet');

/** What belongs to one provider: its resources in its refresher stack and its credentials secret, by stack. */
function ownResources(templates: Map<string, TemplateJson>, constructId: string) {
  const own: Record<string, Resources> = {};
  for (const [stackName, template] of templates) {
    const mine = Object.entries(template.Resources).filter(([id]) => id.startsWith(constructId));
    if (mine.length > 0) own[stackName] = Object.fromEntries(mine);
  }
  return own;
}

describe('a stage of 200 providers', () => {
  const { stacks, templates, built } = fleet(resolved(200));

  it('fits every template inside CloudFormation’s limits with at least 10 % to spare', () => {
    for (const stack of stacks) {
      const template = templates.get(stack.stackName)!;
      const resources = Object.keys(template.Resources).length;
      const outputs = Object.keys(template.Outputs ?? {}).length;
      const bytes = Buffer.byteLength(JSON.stringify(template));
      expect(resources, `${stack.stackName} resources`).toBeLessThanOrEqual(450);
      expect(outputs, `${stack.stackName} outputs`).toBeLessThanOrEqual(180);
      expect(bytes, `${stack.stackName} template bytes`).toBeLessThanOrEqual(900_000);
    }
  });

  it('spreads the refreshers over the refresher stacks, none above its limit, none grouped by hand', () => {
    expect(built.refreshers.size).toBe(200);
    for (const stack of built.refresherStacks.values()) {
      const providers = [...built.refreshers.values()].filter((r) => Stack.of(r) === stack).length;
      expect(providers).toBeGreaterThan(0);
      expect(providers).toBeLessThanOrEqual(MAX_PROVIDERS_PER_STACK);
    }
  });
});

describe('adding or removing a provider', () => {
  const all = resolved(41);
  const base = all.slice(1, 41);
  // Bundled (the stub entry: milliseconds), so that the functions' code hashes are the bundle's, as in
  // a deployment: an app that skips bundling gets a placeholder hash named after the first refresher.
  const bundlingApp = () => testApp({ context: { 'aws:cdk:bundling-stacks': ['**'] } });
  const n = fleet(base, undefined, bundlingApp());
  // Added in front, removed from the middle: a grouping by position would move the others.
  const plusOne = fleet([all[0]!, ...base], undefined, bundlingApp());
  const minusOne = fleet([...base.slice(0, 20), ...base.slice(21)], undefined, bundlingApp());
  const common = [...base.slice(0, 20), ...base.slice(21)];

  it.each([
    ['N + 1', plusOne],
    ['N − 1', minusOne],
  ])('leaves every other provider’s resources, logical ids and stack exactly as they were (%s)', (_, other) => {
    for (const provider of common) {
      const constructId = n.built.refreshers.get(provider.settings.id)!.node.id;
      const before = ownResources(n.templates, constructId);
      // Its credentials secret in the shared stack, everything else in the one refresher stack its id hashes to.
      expect(Object.keys(before), provider.settings.id).toHaveLength(2);
      expect(ownResources(other.templates, constructId), provider.settings.id).toEqual(before);
    }
  });

  it('keeps every credentials secret in the shared stack, where no regrouping reaches it', () => {
    const secrets = Object.values(n.templates.get('TokenRefresher')!.Resources).filter(
      (r) => r.Type === 'AWS::SecretsManager::Secret',
    );
    expect(secrets).toHaveLength(base.length);
    for (const stack of n.built.refresherStacks.values()) {
      Template.fromStack(stack).resourceCountIs('AWS::SecretsManager::Secret', 0);
    }
  });
});

describe('the stack a 0.1.0 deployment created the token secret in', () => {
  const { built, templates } = fleet(shippedProviders());

  it('is the shared stack: every refresher imports its id, to recognise a token secret it created', () => {
    const shared = templates.get(built.sharedStack.stackName)!;
    const exported = new Map(
      Object.values(shared.Outputs ?? {}).map((o) => {
        const output = o as { Value: unknown; Export: { Name: string } };
        return [output.Export?.Name, output.Value];
      }),
    );
    let refreshers = 0;
    for (const stack of built.refresherStacks.values()) {
      for (const resource of Object.values(templates.get(stack.stackName)!.Resources)) {
        if (resource.Type !== 'AWS::Lambda::Function') continue;
        const { config } = functionEnvironment(resource) as { config: { resources: { legacyStackId: string } } };
        const imported = intrinsicOf(config.resources.legacyStackId) as { 'Fn::ImportValue': string };
        expect(exported.get(imported['Fn::ImportValue'])).toEqual({ Ref: 'AWS::StackId' });
        refreshers++;
      }
    }
    // Parameter Store refreshers too: an export only some stacks import could not be removed later.
    expect(refreshers).toBe(built.refreshers.size);
  });
});

describe('two stages in one account and region', () => {
  const app = testApp();
  const staging = fleet(shippedProviders(), 'staging', app);
  const prod = fleet(shippedProviders(), 'prod', app);

  /** Every name a stage gives to something in the account: stacks, secrets, parameters, alarms, schedules, dashboard, role paths, metrics. */
  function names(stage: ReturnType<typeof fleet>): Set<string> {
    const found = new Set<string>();
    for (const [stackName, template] of stage.templates) {
      found.add(`stack:${stackName}`);
      for (const resource of Object.values(template.Resources)) {
        const p = resource.Properties ?? {};
        for (const key of ['Name', 'AlarmName', 'DashboardName', 'Path']) {
          if (typeof p[key] === 'string') found.add(`${resource.Type}:${p[key]}`);
        }
        if (resource.Type === 'AWS::Lambda::Function') {
          const { config } = functionEnvironment(resource) as {
            config: { resources: Record<string, unknown> };
          };
          found.add(`state:${config.resources.stateParameterName as string}`);
          found.add(`token:${JSON.stringify(config.resources.tokenStore)}`);
          found.add(`metrics:${config.resources.metricsNamespace as string}`);
        }
      }
    }
    return found;
  }

  it('synthesises side by side and shares no name', () => {
    const a = names(staging);
    const b = names(prod);
    expect(a.size).toBeGreaterThan(40);
    expect([...a].filter((name) => b.has(name))).toEqual([]);
    expect([...a].some((name) => name.includes('token-refresher-staging/'))).toBe(true);
  });

  it('keeps provider x-nagra of the default stage apart from provider nagra of stage x', () => {
    // GIVEN two ids that, joined to their stage by "-", read the same
    const app = testApp();
    const entry = (id: string) => ({ id, preset: 'nagra', baseUrl: 'https://ovp.example.com:8443', clientId: 'crm' });
    const defaultStage = fleet(parseProvidersFile({ providers: [entry('x-nagra')] }, 'default'), undefined, app);
    const stageX = fleet(parseProvidersFile({ providers: [entry('nagra')] }, 'x'), 'x', app);
    // WHEN
    const a = names(defaultStage);
    const b = names(stageX);
    // THEN no alarm, schedule or anything else shares a name; the default stage keeps its names
    expect([...a].filter((name) => b.has(name))).toEqual([]);
    expect(a).toContain('AWS::Scheduler::Schedule:token-refresher-x-nagra');
    expect(a).toContain('AWS::CloudWatch::Alarm:token-refresher-x-nagra-TokenFreshness');
    expect(b).toContain('AWS::Scheduler::Schedule:token-refresher-x_nagra');
    expect(b).toContain('AWS::CloudWatch::Alarm:token-refresher-x_nagra-TokenFreshness');
  });

  it('tags every stack with its stage, by which the CLI finds them', () => {
    for (const stack of staging.stacks)
      expect(stack.tags.tagValues()).toMatchObject({ 'token-refresher:stage': 'staging' });
  });
});

describe('mistakes', () => {
  it('refuses a stage name that cannot be part of every name', () => {
    expect(() => fleet(shippedProviders(), 'Prod_1')).toThrow('stage "Prod_1" must be 1 to 20 lowercase letters');
  });

  it('refuses more providers than a stage holds, and says to split them over stages', () => {
    expect(() => fleet(resolved(221))).toThrow(/221 providers in one stage, at most 220.*split them over two stages/);
  });
});
