import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { okToken, type ScriptedServer, startScriptedServer } from '../helpers/scripted-server.js';
import { runCliForTest } from '../cli/helpers.js';
import { expectNoSecret } from './secrets.js';
import { jsonEvents, SimHost, startCli } from './sim-host.js';

/** Awkward on purpose: quotes, markup, percent, spaces, non-ASCII. */
const PASSWORD = `pä ss"<>&'%wörd`;
const CLIENT_SECRET = `cl ïent"<>&'%secret`;
const ACCESS_TOKEN = 'real-access-token-4f9c2a7d1e-never-printed';
const REFRESH_TOKEN = 'real-refresh-token-8b3e6f0a2c-never-printed';
const SECRETS = [PASSWORD, CLIENT_SECRET, ACCESS_TOKEN, REFRESH_TOKEN];

let idp: ScriptedServer;
let dir: string;
let providersFile: string;
let credentialsFile: string;

function writeCredentials(password: string, mode = 0o600) {
  writeFileSync(
    credentialsFile,
    JSON.stringify({ acme: { username: 'alice', password, client_secret: CLIENT_SECRET } }),
  );
  chmodSync(credentialsFile, mode);
}

beforeEach(async () => {
  idp = await startScriptedServer();
  dir = mkdtempSync(join(tmpdir(), 'token-refresher-real-'));
  providersFile = join(dir, 'providers.json');
  credentialsFile = join(dir, 'credentials.json');
  writeFileSync(
    providersFile,
    JSON.stringify({
      providers: [
        {
          id: 'acme',
          preset: 'generic',
          tokenEndpoint: idp.tokenEndpoint,
          clientId: 'acme-client',
          grant: 'password',
          clientAuth: 'client_secret_post',
          expectedLifetimeSeconds: 600,
          checkIntervalMinutes: 1,
        },
      ],
    }),
  );
  writeCredentials(PASSWORD);
});

afterEach(async () => {
  await idp.close();
});

const args = () => [
  'run',
  '--json',
  '--providers-file',
  providersFile,
  '--credentials-file',
  credentialsFile,
  '--dir',
  join(dir, 'local'),
];

describe('token-refresher run against a real token endpoint', () => {
  it('sends the file credentials, and holds the guard after a rejection until the file changes and the cooldown ends', async () => {
    // The IdP echoes what it was sent in its error, as some do: none of it may be printed.
    idp.reply((req) => ({
      status: 401,
      body: {
        error: 'invalid_grant',
        error_description: `bad password ${req.form.password} for ${req.form.client_secret}`,
      },
    }));
    const sim = new SimHost();
    const run = startCli(args(), sim);
    await sim.started();
    expect(idp.requests[0]!.form).toMatchObject({
      grant_type: 'password',
      username: 'alice',
      password: PASSWORD,
      client_secret: CLIENT_SECRET,
    });
    const rejected = jsonEvents(run).find((e) => e.event === 'run')!;
    expect(rejected).toMatchObject({
      outcome: 'failed',
      guardEngaged: true,
      error: { kind: 'credentials', code: 'invalid_grant' },
    });
    expect(rejected.error.description).toContain('[redacted]');

    // The guard: nothing is sent with the same credentials, run after run.
    await sim.advance(5 * 60_000);
    expect(idp.requests).toHaveLength(1);
    expect(
      jsonEvents(run)
        .filter((e) => e.event === 'run')
        .at(-1),
    ).toMatchObject({ error: { code: 'lockout_guard' } });

    // Edited credentials are a new version; they wait out the 15 minutes after the rejection.
    writeCredentials(`${PASSWORD}!`);
    idp.reply(okToken({ access_token: ACCESS_TOKEN, refresh_token: REFRESH_TOKEN, expires_in: 600 }));
    await sim.advance(60_000);
    expect(
      jsonEvents(run)
        .filter((e) => e.event === 'run')
        .at(-1),
    ).toMatchObject({ error: { code: 'lockout_cooldown' } });
    await sim.advance(9 * 60_000);
    expect(idp.requests).toHaveLength(2);
    expect(
      jsonEvents(run)
        .filter((e) => e.event === 'run')
        .at(-1),
    ).toMatchObject({ outcome: 'refreshed', grant: 'password' });

    sim.signal('SIGTERM');
    expect(await run.code).toBe(0);
    expectNoSecret(run.stdout.join('') + run.stderr.join(''), SECRETS);

    // status --local: times and codes from the files, no token.
    const status = await runCliForTest(['status', '--local', '--dir', join(dir, 'local')], { now: () => sim.now });
    expect(status.stdout).toMatch(/acme\s+\S*acme\.token\.json\s+\d+m/);
    expect(status.code).toBe(0);
    expectNoSecret(status.stdout + status.stderr, SECRETS);
  });

  it('refuses a credentials file others can read before anything is sent', async () => {
    writeCredentials(PASSWORD, 0o640);
    const sim = new SimHost();
    const run = startCli(args(), sim);
    expect(await run.code).toBe(2);
    expect(run.stderr.join('')).toContain(`chmod 600 ${credentialsFile}`);
    expect(idp.requests).toHaveLength(0);
  });

  it('takes credentials from TOKEN_REFRESHER_CREDENTIALS_<ID>; --once exits 1 when a run failed', async () => {
    idp.reply({ status: 400, body: { error: 'invalid_scope', error_description: 'scope not allowed' } });
    const sim = new SimHost();
    const env = {
      TOKEN_REFRESHER_CREDENTIALS_ACME: JSON.stringify({
        username: 'bob',
        password: PASSWORD,
        client_secret: CLIENT_SECRET,
      }),
    };
    const run = startCli(['run', '--once', '--providers-file', providersFile, '--dir', join(dir, 'env')], sim, { env });
    await sim.started();
    expect(await run.code).toBe(1);
    expect(idp.requests[0]!.form.username).toBe('bob');
    expect(run.stdout.join('')).toMatch(/acme\s+failed: configuration \(invalid_scope\)/);
    expectNoSecret(run.stdout.join('') + run.stderr.join(''), SECRETS);
  });
});
