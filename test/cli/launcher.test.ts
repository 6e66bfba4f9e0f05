import { execFile } from 'node:child_process';
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

async function runLauncher(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['--import', 'tsx', launcher, ...args], {
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
