import { readdirSync, readFileSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/main.js';
import { lockDirectory } from '../../local/dir-lock.js';
import { ensurePrivateDir } from '../../local/private-file.js';
import { ConsentClient } from '../../local/demo/consent-client.js';
import { type DemoIdpServer, startDemoIdp } from '../../local/demo/idp-server.js';
import { expectNoSecret, knownSecrets } from './secrets.js';

const CLIENT_ID = 'acme-desktop-app';
let server: DemoIdpServer;
let client: ConsentClient;

beforeAll(async () => {
  client = new ConsentClient({ clientId: CLIENT_ID, accessSeconds: 3600 }, { now: Date.now });
  server = await startDemoIdp([
    { provider: 'acme', path: '/acme/token', handle: (req) => client.handle(req) },
    {
      provider: 'acme',
      path: '/acme/authorize',
      handle: (req) => client.approve(req),
      page: (query) => client.consentPage(query),
    },
  ]);
});
afterAll(() => server.close());

/** A project with a providers file naming one connected provider on the test's server. */
function project(): string {
  const cwd = mkdtempSync(join(tmpdir(), 'token-refresher-connect-local-'));
  const providers = {
    providers: [
      {
        id: 'acme',
        preset: 'generic',
        grant: 'refresh_token',
        clientAuth: 'none',
        clientId: CLIENT_ID,
        tokenEndpoint: `${server.url}/acme/token`,
        authorizationEndpoint: `${server.url}/acme/authorize`,
        expectedLifetimeSeconds: 3600,
      },
    ],
  };
  writeFileSync(join(cwd, 'providers.json'), JSON.stringify(providers));
  return cwd;
}

/** A person at a browser, as plain HTTP: the consent page, its one button, then the redirect to the listener. */
async function consentInBrowser(url: string): Promise<void> {
  const page = await fetch(url);
  const html = await page.text();
  expect(page.status).toBe(200);
  const form = new URLSearchParams();
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form.set(name!, value!.replaceAll('&amp;', '&').replaceAll('&quot;', '"'));
  }
  form.set('consent', 'allow');
  const approved = await fetch(url.split('?')[0]!, { method: 'POST', body: form, redirect: 'manual' });
  expect(approved.status).toBe(302);
  const back = await fetch(approved.headers.get('location')!);
  expect(back.status).toBe(200);
}

async function connect(cwd: string, extra: string[] = []) {
  const out: string[] = [];
  const err: string[] = [];
  const browsed: Promise<void>[] = [];
  const code = await runCli(['connect', 'acme', '--local', ...extra], {
    io: {
      stdout: (t) => void out.push(t),
      stderr: (t) => void err.push(t),
      stderrIsTTY: false,
      stdinIsTTY: false,
      env: {},
      now: Date.now,
      prompt: () => Promise.reject(new Error('no prompt expected')),
      cwd,
    },
    awsClients: () => {
      throw new Error('connect --local must not reach AWS');
    },
    connect: { openBrowser: (url) => void browsed.push(consentInBrowser(url)) },
  });
  await Promise.all(browsed);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const stateOf = (cwd: string) =>
  JSON.parse(readFileSync(join(cwd, '.token-refresher', 'acme.state.json'), 'utf8')) as { refreshToken?: string };
const tokenOf = (cwd: string) =>
  JSON.parse(readFileSync(join(cwd, '.token-refresher', 'acme.token.json'), 'utf8')) as { access_token: string };

describe('connect --local', () => {
  it('stores the consented refresh token in the local state file and proves it with one local run', async () => {
    const cwd = project();

    const { code, stdout, stderr } = await connect(cwd);

    expect(stderr).toContain(`${server.url}/acme/authorize?`);
    expect(stdout).toMatch(/^connected acme: refresh token stored in .*acme\.state\.json; renewed with it/);
    expect(code).toBe(0);
    const state = stateOf(cwd);
    const token = tokenOf(cwd);
    expect(state.refreshToken).toMatch(/^demo-rt-/);
    expect(token.access_token).toMatch(/^demo-at-/);
    const dir = join(cwd, '.token-refresher');
    expectNoSecret(stdout + stderr, [...knownSecrets(dir), state.refreshToken!, token.access_token]);
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      expect(statSync(join(dir, name)).mode & 0o777, name).toBe(0o600);
    }
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir)).not.toContain('.lock');
  });

  it('stores the rotated refresh token: the one consented is superseded by the proving run', async () => {
    const cwd = project();
    const presented: string[] = [];
    const original = client.handle.bind(client);
    client.handle = (req) => {
      if (req.form.get('grant_type') === 'refresh_token') presented.push(req.form.get('refresh_token')!);
      return original(req);
    };
    try {
      expect((await connect(cwd)).code).toBe(0);
    } finally {
      client.handle = original;
    }

    // The proving run presented the consented token once; the IdP rotated it and the new one is stored.
    expect(presented).toHaveLength(1);
    expect(stateOf(cwd).refreshToken).toMatch(/^demo-rt-/);
    expect(stateOf(cwd).refreshToken).not.toBe(presented[0]);
    // The stored one is the live one: presenting it renews (a superseded one would revoke the chain).
    const again = client.handle({
      form: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: CLIENT_ID,
        refresh_token: stateOf(cwd).refreshToken!,
      }),
    });
    expect(again.status).toBe(200);
  });

  it('is refused while a run holds the directory, before anyone signs in, and changes nothing', async () => {
    const cwd = project();
    const dir = join(cwd, '.token-refresher');
    await ensurePrivateDir(dir);
    const lock = await lockDirectory(dir);
    try {
      const { code, stdout, stderr } = await connect(cwd);

      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(
        /another token-refresher run \(pid \d+\) is using .*; connect writes the refresh token only while no run uses the directory/,
      );
      expect(stderr).not.toContain('/acme/authorize?');
      expect(readdirSync(dir).filter((n) => n.startsWith('acme'))).toEqual([]);
    } finally {
      await lock.release();
    }
  });

  it('takes a refresh token from a file, with --dir and --providers-file as run takes them', async () => {
    const cwd = project();
    // A refresh token obtained another way: from a fresh consent, written to a 0600 file.
    const cwd2 = project();
    expect((await connect(cwd2)).code).toBe(0);
    const live = stateOf(cwd2).refreshToken!;
    writeFileSync(join(cwd, 'rt.txt'), `${live}\n`, { mode: 0o600 });

    const { code, stdout, stderr } = await connect(cwd, [
      '--refresh-token-file',
      'rt.txt',
      '--dir',
      'elsewhere',
      '--providers-file',
      'providers.json',
    ]);

    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/refresh token stored in .*elsewhere\/acme\.state\.json; renewed with it/);
    expect(stdout).not.toContain(live);
    const stored = JSON.parse(readFileSync(join(cwd, 'elsewhere', 'acme.state.json'), 'utf8')) as {
      refreshToken: string;
    };
    expect(stored.refreshToken).not.toBe(live);
  });
});
