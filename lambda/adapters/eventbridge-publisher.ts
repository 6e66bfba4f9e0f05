import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE, type LifecycleEvent } from '../../contract/events.js';
import type { EventPublisher } from '../../core/ports.js';

/** PutEvents takes at most this many entries per request. */
const MAX_ENTRIES = 10;

/**
 * Puts lifecycle events on an EventBridge bus (docs/events.md): `source` the project's name, one
 * `detail-type` per transition, the detail as the core built and checked it. PutEvents has no
 * idempotency key: an entry it accepted twice is two events, told apart by consumers through the
 * detail's `eventId`. An entry it refuses (FailedEntryCount, each with its ErrorCode) is simply not
 * among the ids returned, so the core keeps it for the next run.
 */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    /** A bus name or ARN; `default` is the account's default bus. */
    private readonly busName: string,
  ) {}

  async publish(events: readonly LifecycleEvent[], signal?: AbortSignal): Promise<readonly string[]> {
    const accepted: string[] = [];
    for (let at = 0; at < events.length; at += MAX_ENTRIES) {
      const batch = events.slice(at, at + MAX_ENTRIES);
      const answer = await this.client.send(
        new PutEventsCommand({
          Entries: batch.map((e) => ({
            EventBusName: this.busName,
            Source: EVENT_SOURCE,
            DetailType: e.detailType,
            Detail: JSON.stringify(e.detail),
            Time: new Date(e.time),
          })),
        }),
        { abortSignal: signal },
      );
      // Result entries are in the order of the request's; one with an ErrorCode (or none at all) was not put.
      const results = answer.Entries ?? [];
      batch.forEach((e, i) => {
        const result = results[i];
        if (result?.EventId !== undefined && result.ErrorCode === undefined) accepted.push(e.id);
      });
    }
    return accepted;
  }
}
