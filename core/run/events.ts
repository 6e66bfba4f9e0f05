import { lifecycleEvent, OUTBOX_MAX, type PendingEvent } from '../../contract/event-records.js';
import { errorName } from './aws-call.js';
import type { RunContext } from './context.js';
import { decideTransitions, type RunSeen } from './transitions.js';
import type { RunReport } from './types.js';

export type { EventPublisher } from '../ports.js';
export type { EventsDeps } from './types.js';

/** What the transitions look at in the report: codes, the guarded version, the renewal; never prose. */
function seenIn(run: RunContext, report: RunReport): RunSeen {
  const { result, guardEngaged } = report;
  const { guard } = run.ledger.state;
  const redact = (code: string) => run.redactor.redact(code);
  return {
    outcome: result.outcome,
    ...(result.error ? { failure: { kind: result.error.kind, code: redact(result.error.code) } } : {}),
    guardEngaged,
    ...(guard ? { guard: { credentialsVersion: guard.credentialsVersion, code: redact(guard.code) } } : {}),
    ...(result.outcome === 'refreshed' && result.grant && result.expiresAt !== undefined
      ? { renewed: { grant: result.grant, expiresAt: result.expiresAt } }
      : {}),
  };
}

/**
 * After the run: records the transitions it made, then delivers every recorded event, then clears
 * what was delivered (docs/events.md "Delivery"). The record goes into the ledger, with the health
 * that decides it, in one write, before anything is sent: an event is delivered only once it is on
 * record, and a run that cannot record it sends nothing, so the next run, reading the same health,
 * decides the same transition again. Whatever fails here is logged and counted
 * (`eventsUndelivered`), never reported as the run's failure; the next run retries. Only a run whose
 * ledger was read takes part: a state it could not read says nothing about the provider's health.
 */
export async function announceTransitions(run: RunContext, report: RunReport): Promise<RunReport> {
  const events = run.deps.events;
  if (events === undefined || !run.ledger.loaded) return report;
  const { ledger } = run;
  const before = ledger.state.health;
  const decided = decideTransitions(before, seenIn(run, report), run.deps.clock.now(), events);
  const outbox = [...(ledger.state.outbox ?? []), ...decided.events];
  const dropped = Math.max(0, outbox.length - OUTBOX_MAX);
  if (dropped > 0) run.log.warn('undelivered events dropped: the ledger keeps the newest only', { dropped });
  if (decided.events.length > 0 || JSON.stringify(decided.health) !== JSON.stringify(before)) {
    // Other changes of the run the ledger holds unsaved ride along: each is one the run's own save would store.
    ledger.update({ health: decided.health, outbox: outbox.slice(-OUTBOX_MAX) });
    const unsaved = await ledger.save();
    if (unsaved) {
      run.log.warn('transition not recorded; the next run decides it again', { code: unsaved.code });
      return { ...report, eventsUndelivered: outbox.length };
    }
  }
  return { ...report, eventsUndelivered: dropped + (await deliver(run, events)) };
}

/** Sends the outbox; clears what the bus accepted. The number of events left undelivered comes back. */
async function deliver(run: RunContext, events: NonNullable<RunContext['deps']['events']>): Promise<number> {
  const { ledger } = run;
  const pending = ledger.state.outbox ?? [];
  if (pending.length === 0) return 0;
  const where = { provider: run.settings.id, stage: events.stage, scope: events.scope };
  const built = pending.map((record) => ({ record, event: lifecycleEvent(record, where) }));
  const sendable = built.flatMap((b) => (b.event ? [b.event] : []));
  if (sendable.length < built.length) run.log.warn('unreadable event records dropped', { code: 'event_unreadable' });
  let accepted: ReadonlySet<string> = new Set();
  try {
    if (sendable.length > 0) accepted = new Set(await run.aws((signal) => events.publisher.publish(sendable, signal)));
  } catch (e) {
    run.log.warn('events not delivered; the next run retries', { code: 'events_not_delivered', error: errorName(e) });
  }
  const left: PendingEvent[] = built.filter((b) => b.event && !accepted.has(b.event.id)).map((b) => b.record);
  const delivered = sendable.filter((e) => accepted.has(e.id));
  if (delivered.length > 0) {
    run.log.info('events delivered', { events: delivered.map((e) => ({ detailType: e.detailType, id: e.id })) });
  }
  if (left.length < pending.length) {
    // Cleared only now that the bus has them. Should this write fail, the next run sends them again,
    // with the same ids (docs/events.md "Delivery").
    ledger.update({ outbox: left.length > 0 ? left : undefined });
    const unsaved = await ledger.save();
    if (unsaved) run.log.warn('delivered events not cleared; the next run sends them again', { code: unsaved.code });
  }
  return left.length + (built.length - sendable.length);
}
