import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { DETAIL_TYPE, EVENT_SOURCE, type Transition, TRANSITIONS } from '../../../contract/events.js';
import { type RefreshDeps, type RunReport, runRefresh } from '../../../core/refresh.js';
import { EventBridgePublisher } from '../../../lambda/adapters/eventbridge-publisher.js';
import { runMetrics } from '../../../lambda/adapters/metrics.js';
import { METRIC } from '../../../contract/metrics.js';
import { type BusEvent, mockEventBus, publishedSchemas } from '../../helpers/event-bus.js';
import { answer, invalidGrant, keycloakSettings, MemoryCredentials, makeWorld, tokenAnswer } from './fakes.js';

/**
 * The real core over a simulated week, every five minutes, with faults: setup waiting for
 * credentials, a short IdP blip, a two-hour outage during which EventBridge first fails and then
 * refuses the entries, a rejection followed by wrong and then right new credentials, a
 * configuration error met by two containers at once, and a cold start (new clients) every seventh
 * run. Events go through the real EventBridge adapter to a mocked bus.
 */
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const PROSE = 'IDP-PROSE-8c1f';
const PASSWORD = 'pw-Secret-week-1';

const bus = mockEventBus();
afterAll(() => bus.mock.restore());
beforeEach(() => {
  bus.accepted.length = 0;
  bus.requests = 0;
  bus.state = 'up';
});

type Idp = 'ok' | 'down' | 'reject' | 'scope';

async function week(options: { tokenRenewed?: boolean; overlap?: boolean } = {}) {
  const settings = keycloakSettings({
    expectedLifetimeSeconds: 3600,
    checkIntervalMinutes: 5,
    safetyMarginSeconds: 600,
  });
  const credentials = MemoryCredentials.missing();
  let idp: Idp = 'ok';
  const w = await makeWorld(
    settings,
    () => {
      if (idp === 'down') return answer(503, `<html>${PROSE} down</html>`);
      if (idp === 'reject') return invalidGrant(`${PROSE}: invalid user credentials for ${PASSWORD}`, 401);
      if (idp === 'scope') return answer(400, { error: 'invalid_scope', error_description: `${PROSE} scope` });
      return tokenAnswer({ expires_in: 3600, refresh_expires_in: 36_000 });
    },
    credentials,
  );
  const container = (): RefreshDeps => ({
    ...w.deps,
    events: {
      publisher: new EventBridgePublisher(new EventBridgeClient({ region: 'eu-west-1' }), 'default'),
      stage: 'prod',
      scope: '/token-refresher-prod/kc/ledger',
      tokenRenewed: options.tokenRenewed ?? false,
    },
  });
  const start = w.clock.now();
  const reports: { at: number; report: RunReport }[] = [];
  let deps = container();
  const runAt = async (at: number, force = false) => {
    w.clock.ms = at;
    const report = await runRefresh(deps, { force, deadlineMs: at + 20_000, endMs: at + 29_000 });
    reports.push({ at, report });
    return report;
  };
  for (let run = 0; run < 7 * 288; run++) {
    const at = start + run * 5 * MIN;
    const t = at - start;
    if (run % 7 === 0) deps = container(); // a cold start: new clients, nothing of the last run's
    if (run === 3) credentials.unavailable = undefined; // operators fill the secret
    credentials.values = { username: 'alice', password: PASSWORD };
    idp = 'ok';
    if (t >= DAY && t < DAY + 10 * MIN) idp = 'down'; // a blip: at most two failing runs
    if (t >= DAY + 6 * HOUR && t < DAY + 8 * HOUR) idp = 'down';
    bus.state = t >= DAY + 6 * HOUR && t < DAY + 7 * HOUR ? 'down' : 'up';
    if (t >= DAY + 7 * HOUR && t < DAY + 7 * HOUR + 10 * MIN) bus.state = 'refuse';
    if (t >= 2 * DAY && t < 2 * DAY + 4 * HOUR) idp = 'reject';
    if (t === 2 * DAY + 2 * HOUR) credentials.rotate({ username: 'alice', password: 'still-wrong-1' });
    if (t === 2 * DAY + 4 * HOUR) credentials.rotate({ username: 'alice', password: PASSWORD });
    if (t >= 3 * DAY + 3 * HOUR && t < 3 * DAY + 4 * HOUR) idp = 'scope';
    if (options.overlap && idp === 'scope') {
      // Two containers at once (a forced run beside the schedule): both read the same health.
      const other = container();
      w.clock.ms = at;
      const [a, b] = await Promise.all([
        runRefresh(deps, { deadlineMs: at + 20_000, endMs: at + 29_000 }),
        runRefresh(other, { deadlineMs: at + 20_000, endMs: at + 29_000 }),
      ]);
      reports.push({ at, report: a }, { at, report: b });
      continue;
    }
    await runAt(at);
    // The configuration block holds scheduled runs until an operator forces one after the fix.
    if (t === 3 * DAY + 5 * HOUR) await runAt(at + MIN, true);
  }
  return { reports, start };
}

const byId = (events: readonly BusEvent[]) => {
  const ids = new Map<string, BusEvent[]>();
  for (const e of events) ids.set(e.detail.eventId, [...(ids.get(e.detail.eventId) ?? []), e]);
  return ids;
};
const transitionOf = (e: BusEvent) => TRANSITIONS.find((t) => DETAIL_TYPE[t] === e['detail-type'])!;

describe('lifecycle events over a simulated week with faults', () => {
  it('one event per transition, in order, each on the bus exactly once, none on healthy runs', async () => {
    const { reports } = await week();
    const ids = byId(bus.accepted);
    const distinct = [...ids.values()].map((copies) => copies[0]!);
    const summary = distinct.map((e) => {
      const d = e.detail;
      const what = [d.kind, d.condition, d.code, d.credentialsVersion, d.consecutiveRuns] as (string | number)[];
      return [transitionOf(e), ...what.filter((x) => x !== undefined).map(String)].join(' ');
    });

    expect(summary).toEqual([
      'waiting-for-credentials',
      'recovered waiting-for-credentials',
      'renewal-failed transient http_503 3',
      'recovered renewal-failed',
      'credentials-rejected invalid_grant v1',
      'credentials-rejected invalid_grant v2',
      'recovered credentials-rejected',
      'renewal-failed configuration invalid_scope 1',
      'recovered renewal-failed',
    ]);
    // Exactly once: no transition was delivered twice, though runs failed to deliver and containers came and went.
    expect([...ids.values()].map((copies) => copies.length)).toEqual(distinct.map(() => 1));
    // Undelivered on the runs EventBridge failed or refused, counted, and delivered by a later run.
    const undelivered = reports.filter((r) => (r.report.eventsUndelivered ?? 0) > 0);
    expect(undelivered.length).toBeGreaterThanOrEqual(2);
    for (const r of undelivered) {
      expect(r.report.result.outcome).toBe('failed'); // the outage's runs: their own failure, not the bus's
      expect(runMetrics(r.report).provider[METRIC.eventsUndelivered]).toEqual([r.report.eventsUndelivered]);
    }
    expect(
      reports
        .filter((r) => (r.report.eventsUndelivered ?? 0) === 0)
        .every((r) => !(METRIC.eventsUndelivered in runMetrics(r.report).provider)),
    ).toBe(true);
    // The outage's event, decided while the bus was down, says when failing began: two runs before it.
    const failed = distinct.find((e) => transitionOf(e) === 'renewal-failed')!;
    expect(Date.parse(failed.detail.time as string) - Date.parse(failed.detail.since as string)).toBe(10 * MIN);
    // A healthy run puts nothing: over the last three days (all healthy), no request at all.
    const quiet = reports.filter((r) => r.at - reports[0]!.at >= 4 * DAY);
    expect(quiet.every((r) => r.report.result.outcome !== 'failed')).toBe(true);
    expect(bus.accepted.filter((e) => Date.parse(e.detail.time as string) - reports[0]!.at >= 4 * DAY)).toEqual([]);
  }, 60_000);

  it('every event follows its published JSON Schema, names the project and the stage, and holds no prose or secret', async () => {
    await week({ tokenRenewed: true });
    const schemas = publishedSchemas();
    const seen = new Set<Transition>();
    for (const e of bus.accepted) {
      const transition = transitionOf(e);
      seen.add(transition);
      const checked = schemas[transition].safeParse({
        source: e.source,
        'detail-type': e['detail-type'],
        detail: e.detail,
      });
      expect(checked.success, `${e['detail-type']}: ${JSON.stringify(checked.error?.issues)}`).toBe(true);
      expect(e).toMatchObject({ source: EVENT_SOURCE, busName: 'default', detail: { provider: 'kc', stage: 'prod' } });
      expect(e.raw).not.toContain(PROSE);
      expect(e.raw).not.toContain(PASSWORD);
      expect(e.raw.toLowerCase()).not.toContain('invalid user credentials');
    }
    expect([...seen].sort()).toEqual(TRANSITIONS.filter((t) => t !== 'reconnect-needed').sort());
    // Opted in: every renewal is one more event, once each.
    const renewed = bus.accepted.filter((e) => transitionOf(e) === 'token-renewed');
    expect(renewed.length).toBeGreaterThan(100);
    expect(new Set(renewed.map((e) => e.detail.eventId)).size).toBe(renewed.length);
  }, 60_000);

  it('two containers deciding one transition at once put it under one id, so consumers keep one', async () => {
    await week({ overlap: true });
    const failed = bus.accepted.filter(
      (e) => transitionOf(e) === 'renewal-failed' && e.detail.kind === 'configuration',
    );

    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(failed.length).toBeLessThanOrEqual(2); // PutEvents has no idempotency key (docs/events.md "Delivery")
    expect(new Set(failed.map((e) => e.raw)).size).toBe(1);
    expect(bus.accepted.filter((e) => transitionOf(e) === 'recovered')).toHaveLength(4);
  }, 60_000);
});
