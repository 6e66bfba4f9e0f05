import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OUTBOX_MAX } from '../../../contract/event-records.js';
import { EVENT_DETAIL_VERSION, eventJsonSchemas, RECONNECT_NEEDED } from '../../../contract/events.js';
import type { EventPublisher } from '../../../core/run/events.js';
import { decideTransitions, type RunSeen } from '../../../core/run/transitions.js';
import { runRefresh } from '../../../core/refresh.js';
import { answer, keycloakSettings, makeWorld, tokenAnswer } from './fakes.js';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const off = { tokenRenewed: false };
const failed = (code: string, kind: 'transient' | 'configuration' = 'configuration'): RunSeen => ({
  outcome: 'failed',
  failure: { kind, code },
  guardEngaged: false,
});

describe('decideTransitions (pure)', () => {
  it('reconnect needed: one event keyed on the failure code, then none while it lasts, then recovered', () => {
    const first = decideTransitions({ q: 4 }, failed(RECONNECT_NEEDED), NOW, off);
    const again = decideTransitions(first.health, failed(RECONNECT_NEEDED), NOW + 60_000, off);
    const back = decideTransitions(
      again.health,
      { outcome: 'refreshed', guardEngaged: false, renewed: { grant: 'refresh_token', expiresAt: 1 } },
      NOW + 120_000,
      off,
    );

    expect(first.events).toEqual([{ q: 4, t: 'x', at: NOW, o: RECONNECT_NEEDED, s: NOW }]);
    expect(again.events).toEqual([]);
    expect(again.health).toEqual(first.health);
    expect(back.events).toEqual([{ q: 5, t: 'v', at: NOW + 120_000, c: 'x', s: NOW }]);
    expect(back.health).toEqual({ q: 6 });
  });

  it('a run that finds the token fresh changes nothing, whatever the condition', () => {
    const failing = decideTransitions(undefined, failed('invalid_scope'), NOW, off).health;
    const fresh = decideTransitions(failing, { outcome: 'fresh', guardEngaged: true }, NOW + 1, off);

    expect(fresh).toEqual({ health: failing, events: [] });
  });

  it('a rejection of another credentials version is a new event; the same version is not', () => {
    const rejected = (version: string): RunSeen => ({
      outcome: 'failed',
      failure: { kind: 'credentials', code: 'lockout_guard' },
      guardEngaged: true,
      guard: { credentialsVersion: version, code: 'invalid_grant' },
    });
    const a = decideTransitions(undefined, rejected('v1'), NOW, off);
    const b = decideTransitions(a.health, rejected('v1'), NOW + 1, off);
    const c = decideTransitions(b.health, rejected('v2'), NOW + 2, off);

    expect(a.events.map((e) => [e.t, e.o, e.v])).toEqual([['r', 'invalid_grant', 'v1']]);
    expect(b.events).toEqual([]);
    expect(c.events.map((e) => [e.t, e.v])).toEqual([['r', 'v2']]);
  });

  it('transient failures wait for the third in a row; a recovery before that is no event at all', () => {
    const one = decideTransitions({ q: 0 }, failed('http_503', 'transient'), NOW, off);
    const two = decideTransitions(one.health, failed('http_503', 'transient'), NOW + 1, off);
    const healed = decideTransitions(two.health, { outcome: 'refreshed', guardEngaged: false }, NOW + 2, off);

    expect([one.events, two.events, healed.events]).toEqual([[], [], []]);
    expect(healed.health).toEqual({ q: 0 });
  });
});

describe('delivery never fails or holds up the run', () => {
  async function failingWorld(publisher: EventPublisher) {
    const w = await makeWorld(keycloakSettings(), () => answer(400, { error: 'invalid_scope' }));
    const deps = {
      ...w.deps,
      awsCallTimeoutMs: 500,
      events: { publisher, stage: 'default', scope: '/s', tokenRenewed: false },
    };
    return { w, run: () => runRefresh(deps, { deadlineMs: w.clock.now() + 20_000 }) };
  }

  it('a bus that never answers: the run ends within the AWS call timeout, reports its own outcome, keeps the event', async () => {
    const { w, run } = await failingWorld({ publish: () => new Promise(() => {}) });
    const started = Date.now();

    const report = await run();

    expect(Date.now() - started).toBeLessThan(3_000);
    expect(report.result.error?.code).toBe('invalid_scope');
    expect(report.eventsUndelivered).toBe(1);
    expect(w.stateStore.state?.outbox).toHaveLength(1);
  });

  it('a publisher that throws: counted, logged without its text, the event kept for the next run', async () => {
    const { w, run } = await failingWorld({
      publish: () => Promise.reject(Object.assign(new Error('secret-ish text'), { name: 'InternalException' })),
    });

    const report = await run();

    expect(report.result.outcome).toBe('failed');
    expect(report.eventsUndelivered).toBe(1);
    expect(JSON.stringify(w.log.lines)).toContain('events_not_delivered');
    expect(JSON.stringify(w.log.lines)).not.toContain('secret-ish text');
  });

  it('a transition the ledger cannot record is not sent; the next run decides it again and sends it once', async () => {
    const sent: string[] = [];
    const { w, run } = await failingWorld({
      publish: async (e) => (sent.push(...e.map((x) => x.id)), e.map((x) => x.id)),
    });
    w.stateStore.failWrites = true;

    const unrecorded = await run();
    w.stateStore.failWrites = false;
    w.clock.advance(60);
    const recorded = await run();
    w.clock.advance(60);
    await run();

    expect(unrecorded.eventsUndelivered).toBe(1);
    expect(recorded.eventsUndelivered).toBe(0);
    expect(sent).toHaveLength(1);
    expect(w.stateStore.state?.outbox).toBeUndefined();
  });

  it('a ledger that could not be read decides nothing (its health is unknown) and writes nothing', async () => {
    const sent: unknown[] = [];
    const { w, run } = await failingWorld({ publish: async (e) => (sent.push(...e), e.map((x) => x.id)) });
    w.stateStore.read = () => Promise.reject(Object.assign(new Error('x'), { name: 'ThrottlingException' }));

    const report = await run();

    expect(report.result.error?.code).toBe('state_read_failed');
    expect(sent).toEqual([]);
    expect(w.stateStore.writes).toEqual([]);
  });

  it(`more undelivered transitions than the ledger keeps (${OUTBOX_MAX}): the oldest are dropped and counted`, async () => {
    let ok = false;
    const w = await makeWorld(keycloakSettings(), () => (ok ? tokenAnswer() : answer(400, { error: 'invalid_scope' })));
    const deps = {
      ...w.deps,
      events: {
        publisher: { publish: () => Promise.reject(new Error('down')) },
        stage: 'default',
        scope: '/s',
        tokenRenewed: true,
      },
    };
    const run = (force: boolean) => runRefresh(deps, { force, deadlineMs: w.clock.now() + 20_000 });
    await run(false); // renewal-failed
    ok = true;
    w.clock.advance(60);
    const report = await run(true); // recovered + token-renewed: three undelivered, two kept

    expect(w.stateStore.state?.outbox?.map((e) => e.t)).toEqual(['v', 'n']);
    expect(report.eventsUndelivered).toBe(3);
  });
});

describe('docs/events/*.schema.json', () => {
  it('are the schemas the code checks every event against (npm run schema writes them)', () => {
    for (const [transition, schema] of Object.entries(eventJsonSchemas())) {
      const url = new URL(`../../../docs/events/${transition}.v${EVENT_DETAIL_VERSION}.schema.json`, import.meta.url);
      expect(JSON.parse(readFileSync(url, 'utf8')), transition).toEqual(schema);
    }
  });
});
