/**
 * The refresher role and lifecycle events (docs/events.md "Permissions"), evaluated on the
 * synthesized templates with the IAM policy simulator (test/helpers/iam-evaluator.ts): each refresher
 * may put its project's events on its stage's bus, and nothing else on any bus.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DETAIL_TYPE } from '../../contract/events.js';
import { TokenRefresherFleet } from '../../lib/token-refresher-fleet.js';
import { decide } from '../helpers/iam-evaluator.js';
import { AccessModel, templatesOf } from './access-model.js';
import { PARAMETER_STORE_ENTRY, resolvedProvider, STUB_ENTRY, testApp } from './fixtures.js';

let model: AccessModel;
beforeAll(() => {
  const app = testApp();
  const providers = [resolvedProvider({ ...PARAMETER_STORE_ENTRY, id: 'alpha' })];
  new TokenRefresherFleet(app, 'Default', { providers, functionEntry: STUB_ENTRY });
  new TokenRefresherFleet(app, 'Ops', {
    providers,
    functionEntry: STUB_ENTRY,
    stage: 'ops',
    events: { busName: 'ops-bus', tokenRenewed: true },
  });
  model = new AccessModel(templatesOf(app));
}, 60_000);

const busArn = (name: string) =>
  `arn:aws:events:${model.resolver.env.region}:${model.resolver.env.account}:event-bus/${name}`;

async function mayPut(
  stage: string,
  bus: string,
  source = 'token-refresher',
  detailType = DETAIL_TYPE['renewal-failed'],
) {
  const refresher = model.refreshers.find((r) => r.stage === stage)!;
  return decide({
    principal: refresher.principal,
    action: 'events:PutEvents',
    resource: busArn(bus),
    // One value per entry of the request (the keys are multivalued): here, one entry.
    context: { 'events:source': [source], 'events:detail-type': [detailType] },
  });
}

describe('lifecycle events: who may put what on which bus', () => {
  it('each refresher is told its stage and bus, and whether renewals are events', () => {
    const events = Object.fromEntries(model.refreshers.map((r) => [r.stage, r.config.resources.events]));

    expect(events).toEqual({
      default: { busName: 'default', stage: 'default', tokenRenewed: false },
      ops: { busName: busArn('ops-bus'), stage: 'ops', tokenRenewed: true },
    });
  });

  it.each(Object.values(DETAIL_TYPE))('the refresher may put "%s" on its own bus', async (detailType) => {
    expect(await mayPut('default', 'default', 'token-refresher', detailType)).toBe('Allowed');
    expect(await mayPut('ops', 'ops-bus', 'token-refresher', detailType)).toBe('Allowed');
  });

  it('not even one entry of another source beside its own', async () => {
    const refresher = model.refreshers.find((r) => r.stage === 'default')!;
    const decision = await decide({
      principal: refresher.principal,
      action: 'events:PutEvents',
      resource: busArn('default'),
      context: { 'events:source': ['token-refresher', 'payments'], 'events:detail-type': [DETAIL_TYPE.recovered] },
    });

    expect(decision).not.toBe('Allowed');
  });

  it("not on another stage's bus, nor with another source or detail-type", async () => {
    expect(await mayPut('ops', 'default')).not.toBe('Allowed');
    expect(await mayPut('default', 'ops-bus')).not.toBe('Allowed');
    expect(await mayPut('default', 'default', 'aws.ssm')).not.toBe('Allowed');
    expect(await mayPut('ops', 'ops-bus', 'payments')).not.toBe('Allowed');
    expect(await mayPut('default', 'default', 'token-refresher', 'Order Placed')).not.toBe('Allowed');
  });
});
