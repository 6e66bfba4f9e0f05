import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LiveView } from '../../cli/run/live-view.js';
import type { RunReport } from '../../core/refresh.js';
import { runCliForTest } from '../cli/helpers.js';
import { okToken, type ScriptedServer, startScriptedServer, unavailable } from '../helpers/scripted-server.js';
import { jsonEvents, SimHost, startCli } from './sim-host.js';

/**
 * A provider whose credentials were never given (no entry in the credentials file, no variable) and
 * that never had a token: the core reports it `pending`, as the function does on day one. Every view
 * says so, with what to do, instead of "fresh".
 */
let idp: ScriptedServer;
let root: string;
let providersFile: string;
let credentialsFile: string;
const START = Date.parse('2026-06-01T12:00:00Z');

function writeCredentials(entries: Record<string, Record<string, string>>) {
  writeFileSync(credentialsFile, JSON.stringify(entries));
  chmodSync(credentialsFile, 0o600);
}

beforeEach(async () => {
  idp = await startScriptedServer();
  idp.setDefault(okToken({ expires_in: 600 }));
  root = mkdtempSync(join(tmpdir(), 'token-refresher-pending-'));
  providersFile = join(root, 'providers.json');
  credentialsFile = join(root, 'credentials.json');
  const provider = (id: string) => ({
    id,
    preset: 'generic',
    tokenEndpoint: idp.tokenEndpoint,
    clientId: `${id}-client`,
    grant: 'client_credentials',
    clientAuth: 'client_secret_post',
    expectedLifetimeSeconds: 600,
    checkIntervalMinutes: 1,
  });
  writeFileSync(providersFile, JSON.stringify({ providers: [provider('acme'), provider('beta')] }));
  writeCredentials({ acme: { client_secret: 'acme-secret' } });
});

afterEach(async () => {
  await idp.close();
});

const runArgs = (dir: string, ...extra: string[]) => [
  'run',
  ...extra,
  '--providers-file',
  providersFile,
  '--credentials-file',
  credentialsFile,
  '--dir',
  dir,
];

const WHAT_TO_DO = /has no entry "beta"; add "beta": \{\.\.\.\} or set TOKEN_REFRESHER_CREDENTIALS_BETA/;

describe('a provider waiting for credentials', () => {
  it('is pending, with what to do, in the run lines (not "fresh")', async () => {
    const sim = new SimHost(START);
    const run = startCli(runArgs(join(root, 'local'), '--once'), sim);
    await Promise.race([sim.started(), run.code]);
    expect(await run.code).toBe(0);
    const beta = run.stdout
      .join('')
      .split('\n')
      .find((line) => /^\S+\s+beta\s/.test(line));
    expect(beta).toMatch(/^12:00:00 {2}beta {8}pending \(waiting for credentials\); no token yet: credentials file /);
    expect(beta).toMatch(WHAT_TO_DO);
    expect(beta).not.toMatch(/\bfresh\b/);
  });

  it('is pending in --json, with the note saying what to do', async () => {
    const sim = new SimHost(START);
    const run = startCli(runArgs(join(root, 'local'), '--once', '--json'), sim);
    await Promise.race([sim.started(), run.code]);
    await run.code;
    const beta = jsonEvents(run).find((e) => e.event === 'run' && e.provider === 'beta')!;
    expect(beta).toMatchObject({
      outcome: 'pending',
      expiresAt: null,
      waitingForCredentials: true,
      note: { code: 'waiting_for_credentials' },
    });
    expect(beta.note.description).toMatch(WHAT_TO_DO);
  });

  it('is listed by status --local (table and --json) until its credentials arrive and it has a token', async () => {
    const dir = join(root, 'local');
    const sim = new SimHost(START);
    const run = startCli(runArgs(dir, '--json'), sim);
    await sim.started();

    const table = await runCliForTest(['status', '--local', '--dir', dir], { now: () => sim.now });
    expect(table.stdout).toMatch(/^beta\s+\S*beta\.token\.json\s+pending \(waiting for credentials\)\s/m);
    expect(table.stdout).toMatch(/^beta: pending \(waiting for credentials\), last run 2026-06-01T12:00:00Z: .*/m);
    expect(table.stdout).toMatch(WHAT_TO_DO);
    expect(table.stdout).toMatch(/^acme\s+\S*acme\.token\.json\s+10m\s/m);
    expect(table.code).toBe(1);

    const json = await runCliForTest(['status', '--local', '--json', '--dir', dir], { now: () => sim.now });
    const listed = JSON.parse(json.stdout) as { provider: string; token: string; waitingForCredentials: unknown }[];
    expect(listed.map((p) => [p.provider, p.token])).toEqual([
      ['acme', 'published'],
      ['beta', 'none'],
    ]);
    expect(listed[0]!.waitingForCredentials).toBeNull();
    expect(listed[1]!.waitingForCredentials).toEqual({
      lastRunAt: '2026-06-01T12:00:00Z',
      description: expect.stringMatching(WHAT_TO_DO),
    });
    expect(json.code).toBe(1);

    // The credentials arrive, but the IdP is down: no token yet, and no longer waiting for credentials.
    writeCredentials({ acme: { client_secret: 'acme-secret' }, beta: { client_secret: 'beta-secret' } });
    idp.setDefault(unavailable());
    await sim.advance(60_000);
    expect(
      jsonEvents(run)
        .filter((e) => e.provider === 'beta' && e.event === 'run')
        .at(-1),
    ).toMatchObject({
      outcome: 'failed',
      error: { kind: 'transient' },
    });
    const failing = await runCliForTest(['status', '--local', '--dir', dir], { now: () => sim.now });
    expect(failing.stdout).toMatch(/^beta\s+\S*beta\.token\.json\s+no token yet\s/m);
    expect(failing.stdout).not.toContain('waiting');
    expect(failing.code).toBe(1);

    // Then it renews, and status is healthy.
    idp.setDefault(okToken({ expires_in: 600 }));
    await sim.advance(60_000);
    expect(
      jsonEvents(run)
        .filter((e) => e.provider === 'beta' && e.event === 'run')
        .at(-1),
    ).toMatchObject({
      outcome: 'refreshed',
    });
    const after = await runCliForTest(['status', '--local', '--dir', dir], { now: () => sim.now });
    expect(after.stdout).not.toContain('waiting');
    expect(after.stdout).toMatch(/^beta\s+\S*beta\.token\.json\s+\d+m \d+s\s/m);
    expect(after.code).toBe(0);
    sim.signal('SIGTERM');
    expect(await run.code).toBe(0);
  });

  it('is pending in the live view, with what to do once under the table', () => {
    const now = START;
    const out: string[] = [];
    const view = new LiveView(
      (t) => void out.push(t),
      () => now,
      200,
      () => [],
    );
    view.start({
      mode: 'real',
      dir: '.token-refresher',
      providers: [{ id: 'beta', tokenFile: '.token-refresher/beta.token.json', checkIntervalMinutes: 1 }],
      notes: [],
    });
    const description = 'no credentials for "beta": set TOKEN_REFRESHER_CREDENTIALS_BETA or pass --credentials-file';
    const report: RunReport = {
      result: { provider: 'beta', outcome: 'pending', note: { code: 'waiting_for_credentials', description } },
      secondsRemaining: 600,
      attempts: [],
      credentialsRejected: false,
      guardEngaged: false,
      configurationBlocked: false,
      waitingForCredentials: true,
      tokenWrites: 0,
    };
    const event = { type: 'run' as const, at: now, provider: 'beta', tokenFile: '/abs/beta.token.json', report };
    view.event({ ...event, nextRunAt: now + 60_000 });
    view.event({ ...event, at: now + 60_000, nextRunAt: now + 120_000 });
    const last = out.at(-1)!;
    expect(last).toMatch(
      /beta\s+\.token-refresher\/beta\.token\.json\s+no token\s+pending \(waiting for credentials\)/,
    );
    expect(last).not.toMatch(/\bfresh\b/);
    // Said once, not again every minute.
    expect(last.split(description).length - 1).toBe(1);
  });
});
