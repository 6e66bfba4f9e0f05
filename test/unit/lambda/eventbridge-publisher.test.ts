import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { lifecycleEvent } from '../../../contract/event-records.js';
import type { LifecycleEvent } from '../../../contract/events.js';
import { EventBridgePublisher } from '../../../lambda/adapters/eventbridge-publisher.js';

const eb = mockClient(EventBridgeClient);
afterAll(() => eb.restore());
beforeEach(() => eb.reset());

const AT = Date.UTC(2026, 10, 23, 12, 0, 0);
const where = { provider: 'nagra-prod', stage: 'prod', scope: '/token-refresher-prod/nagra-prod/ledger' };
const event = (q: number): LifecycleEvent =>
  lifecycleEvent({ q, t: 'f', at: AT, k: 'transient', o: 'http_503', s: AT - 600_000, r: 3 }, where)!;
const publisher = () => new EventBridgePublisher(new EventBridgeClient({ region: 'eu-west-1' }), 'ops-bus');

describe('EventBridgePublisher (PutEvents through the SDK mock)', () => {
  it('puts one entry per event: the source, the detail-type, the detail as JSON, the time, the bus', async () => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'a' }] });

    const accepted = await publisher().publish([event(7)]);

    const [call] = eb.commandCalls(PutEventsCommand);
    expect(call!.args[0].input.Entries).toEqual([
      {
        EventBusName: 'ops-bus',
        Source: 'token-refresher',
        DetailType: 'Token Renewal Failed',
        Detail: JSON.stringify(event(7).detail),
        Time: new Date(AT),
      },
    ]);
    expect(JSON.parse(call!.args[0].input.Entries![0]!.Detail!)).toMatchObject({
      version: 1,
      provider: 'nagra-prod',
      stage: 'prod',
      kind: 'transient',
      code: 'http_503',
      consecutiveRuns: 3,
      since: '2026-11-23T11:50:00.000Z',
    });
    expect(accepted).toEqual([event(7).id]);
  });

  it('FailedEntryCount: only the entries without an ErrorCode count as put, in request order', async () => {
    eb.on(PutEventsCommand).resolves({
      FailedEntryCount: 2,
      Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }, { EventId: 'b' }, {}],
    });

    const accepted = await publisher().publish([event(1), event(2), event(3)]);

    expect(accepted).toEqual([event(2).id]);
  });

  it('a request that fails as a whole rejects (the core keeps every event for the next run)', async () => {
    eb.on(PutEventsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));

    await expect(publisher().publish([event(1)])).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('sends at most ten entries a request, as PutEvents takes', async () => {
    eb.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
      FailedEntryCount: 0,
      Entries: input.Entries.map((_, i) => ({ EventId: String(i) })),
    }));

    const events = Array.from({ length: 12 }, (_, i) => event(i));
    const accepted = await publisher().publish(events);

    expect(eb.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries!.length)).toEqual([10, 2]);
    expect(accepted).toEqual(events.map((e) => e.id));
  });
});
