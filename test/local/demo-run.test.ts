import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TokenReader } from '../../consumer/token-reader.js';
import { expectNoSecret, knownSecrets } from './secrets.js';
import { type CliRun, jsonEvents, SimHost, startCli } from './sim-host.js';

const MINUTE = 60_000;
const runs = (run: CliRun, provider?: string) =>
  jsonEvents(run).filter((e) => e.event === 'run' && (provider === undefined || e.provider === provider));
const last = (run: CliRun, provider: string) => runs(run, provider).at(-1)!;

describe('npm start (token-refresher run) in demo mode, on a simulated clock', () => {
  let dir = '';
  let demoDir = '';
  let active: { sim: SimHost; run: CliRun } | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'token-refresher-local-'));
    demoDir = join(dir, 'demo');
  });

  afterEach(async () => {
    // Whatever a test left running is stopped, so the demo server and the lock are released.
    if (active) {
      active.sim.signal();
      await active.run.code;
      active = undefined;
    }
  });

  async function start(args: string[] = [], sim = new SimHost()) {
    const run = startCli(['run', '--json', '--dir', dir, ...args], sim);
    active = { sim, run };
    await sim.started();
    return { sim, run };
  }

  it('renews six providers, classifies injected faults, holds the lockout guard and recovers', async () => {
    const { sim, run } = await start(['--demo-faults']);
    const started = jsonEvents(run)[0]!;
    expect(started).toMatchObject({ event: 'started', mode: 'demo' });
    expect(started.server).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    // At start: one primary grant each, six token files, 0600. demo-okta is the demo's own
    // signed-assertion provider: its private_key_jwt assertion is verified by the demo IdP.
    const first = runs(run);
    expect(first.map((e) => [e.provider, e.outcome, e.grant]).sort()).toEqual([
      ['clickview', 'refreshed', 'client_credentials'],
      ['demo-connected', 'refreshed', 'refresh_token'],
      ['demo-okta', 'refreshed', 'client_credentials'],
      ['mediahound', 'refreshed', 'client_credentials'],
      ['mediamelon', 'refreshed', 'password'],
      ['movingimage', 'refreshed', 'password'],
      ['nagra', 'refreshed', 'password'],
    ]);
    for (const p of ['mediamelon', 'movingimage', 'nagra', 'clickview', 'mediahound', 'demo-okta', 'demo-connected']) {
      expect(statSync(join(demoDir, `${p}.token.json`)).mode & 0o777).toBe(0o600);
      expect(statSync(join(demoDir, `${p}.state.json`)).mode & 0o777).toBe(0o600);
    }
    expect(statSync(demoDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(demoDir, '.demo-signing-key.pem')).mode & 0o777).toBe(0o600);
    expect(started.notes.join('\n')).toMatch(/demo-okta: Okta service app, client_credentials with a private_key_jwt/);
    // demo-connected was connected through the demo's consent page before its first run, which rotated
    // the refresh token: the state file holds the rotated one.
    expect(started.notes.join('\n')).toMatch(/demo-connected: an API a person consents to/);
    const connectedToken = () =>
      (JSON.parse(readFileSync(join(demoDir, 'demo-connected.state.json'), 'utf8')) as { refreshToken: string })
        .refreshToken;
    const firstChain = connectedToken();
    expect(firstChain).toMatch(/^demo-rt-/);

    // One minute later: a 503 with Retry-After is retried in the run, then the refresh succeeds;
    // Spring answers 429, then the same token with a smaller expires_in, which is not written again.
    await sim.advance(MINUTE);
    expect(last(run, 'mediamelon')).toMatchObject({ outcome: 'refreshed', grant: 'refresh_token', tokenWrites: 1 });
    expect(last(run, 'mediamelon').attempts.map((a: { outcome: string }) => a.outcome)).toEqual(['transient', 'ok']);
    expect(last(run, 'nagra')).toMatchObject({ outcome: 'refreshed', grant: 'refresh_token' });
    expect(last(run, 'movingimage')).toMatchObject({ outcome: 'fresh' });
    expect(last(run, 'mediahound')).toMatchObject({ outcome: 'refreshed', tokenWrites: 0 });
    expect(last(run, 'mediahound').attempts.map((a: { outcome: string }) => a.outcome)).toEqual(['transient', 'ok']);

    // Two minutes: an ended session costs one password grant; a changed password is a credentials
    // failure that engages the guard; an HTML page is an invalid response and nothing is stored.
    const clickviewToken = readFileSync(join(demoDir, 'clickview.token.json'), 'utf8');
    await sim.advance(MINUTE);
    expect(last(run, 'movingimage')).toMatchObject({ outcome: 'refreshed', grant: 'password' });
    expect(last(run, 'movingimage').attempts.map((a: { grant: string }) => a.grant)).toEqual([
      'refresh_token',
      'password',
    ]);
    expect(last(run, 'nagra')).toMatchObject({
      outcome: 'failed',
      guardEngaged: true,
      credentialsRejected: true,
      error: { kind: 'credentials', code: 'invalid_grant' },
    });
    expect(last(run, 'clickview')).toMatchObject({ outcome: 'failed', error: { kind: 'invalid-response' } });
    expect(readFileSync(join(demoDir, 'clickview.token.json'), 'utf8')).toBe(clickviewToken);

    // The guard holds: nothing is sent with the rejected credentials.
    await sim.advance(MINUTE);
    expect(last(run, 'nagra')).toMatchObject({ outcome: 'failed', error: { code: 'lockout_guard' }, attempts: [] });
    // The login page may have been the IdP's answer to the secret: no second grant for 15 minutes.
    expect(last(run, 'clickview')).toMatchObject({
      outcome: 'failed',
      error: { kind: 'transient', code: 'unconfirmed_attempt' },
      attempts: [],
    });

    // New credentials (the demo's operator, two minutes after the rejection) wait out the cooldown...
    await sim.advance(MINUTE);
    expect(last(run, 'nagra')).toMatchObject({ outcome: 'failed', error: { code: 'lockout_cooldown' }, attempts: [] });
    const notes = jsonEvents(run).filter((e) => e.event === 'note' && e.provider === 'nagra');
    expect(notes.map((n) => n.message).join('\n')).toMatch(/new password into the credentials/);

    // ...and 15 minutes after the rejection the password grant succeeds.
    await sim.advance(11 * MINUTE);
    expect(last(run, 'nagra')).toMatchObject({ outcome: 'failed', error: { code: 'lockout_cooldown' } });
    await sim.advance(2 * MINUTE);
    expect(last(run, 'nagra')).toMatchObject({ outcome: 'refreshed', grant: 'password', guardEngaged: false });
    expect(last(run, 'clickview')).toMatchObject({ outcome: 'refreshed', grant: 'client_credentials' });
    // demo-connected renewed on its rotating refresh token every minute, never failing (a superseded
    // token would have revoked its chain), and the state file kept up with each rotation.
    const connected = runs(run, 'demo-connected');
    expect(connected.filter((e) => e.outcome === 'failed')).toEqual([]);
    expect(connected.filter((e) => e.outcome === 'refreshed').length).toBeGreaterThan(2);
    expect(connected.every((e) => e.grant === undefined || e.grant === 'refresh_token')).toBe(true);
    expect(connectedToken()).not.toBe(firstChain);

    // Every renewal of demo-okta was a new assertion the IdP accepted (a reused jti would be rejected).
    const okta = runs(run, 'demo-okta').filter((e) => e.outcome === 'refreshed');
    expect(okta.length).toBeGreaterThanOrEqual(9);
    expect(runs(run, 'demo-okta').filter((e) => e.outcome === 'failed')).toEqual([]);

    // A consumer reads what local mode keeps fresh, with the reader it uses in AWS.
    const reader = new TokenReader({ tokenSource: `file:${join(demoDir, 'nagra.token.json')}`, clock: () => sim.now });
    const token = await reader.getToken();
    expect(token.provider).toBe('nagra');
    expect(token.access_token).toBe(JSON.parse(readFileSync(join(demoDir, 'nagra.token.json'), 'utf8')).access_token);

    // Ctrl-C: the runner stops, the server closes, exit 0.
    sim.signal('SIGINT');
    expect(await run.code).toBe(0);
    active = undefined;
    expect(jsonEvents(run).at(-1)).toMatchObject({ event: 'stopped' });

    // No secret anywhere in the output: not the demo credentials, not a token.
    expectNoSecret(run.stdout.join('') + run.stderr.join(''), knownSecrets(demoDir));
  });

  it('resumes from the stored files after a restart', async () => {
    const at = Date.parse('2026-07-01T08:00:00Z');
    const first = await start([], new SimHost(at));
    first.sim.signal();
    expect(await first.run.code).toBe(0);
    active = undefined;

    // Ten seconds later every token is still fresh: nothing is requested at start.
    const second = await start([], new SimHost(at + 10_000));
    expect(runs(second.run).map((e) => e.outcome)).toEqual([
      'fresh',
      'fresh',
      'fresh',
      'fresh',
      'fresh',
      'fresh',
      'fresh',
    ]);
    expect(runs(second.run).flatMap((e) => e.attempts)).toEqual([]);
    // The refresh token comes from the state file. The demo IdP kept its sessions in memory and
    // forgot them when it stopped, so it answers invalid_grant, and one password grant follows.
    await second.sim.advance(MINUTE);
    expect(last(second.run, 'nagra').attempts.map((a: { grant: string }) => a.grant)).toEqual([
      'refresh_token',
      'password',
    ]);
    expect(last(second.run, 'nagra')).toMatchObject({ outcome: 'refreshed', grant: 'password' });
    // demo-connected has no password to fall back on: the restarted demo connected it again at start.
    expect(last(second.run, 'demo-connected')).toMatchObject({ outcome: 'refreshed', grant: 'refresh_token' });
    // The signing key was kept in the demo directory: the restarted IdP registers it, and it signs again.
    await second.sim.advance(MINUTE);
    expect(last(second.run, 'demo-okta')).toMatchObject({ outcome: 'refreshed', grant: 'client_credentials' });
  });
});
