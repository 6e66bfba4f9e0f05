import { readFileSync } from 'node:fs';
import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandInput,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import * as z from 'zod';
import { EVENT_DETAIL_VERSION, type Transition, TRANSITIONS } from '../../contract/events.js';

/** One entry the bus accepted, as a rule would see it. */
export interface BusEvent {
  readonly source: string;
  readonly 'detail-type': string;
  readonly time: string;
  readonly busName: string;
  readonly detail: Record<string, unknown> & { readonly eventId: string };
  /** The entry's Detail exactly as sent. */
  readonly raw: string;
}

/**
 * EventBridge behind aws-sdk-client-mock: what it accepted, and a switch to make it fail the whole
 * request (`down`) or refuse every entry (`refuse`, FailedEntryCount with an ErrorCode each).
 */
export function mockEventBus() {
  const mock = mockClient(EventBridgeClient);
  const accepted: BusEvent[] = [];
  const bus = { state: 'up' as 'up' | 'down' | 'refuse', requests: 0, accepted, mock };
  let n = 0;
  mock.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => {
    bus.requests++;
    const entries: PutEventsRequestEntry[] = input.Entries ?? [];
    if (bus.state === 'down') throw Object.assign(new Error('unavailable'), { name: 'InternalException' });
    if (bus.state === 'refuse') {
      return {
        FailedEntryCount: entries.length,
        Entries: entries.map(() => ({ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' })),
      };
    }
    for (const e of entries) {
      accepted.push({
        source: e.Source!,
        'detail-type': e.DetailType!,
        time: e.Time!.toISOString(),
        busName: e.EventBusName!,
        detail: JSON.parse(e.Detail!) as BusEvent['detail'],
        raw: e.Detail!,
      });
    }
    return { FailedEntryCount: 0, Entries: entries.map(() => ({ EventId: `eb-${++n}` })) };
  });
  return bus;
}

/** The published JSON Schema of each transition (docs/events/), as a validator. */
export function publishedSchemas(): Record<Transition, z.ZodType> {
  return Object.fromEntries(
    TRANSITIONS.map((t) => {
      const url = new URL(`../../docs/events/${t}.v${EVENT_DETAIL_VERSION}.schema.json`, import.meta.url);
      return [t, z.fromJSONSchema(JSON.parse(readFileSync(url, 'utf8')) as Parameters<typeof z.fromJSONSchema>[0])];
    }),
  ) as Record<Transition, z.ZodType>;
}
