import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOP_HELP } from '../../cli/help.js';
import { okToken, type ScriptedServer, startScriptedServer } from '../helpers/scripted-server.js';
import { expectNoSecrets, SECRETS, writeProvidersFile } from './helpers.js';

/**
 * The real entry point in a child process, as `npm run -s cli --` starts it in a checkout (through
 * tsx, no build step). The compiled bin of the CLI package is run in test/packaging/install.test.ts.
 */
const launcher = fileURLToPath(new URL('../../bin/cli.ts', import.meta.url));
const exec = promisify(execFile);

/** A Node.js older than 22 on PATH outside node_modules (the machine's own), if there is one. */
function olderNode(): string | undefined {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => !dir.includes('node_modules'))
    .map((dir) => path.join(dir, 'node'))
    .find(
      (node) =>
        existsSync(node) && Number(/^v(\d+)\./.exec(execFileSync(node, ['--version'], { encoding: 'utf8' }))?.[1]) < 22,
    );
}

async function runLauncher(args: string[], env: Record<string, string> = {}, node = process.execPath) {
  try {
    const { stdout, stderr } = await exec(node, ['--import', 'tsx', launcher, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout: string; stderr: string };
    return { code: e.code ?? -1, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('bin/cli.ts', () => {
  let idp: ScriptedServer;

  beforeAll(async () => {
    idp = await startScriptedServer();
  });

  afterAll(async () => {
    await idp.close();
  });

  const old = olderNode();
  it(`says in one line that it needs Node.js 22.12, on an older Node.js, before any AWS call${old ? '' : ' (skipped: no Node.js before 22 on PATH besides node_modules)'}`, async () => {
    if (!old) return;
    const { code, stdout, stderr } = await runLauncher(
      ['status'],
      {
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'not-a-real-secret',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      },
      old,
    );

    expect(stderr).toMatch(
      /^error: token-refresher needs Node\.js 22\.12 or later; this is Node\.js \d+\.\d+\.\d+\. .*\n$/,
    );
    expect(stderr.split('\n')).toHaveLength(2);
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });

  it('prints the help', async () => {
    const { code, stdout, stderr } = await runLauncher(['--help']);

    expect(stdout).toBe(TOP_HELP);
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('runs check against a loopback token endpoint with credentials from the environment', async () => {
    idp.reply(okToken({ access_token: SECRETS.accessToken, refresh_token: SECRETS.refreshToken, expires_in: 900 }));
    const file = writeProvidersFile({
      providers: [{ id: 'mediamelon', preset: 'mediamelon', tokenEndpoint: idp.tokenEndpoint }],
    });

    const { code, stdout, stderr } = await runLauncher(['check', 'mediamelon', '--providers-file', file], {
      TOKEN_REFRESHER_USERNAME: 'ops@example.com',
      TOKEN_REFRESHER_PASSWORD: SECRETS.password,
    });

    expect(stdout).toContain('answer          HTTP 200: token granted\n');
    expect(stdout).toContain('refresh token   yes\n');
    expect(idp.requests).toHaveLength(1);
    expectNoSecrets(stdout + stderr);
    expect(code).toBe(0);
  });

  it('exits 2 with one line when credentials are missing and stdin is not a terminal', async () => {
    const file = writeProvidersFile({
      providers: [{ id: 'mediamelon', preset: 'mediamelon', tokenEndpoint: idp.tokenEndpoint }],
    });

    const { code, stdout, stderr } = await runLauncher(['check', 'mediamelon', '--providers-file', file]);

    expect(stderr).toMatch(/^error: TOKEN_REFRESHER_USERNAME and TOKEN_REFRESHER_PASSWORD are not set/);
    expect(stdout).toBe('');
    expect(code).toBe(2);
  });
});
