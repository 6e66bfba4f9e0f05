import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { planStage } from '../../cli/plan/plan.js';
import { renderPlan } from '../../cli/plan/command.js';
import { renewingRunCalls } from '../../cli/plan/run-calls.js';
import { TokenRefresherFleet } from '../../lib/token-refresher-fleet.js';
import { parseProvidersFile } from '../../providers/providers-file.js';
import { fleetProviders } from '../../scripts/fleet-file.js';
import { STUB_ENTRY, testApp } from '../infra/fixtures.js';

/** `plan`'s quotas (cli/plan/stage-quotas.ts): what a stage needs of the account before it deploys. */
const resolved = (count: number) => parseProvidersFile({ providers: fleetProviders(count) }, 'fleet');

describe('the quotas of a 1,000-provider stage', () => {
  const providers = resolved(1000);
  const plan = planStage(providers, 'big');

  it('needs one reserved execution per refresher plus the 100 Lambda keeps unreserved, above the default 1,000', () => {
    expect(plan.quotas.lambda).toEqual({
      reserved: 1000,
      accountConcurrencyNeeded: 1100,
      defaultAccountConcurrency: 1000,
    });
    expect(renderPlan(plan).replace(/\s+/g, ' ')).toContain(
      'quota must be at least 1,100 (the default is 1,000: ask for more',
    );
  });

  it('counts Parameter Store reads at the busiest minute, which the spread schedules keep below their all-at-once sum', () => {
    const readsPerRun = (p: (typeof providers)[number]) =>
      renewingRunCalls(p.settings).stateReads +
      (p.store === 'parameterstore' ? renewingRunCalls(p.settings).tokenReads : 0);
    // Every schedule at minute 0, as rate expressions created by one deploy would run.
    const allAtOnce = providers.reduce((sum, p) => sum + readsPerRun(p), 0);
    const { ssm } = plan.quotas;
    expect(ssm.busiestMinuteReads).toBeGreaterThan(0);
    expect(ssm.busiestMinuteReads).toBeLessThan(allAtOnce);
    expect(ssm.peakReadsPerSecond).toBeCloseTo(ssm.busiestMinuteReads / 60, 10);
    expect(ssm.defaultGetTps).toBe(40);
    expect(ssm.higherThroughputUsdPer10k).toBe(0.05);
  });

  it('deploys 65 stacks, none above 450 resources or 180 outputs, at most $1.50 a provider a month', () => {
    expect(plan.credentialsLayout).toBe('refresher-stacks');
    expect(plan.quotas.deploy.stacks).toBe(plan.stacks.length);
    expect(plan.quotas.deploy.stacks).toBe(65);
    expect(plan.quotas.deploy.largestTemplateResources).toBeLessThanOrEqual(450);
    expect(plan.quotas.deploy.largestTemplateOutputs).toBeLessThanOrEqual(180);
    expect(plan.totalUsd / 1000).toBeLessThanOrEqual(1.5);
  });
});

describe('the deploy plan shows', () => {
  it.each(['refresher-stacks', 'shared-stack'] as const)(
    'the stacks and largest template the CDK app synthesizes (%s)',
    (layout) => {
      const providers = resolved(60);
      const fleet = new TokenRefresherFleet(testApp({ context: { 'aws:cdk:version-reporting': true } }), 'Fleet', {
        providers,
        functionEntry: STUB_ENTRY,
        credentialsLayout: layout,
      });
      const templates = [fleet.sharedStack, ...fleet.refresherStacks.values()].map(
        (s: Stack) => Template.fromStack(s).toJSON() as { Resources: object; Outputs?: object },
      );
      const { deploy } = planStage(providers, undefined, layout).quotas;
      expect(deploy.stacks).toBe(templates.length);
      expect(deploy.largestTemplateResources).toBe(Math.max(...templates.map((t) => Object.keys(t.Resources).length)));
      expect(deploy.largestTemplateOutputs).toBe(
        Math.max(...templates.slice(1).map((t) => Object.keys(t.Outputs ?? {}).length)),
      );
    },
  );
});
