import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DETAIL_TYPE, RECONNECT_NEEDED } from '../../contract/events.js';
import { writeConnection } from '../../core/connection-state.js';
import { OAuthTokenEndpoint } from '../../core/oauth-endpoint.js';
import { type RefreshDeps, runRefresh } from '../../core/refresh.js';
import { EventBridgePublisher } from '../../lambda/adapters/eventbridge-publisher.js';
import { runMetrics } from '../../lambda/adapters/metrics.js';
import { alarmSpecs } from '../../lib/private/alarm-specs.js';
import { type Emission, inAlarm } from '../helpers/alarm-model.js';
import { mockEventBus } from '../helpers/event-bus.js';
import { type KeycloakLikeServer, startKeycloakLikeServer } from '../helpers/oidc-server.js';
import { MemoryCredentials, MemoryStateStore, MemoryTokenStore, RecordingLog } from '../unit/lambda/fakes.js';
import { settingsFor } from './harness.js';

/**
 * A provider that lives on its refresh token, renewed for a simulated week by the real core and the
 * real endpoint adapter against oidc-provider with refresh-token rotation on every refresh and its
 * reuse detection (a refresh token presented twice revokes the whole grant). Faults: an IdP outage,
 * a cold start every seventh run, a person connecting again while a run's refresh is under way, and
 * one between runs. Then the user revokes the grant: exactly one page and one event follow.
 */
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const SECRET = 'cs-Secret-week-1';

let idp: KeycloakLikeServer;
const bus = mockEventBus();
beforeAll(async () => {
  idp = await startKeycloakLikeServer({
    clients: [{ clientId: 'drive', secret: SECRET, grants: ['password', 'refresh_token'] }],
    accessTtlSeconds: 3600,
    refreshTtlSeconds: 14 * 86_400,
    sessionMaxSeconds: 60 * 86_400,
    rotateRefreshTokens: true,
  });
});
afterAll(async () => {
  await idp.close();
  bus.mock.restore();
});
afterEach(() => vi.useRealTimers());

/** A person's consent, as far as the IdP is concerned: a new grant and its first refresh token. */
async function consent(): Promise<{ refreshToken: string; refreshExpiresIn?: number }> {
  const response = await fetch(idp.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      username: 'alice',
      password: 'wonderland',
      client_id: 'drive',
      client_secret: SECRET,
      scope: 'openid offline_access',
    }),
  });
  const body = (await response.json()) as { refresh_token: string; refresh_expires_in?: number };
  return { refreshToken: body.refresh_token, refreshExpiresIn: body.refresh_expires_in };
}

/** Refresh tokens the IdP had already rotated when they were presented again: must stay empty. */
function supersededPresentations(): string[] {
  const rotated = new Set<string>();
  const superseded: string[] = [];
  for (const r of idp.requests) {
    const form = new URLSearchParams(r.rawBody);
    if (form.get('grant_type') !== 'refresh_token') continue;
    const presented = form.get('refresh_token')!;
    if (rotated.has(presented)) superseded.push(presented.slice(0, 8));
    rotated.add(presented);
  }
  return superseded;
}

describe('a connected provider over a simulated week with faults', () => {
  it('never presents a superseded refresh token; a revoked grant pages once and sends one event', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.UTC(2026, 10, 23, 12, 0, 0);
    vi.setSystemTime(start);
    const settings = settingsFor({
      id: 'drive',
      preset: 'generic',
      tokenEndpoint: idp.tokenEndpoint,
      clientId: 'drive',
      grant: 'refresh_token',
      clientAuth: 'client_secret_post',
      scope: 'openid offline_access',
      expectedLifetimeSeconds: 3600,
      checkIntervalMinutes: 10,
    });
    const stateStore = new MemoryStateStore();
    const tokenStore = new MemoryTokenStore();
    const credentials = new MemoryCredentials({ client_secret: SECRET });
    let down = false;
    let connectDuringRefresh = false;
    const fetchImpl = async (url: string, init: RequestInit) => {
      if (down) return new Response('<html>maintenance</html>', { status: 503 });
      if (connectDuringRefresh) {
        connectDuringRefresh = false;
        await writeConnection(stateStore, settings, await consent(), Date.now());
      }
      return fetch(url, init);
    };
    const container = (): RefreshDeps => ({
      settings,
      tokenStore,
      stateStore,
      credentials,
      endpoint: new OAuthTokenEndpoint(settings, fetchImpl),
      clock: { now: () => Date.now() },
      sleep: async (ms) => void vi.setSystemTime(Date.now() + ms),
      log: new RecordingLog(),
      events: {
        publisher: new EventBridgePublisher(new EventBridgeClient({ region: 'eu-west-1' }), 'default'),
        stage: 'prod',
        scope: '/token-refresher-prod/drive/ledger',
        tokenRenewed: false,
      },
    });
    await writeConnection(stateStore, settings, await consent(), Date.now());

    const spec = alarmSpecs(settings).credentialsRejected;
    const emissions: Emission[] = [];
    const alarmStates: boolean[] = [];
    const codes: (string | undefined)[] = [];
    let deps = container();
    let requestsBefore = 0;
    const runs = (7 * DAY) / (10 * MIN);
    for (let run = 0; run < runs + 12; run++) {
      const at = start + run * 10 * MIN;
      const t = at - start;
      vi.setSystemTime(at);
      if (run % 7 === 0) deps = container();
      down = t >= 2 * DAY && t < 2 * DAY + 3 * HOUR;
      if (t === 3 * DAY + 50 * MIN) connectDuringRefresh = true;
      if (t === 4 * DAY) await writeConnection(stateStore, settings, await consent(), Date.now());
      if (run === runs) {
        await idp.revokeAllSessions(); // the user revokes the app's access
        requestsBefore = idp.requests.length;
      }
      const report = await runRefresh(deps, { deadlineMs: at + 20_000, endMs: at + 29_000 });
      codes.push(report.result.error?.code);
      emissions.push({ atSeconds: Math.floor(at / 1000), values: runMetrics(report).provider });
      alarmStates.push(inAlarm(spec, emissions, Math.floor(at / 1000)));
    }

    expect(supersededPresentations()).toEqual([]);
    const week = codes.slice(0, runs);
    expect(week).not.toContain(RECONNECT_NEEDED);
    expect(week).toContain('http_503');
    expect(week.filter((c) => c === 'connected_during_run')).toHaveLength(1);
    // After the revocation: fresh runs until the token is due, one refused refresh, then nothing more is sent.
    const after = codes.slice(runs);
    const refusedAt = after.indexOf(RECONNECT_NEEDED);
    expect(after.slice(0, refusedAt)).toEqual(Array(refusedAt).fill(undefined));
    expect(after.slice(refusedAt)).toEqual(Array(after.length - refusedAt).fill(RECONNECT_NEEDED));
    expect(after.length - refusedAt).toBeGreaterThanOrEqual(6);
    expect(idp.requests.length - requestsBefore).toBe(1);
    const raised = alarmStates.filter((s, i) => s && !alarmStates[i - 1]);
    expect(raised).toHaveLength(1);
    expect(alarmStates.slice(0, runs)).not.toContain(true);
    const reconnects = bus.accepted.filter((e) => e['detail-type'] === DETAIL_TYPE['reconnect-needed']);
    expect(reconnects).toHaveLength(1);
    expect(JSON.stringify(bus.accepted)).not.toContain(SECRET);
  }, 240_000);
});
