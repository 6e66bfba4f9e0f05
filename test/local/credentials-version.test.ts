import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadVersionKey } from '../../local/credentials/credentials-version.js';
import { oauthError, okToken, type ScriptedServer, startScriptedServer } from '../helpers/scripted-server.js';
import { jsonEvents, SimHost, startCli } from './sim-host.js';

/** The account and the password the issue recovered from a printed version with six guesses. */
const USERNAME = 'svc-refresher';
const PASSWORD = 'Summer2024!';
const DICTIONARY = ['Password1', 'Welcome1!', 'Winter2023!', 'Spring2024!', 'Summer2024!', 'Autumn2024!'];

/** The attacker's hash of candidate values: an unsalted SHA-256, as the version was computed before. */
function sha256(values: Record<string, string>): string {
  const canonical = JSON.stringify(Object.entries(values).sort(([a], [b]) => (a < b ? -1 : 1)));
  return createHash('sha256').update(canonical).digest('hex');
}

/** A version as the old code wrote it: that hash cut to 48 bits. */
const unkeyed = (origin: string, values: Record<string, string>) => `${origin}-${sha256(values).slice(0, 12)}`;

const guesses = () => DICTIONARY.map((password) => sha256({ username: USERNAME, password }));

let idp: ScriptedServer;
let root: string;
let providersFile: string;
let credentialsFile: string;
const START = Date.parse('2026-06-01T12:00:00Z');

function writeCredentials(password: string) {
  writeFileSync(credentialsFile, JSON.stringify({ acme: { username: USERNAME, password } }));
  chmodSync(credentialsFile, 0o600);
}

beforeEach(async () => {
  idp = await startScriptedServer();
  root = mkdtempSync(join(tmpdir(), 'token-refresher-version-'));
  providersFile = join(root, 'providers.json');
  credentialsFile = join(root, 'credentials.json');
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
          clientAuth: 'none',
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

/** One `token-refresher run --once --json` on `dir` at `atMs`: its run event. */
async function runOnce(dir: string, atMs: number) {
  const sim = new SimHost(atMs);
  const run = startCli(
    ['run', '--once', '--json', '--providers-file', providersFile, '--credentials-file', credentialsFile, '--dir', dir],
    sim,
  );
  // A start that fails ends the command before any runner exists.
  await Promise.race([sim.started(), run.code]);
  expect(await run.code, run.stderr.join('')).toBeLessThan(2);
  return jsonEvents(run).find((e) => e.event === 'run')!;
}

const printedVersion = (event: { error?: { description?: string } }) =>
  /\(version ((?:file|env|demo)-[0-9a-f]+)\)/.exec(event.error?.description ?? '')?.[1];

describe('the credentials version local mode prints', () => {
  it('cannot be matched by a dictionary of unkeyed hashes, stays the same across runs, and changes with the password', async () => {
    const dir = join(root, 'local');
    idp.reply(oauthError(401, 'invalid_grant', 'Invalid user credentials'));
    expect(await runOnce(dir, START)).toMatchObject({ outcome: 'failed', error: { code: 'invalid_grant' } });

    // Two more runs, each its own process as far as the files go: the guard holds, the same version each time.
    const second = await runOnce(dir, START + 60_000);
    const third = await runOnce(dir, START + 120_000);
    expect(second).toMatchObject({ error: { code: 'lockout_guard' } });
    expect(third).toMatchObject({ error: { code: 'lockout_guard' } });
    const version = printedVersion(second);
    expect(version).toMatch(/^file-[0-9a-f]+$/);
    expect(printedVersion(third)).toBe(version);

    // The attack of the issue: hash each candidate as the old code did and compare, at any length.
    // None matches, not the printed version and not anything in the directory's files.
    const printedHex = version!.slice('file-'.length);
    expect(guesses().filter((hash) => hash.startsWith(printedHex) || printedHex.startsWith(hash))).toEqual([]);
    const files = readdirSync(dir).map((name) => readFileSync(join(dir, name), 'utf8'));
    for (const guess of guesses()) for (const text of files) expect(text).not.toContain(guess.slice(0, 12));

    // A new password is a new version: the guard gives way to the cooldown, not to the same refusal.
    writeCredentials('Autumn2024!');
    expect(await runOnce(dir, START + 180_000)).toMatchObject({ error: { code: 'lockout_cooldown' } });
    expect(idp.requests).toHaveLength(1);
  });

  it('is keyed per directory: the same credentials get another version in another directory', async () => {
    const versions: string[] = [];
    for (const name of ['one', 'two']) {
      const dir = join(root, name);
      idp.reply(oauthError(401, 'invalid_grant', 'Invalid user credentials'));
      await runOnce(dir, START);
      versions.push(printedVersion(await runOnce(dir, START + 60_000))!);
      // The key is the directory's, readable by its owner only.
      expect(statSync(join(dir, '.credentials-key')).mode & 0o777).toBe(0o600);
    }
    expect(versions[0]).toMatch(/^file-/);
    expect(versions[1]).toMatch(/^file-/);
    expect(versions[0]).not.toBe(versions[1]);
  });

  it('keeps a guard recorded under an unkeyed version of the same credentials: no password is sent again', async () => {
    const dir = join(root, 'upgraded');
    // A state file written before versions were keyed: the guard engaged an hour ago.
    const legacy = unkeyed('file', { username: USERNAME, password: PASSWORD });
    const guard = { credentialsVersion: legacy, at: START - 3_600_000, code: 'invalid_grant', description: 'rejected' };
    const older = { credentialsVersion: unkeyed('file', { username: USERNAME, password: 'Winter2023!' }), at: 1 };
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(
      join(dir, 'acme.state.json'),
      JSON.stringify({ v: 1, fingerprint: '', guard, pendingPrimary: older, workingCredentialsVersion: legacy }),
      { mode: 0o600 },
    );
    idp.reply(okToken({ expires_in: 600 }));

    const run = await runOnce(dir, START);

    expect(run).toMatchObject({ outcome: 'failed', error: { code: 'lockout_guard' } });
    expect(idp.requests).toHaveLength(0);
    // Every unkeyed hash is gone from the state file, not only the current credentials' one.
    const state = readFileSync(join(dir, 'acme.state.json'), 'utf8');
    for (const guess of guesses()) expect(state).not.toContain(guess.slice(0, 12));
    expect(JSON.parse(state).guard).toMatchObject({ credentialsVersion: printedVersion(run), at: guard.at });
  });
});

describe("the directory's key of credentials versions", () => {
  it('is made once however many start at the same time, whole and 0600, leaving no temp file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'token-refresher-key-'));
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadVersionKey(dir)));
    expect(new Set(keys.map((k) => k.toString('hex'))).size).toBe(1);
    expect(keys[0]).toHaveLength(32);
    expect(readdirSync(dir)).toEqual(['.credentials-key']);
    expect(statSync(join(dir, '.credentials-key')).mode & 0o777).toBe(0o600);
    expect((await loadVersionKey(dir)).equals(keys[0]!)).toBe(true);
  });

  it('is refused, not replaced, when the file is not a key; a loosened mode is tightened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'token-refresher-key-'));
    const path = join(dir, '.credentials-key');
    writeFileSync(path, 'not a key\n');
    await expect(loadVersionKey(dir)).rejects.toThrow(`${path} is not a credentials version key (64 hex digits)`);
    expect(readFileSync(path, 'utf8')).toBe('not a key\n');
    writeFileSync(path, `${'ab'.repeat(32)}\n`);
    chmodSync(path, 0o644);
    expect((await loadVersionKey(dir)).toString('hex')).toBe('ab'.repeat(32));
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});
