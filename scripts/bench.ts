/**
 * `npm run bench`: what the consumer library costs, against baselines measured in the same run.
 *
 * 1. Cache-hit cost: `reader.getAccessToken()` on a warm cache, against a plain Map lookup (and an
 *    awaited one, since the reader's API returns a promise). Warm-up, several rounds, median ns/op.
 * 2. Store reads: a consumer asking for the token every 100 ms on a simulated clock, with a refresher
 *    that renews a 300 s token the way the stack schedules it, against a naive "read every call".
 */
import type { SSMClient } from '@aws-sdk/client-ssm';
import { TokenReader } from '../consumer/index.js';
import type { PublishedToken } from '../contract/published-token.js';

const ROUNDS = 9;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Median ns per call of `fn` over ROUNDS rounds of `iterations`, after one discarded warm-up round. */
async function nsPerOp(iterations: number, fn: () => unknown): Promise<number> {
  const rounds: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await fn();
    const elapsed = Number(process.hrtime.bigint() - start);
    if (round > 0) rounds.push(elapsed / iterations);
  }
  return median(rounds);
}

/** Same, for a synchronous function (no await in the loop: what a plain lookup costs). */
function nsPerOpSync(iterations: number, fn: () => unknown): number {
  const rounds: number[] = [];
  let sink = 0;
  for (let round = 0; round <= ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) sink += (fn() as string).length;
    const elapsed = Number(process.hrtime.bigint() - start);
    if (round > 0) rounds.push(elapsed / iterations);
  }
  if (sink < 0) console.log(sink); // keeps the loop from being optimised away
  return median(rounds);
}

/** An SSM client that serves the current token from memory and counts reads. */
function countingStore(initial: PublishedToken) {
  const store = {
    current: initial,
    reads: 0,
    client: {
      send: () => {
        store.reads++;
        return Promise.resolve({ Parameter: { Value: JSON.stringify(store.current) } });
      },
    } as unknown as SSMClient,
  };
  return store;
}

const token = (issuedAt: number, lifetime = 300, n = 1): PublishedToken => ({
  access_token: `at-bench-${n}`,
  token_type: 'Bearer',
  expires_at: issuedAt + lifetime,
  issued_at: issuedAt,
  provider: 'bench',
});

// ---- 1. cache-hit cost ----------------------------------------------------------------------

const SOURCE = 'ssm:/token-refresher/bench/token';
const map = new Map([[SOURCE, 'at-bench-1']]);
const hot = countingStore(token(Math.floor(Date.now() / 1000), 86_400));
const reader = new TokenReader({ tokenSource: SOURCE, ssm: hot.client });
await reader.getAccessToken(); // warm the cache: one store read

const mapNs = nsPerOpSync(5_000_000, () => map.get(SOURCE));
const awaitedMapNs = await nsPerOp(1_000_000, () => Promise.resolve(map.get(SOURCE)));
const readerNs = await nsPerOp(1_000_000, () => reader.getAccessToken());

// ---- 2. store reads --------------------------------------------------------------------------

interface ReadCounts {
  calls: number;
  reads: number;
  published: number;
  errors: number;
}

/**
 * Simulates `durationSeconds` of a consumer calling every 100 ms. The refresher checks every 60 s
 * and renews when less than minValidity + interval + margin (60 + 60 + 60 s) is left, as the stack
 * plans it for a 300 s token: a new token about every 3 minutes.
 */
async function simulate(durationSeconds: number): Promise<ReadCounts> {
  let nowMs = Date.UTC(2026, 0, 1);
  const start = nowMs / 1000;
  const store = countingStore(token(start));
  let published = 1;
  const consumer = new TokenReader({ tokenSource: SOURCE, ssm: store.client, clock: () => nowMs });
  let calls = 0;
  let errors = 0;
  for (let tick = 0; tick < durationSeconds * 10; tick++) {
    nowMs = start * 1000 + tick * 100;
    const now = Math.floor(nowMs / 1000);
    if (tick % 600 === 0 && store.current.expires_at - now < 180) store.current = token(now, 300, ++published);
    calls++;
    await consumer.getAccessToken().catch(() => errors++);
  }
  return { calls, reads: store.reads, published, errors };
}

const lifetime = await simulate(300);
const day = await simulate(86_400);

// ---- report ----------------------------------------------------------------------------------

const fmt = (n: number, digits = 1) => n.toFixed(digits);
const table = (rows: string[][]) => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const row of rows)
    console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
};

console.log(`Node ${process.version}, ${ROUNDS} rounds after a warm-up round, median\n`);
console.log('Cache-hit cost');
table([
  ['', 'ns/op', 'vs Map.get'],
  ['baseline: Map.get (sync)', fmt(mapNs), '1.0x'],
  ['baseline: await Promise.resolve(Map.get)', fmt(awaitedMapNs), `${fmt(awaitedMapNs / mapNs)}x`],
  ['TokenReader.getAccessToken() (hit)', fmt(readerNs), `${fmt(readerNs / mapNs)}x`],
]);
console.log(`(the warm reader made ${hot.reads} store read)\n`);

console.log('Store reads, one call every 100 ms, 300 s tokens renewed about every 3 min');
const hours = 24;
table([
  ['', 'calls', 'reads', 'naive reads', 'reads/token', 'reads/hour', 'naive/hour'],
  [
    'one 300 s token lifetime',
    String(lifetime.calls),
    String(lifetime.reads),
    String(lifetime.calls),
    fmt(lifetime.reads / lifetime.published, 2),
    fmt((lifetime.reads * 3600) / 300),
    String(36_000),
  ],
  [
    '24 h',
    String(day.calls),
    String(day.reads),
    String(day.calls),
    fmt(day.reads / day.published, 2),
    fmt(day.reads / hours),
    String(day.calls / hours),
  ],
]);
console.log(`(${day.published} tokens published in 24 h; ${day.errors + lifetime.errors} failed calls)`);
