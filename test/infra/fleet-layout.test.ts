import { type App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  type CredentialsLayout,
  MAX_PROVIDERS_PER_STACK,
  refresherStackResources,
  RESOURCES_OF_SHARED_STACK,
} from '../../providers/fleet.js';
import { parseProvidersFile, type ResolvedProvider } from '../../providers/providers-file.js';
import { TokenRefresherFleet } from '../../lib/token-refresher-fleet.js';
import { fleetProviders } from '../../scripts/fleet-file.js';
import { functionEnvironment, intrinsicOf, STUB_ENTRY, testApp } from './fixtures.js';

/**
 * The `refresher-stacks` layout (providers/fleet.ts): each credentials secret lives in its
 * refresher's stack, so the shared stack no longer grows with the providers; and what moving a
 * stage from the `shared-stack` layout relies on (docs/stage-layout.md).
 */
type Resource = {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};
interface TemplateJson {
  Resources: Record<string, Resource>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }>;
}

function fleet(providers: readonly ResolvedProvider[], layout?: CredentialsLayout, stage?: string, app?: App) {
  // With the CDK metadata resource, as `cdk synth` writes it: it counts against the 500.
  const built = new TokenRefresherFleet(app ?? testApp({ context: { 'aws:cdk:version-reporting': true } }), 'Fleet', {
    providers,
    functionEntry: STUB_ENTRY,
    ...(stage ? { stage } : {}),
    ...(layout ? { credentialsLayout: layout } : {}),
  });
  const stacks: Stack[] = [built.sharedStack, ...built.refresherStacks.values()];
  const templates = new Map(stacks.map((s) => [s.stackName, Template.fromStack(s).toJSON() as TemplateJson]));
  return { built, templates };
}

const resolved = (count: number) => parseProvidersFile({ providers: fleetProviders(count) }, 'fleet');
const ofType = (t: TemplateJson, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);

describe('a stage of 250 providers with each credentials secret in its refresher stack', () => {
  const { built, templates } = fleet(resolved(250), 'refresher-stacks');
  const shared = templates.get(built.sharedStack.stackName)!;

  it('keeps the shared stack at what every stage has, whatever the number of providers', () => {
    expect(Object.keys(shared.Resources)).toHaveLength(RESOURCES_OF_SHARED_STACK);
    expect(ofType(shared, 'AWS::SecretsManager::Secret')).toHaveLength(0);
  });

  it('holds in each refresher stack its refreshers and their secrets, as providers/fleet.ts counts them, within the limits', () => {
    let secrets = 0;
    for (const stack of built.refresherStacks.values()) {
      const template = templates.get(stack.stackName)!;
      const providers = [...built.refreshers.values()].filter((r) => Stack.of(r) === stack).length;
      const resources = Object.keys(template.Resources).length;
      const outputs = Object.keys(template.Outputs ?? {}).length;
      expect(providers).toBeLessThanOrEqual(MAX_PROVIDERS_PER_STACK);
      expect(ofType(template, 'AWS::SecretsManager::Secret')).toHaveLength(providers);
      expect(resources, stack.stackName).toBe(refresherStackResources(providers, providers));
      expect(resources).toBeLessThanOrEqual(450);
      expect(outputs).toBeLessThanOrEqual(180);
      expect(Buffer.byteLength(JSON.stringify(template))).toBeLessThanOrEqual(900_000);
      secrets += providers;
    }
    expect(secrets).toBe(250);
    expect(built.refresherStacks.size).toBeGreaterThan(16);
  });

  it('names its refresher stacks apart from those of the shared-stack layout', () => {
    for (const name of templates.keys()) {
      if (name !== built.sharedStack.stackName) expect(name).toMatch(/^TokenRefresher-r\d\d$/);
    }
  });

  it('tells every refresher the shared stack as the one that created 0.1.0 token secrets', () => {
    const exported = new Map(Object.values(shared.Outputs ?? {}).map((o) => [o.Export?.Name, o.Value]));
    for (const stack of built.refresherStacks.values()) {
      for (const [, fn] of ofType(templates.get(stack.stackName)!, 'AWS::Lambda::Function')) {
        const { config } = functionEnvironment(fn) as { config: { resources: { legacyStackId: string } } };
        const imported = intrinsicOf(config.resources.legacyStackId) as { 'Fn::ImportValue': string };
        expect(exported.get(imported['Fn::ImportValue'])).toEqual({ Ref: 'AWS::StackId' });
      }
    }
  });
});

describe('adding or removing a provider with each credentials secret in its refresher stack', () => {
  const all = resolved(61);
  const base = all.slice(1);
  // Bundled (the stub entry: milliseconds), so that code hashes are the bundle's, as in a deployment.
  const app = () => testApp({ context: { 'aws:cdk:bundling-stacks': ['**'] } });
  const n = fleet(base, 'refresher-stacks', undefined, app());
  const plusOne = fleet(all, 'refresher-stacks', undefined, app());
  const minusOne = fleet([...base.slice(0, 30), ...base.slice(31)], 'refresher-stacks', undefined, app());

  it.each([
    ['N + 1', plusOne, all[0]!.settings.id],
    ['N − 1', minusOne, base[30]!.settings.id],
  ])('changes the resources of one refresher stack only (%s)', (_, other, changed) => {
    const changedStack = Stack.of((other.built.refreshers.get(changed) ?? n.built.refreshers.get(changed))!).stackName;
    const names = new Set([...n.templates.keys(), ...other.templates.keys()]);
    const differing = [...names].filter(
      (name) =>
        JSON.stringify(n.templates.get(name)?.Resources) !== JSON.stringify(other.templates.get(name)?.Resources),
    );
    expect(differing).toEqual([changedStack]);
    // Not even the shared stack's exports change.
    expect(other.templates.get('TokenRefresher')!.Outputs).toEqual(n.templates.get('TokenRefresher')!.Outputs);
  });
});

describe('moving a stage between the layouts (docs/stage-layout.md)', () => {
  const providers = resolved(30);
  const old = fleet(providers, 'shared-stack');
  const moved = fleet(providers, 'refresher-stacks');
  const secretsOf = (templates: Map<string, TemplateJson>) =>
    [...templates.values()].flatMap((t) => [
      ...ofType(t, 'AWS::SecretsManager::Secret'),
      ...ofType(t, 'AWS::SecretsManager::ResourcePolicy'),
    ]);

  it('keeps every credentials secret’s name, and retains it and its resource policy, in both layouts', () => {
    const namesBefore = secretsOf(old.templates)
      .filter(([, r]) => r.Type === 'AWS::SecretsManager::Secret')
      .map(([, r]) => r.Properties!['Name'])
      .sort();
    const namesAfter = secretsOf(moved.templates)
      .filter(([, r]) => r.Type === 'AWS::SecretsManager::Secret')
      .map(([, r]) => r.Properties!['Name'])
      .sort();
    expect(namesAfter).toHaveLength(30);
    expect(namesAfter).toEqual(namesBefore);
    expect(namesAfter).toContain('token-refresher/tenant-000/credentials');
    for (const [id, resource] of [...secretsOf(old.templates), ...secretsOf(moved.templates)]) {
      expect([id, resource.DeletionPolicy, resource.UpdateReplacePolicy]).toEqual([id, 'Retain', 'Retain']);
    }
  });

  it('keeps the same logical id for each secret, so that an import maps it one to one', () => {
    const ids = (templates: Map<string, TemplateJson>) =>
      secretsOf(templates)
        .map(([id]) => id)
        .sort();
    expect(ids(moved.templates)).toEqual(ids(old.templates));
  });

  it('keeps the shared stack’s exports, so that its update leaves the old refresher stacks running', () => {
    expect(moved.templates.get('TokenRefresher')!.Outputs).toEqual(old.templates.get('TokenRefresher')!.Outputs);
  });

  it('gives the two layouts no refresher stack name in common', () => {
    const oldNames = [...old.templates.keys()].filter((n) => n !== 'TokenRefresher');
    for (const name of moved.templates.keys()) expect(oldNames).not.toContain(name);
  });
});

describe('the layout a stage gets', () => {
  it('keeps the default stage, the only one 0.1.0 deployed, in the shared stack; puts a named stage’s in the refresher stacks', () => {
    const providers = resolved(3);
    expect(fleet(providers).built.credentialsLayout).toBe('shared-stack');
    expect(fleet(providers, undefined, 'prod').built.credentialsLayout).toBe('refresher-stacks');
    expect(fleet(providers, 'refresher-stacks').built.credentialsLayout).toBe('refresher-stacks');
  });

  it('holds more than 220 providers only with the secrets in the refresher stacks', () => {
    expect(() => fleet(resolved(221), 'shared-stack')).toThrow(/credentialsLayout "refresher-stacks"/);
    expect(() => fleet(resolved(221), 'refresher-stacks')).not.toThrow();
  });
});
