import 'aws-sdk-client-mock-vitest/extend';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RUNTIME_CONFIG_ENV } from '../../contract/provider-settings.js';
import { settingsFingerprint } from '../../core/fingerprint.js';
import { createAwsClients } from '../../cli/common/aws-clients.js';
import type { ConnectDeps } from '../../cli/connect/command.js';
import { runCli } from '../../cli/main.js';
import { EXIT } from '../../cli/exit-codes.js';
import { CONSENT_CLIENT, type ConsentServer, consentAs, startConsentServer } from '../helpers/consent-server.js';
import { settingsFor } from '../integration/harness.js';
import { manifest, NOW, NOW_SECONDS, REGION, stackWith } from './helpers.js';

const cfn = mockClient(CloudFormationClient);
const lambda = mockClient(LambdaClient);
const ssm = mockClient(SSMClient);
const drive = manifest('drive', { ledgerParameter: '/token-refresher/drive/ledger' });
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/stage-key';
const REFRESH_TOKEN = 'FAKE-REFRESH-TOKEN-c0ffee-must-never-print';
const DECRYPT_DENIED = Object.assign(new Error('kms:Decrypt denied by the stage key'), {
  name: 'AccessDeniedException',
});

let idp: ConsentServer;
beforeAll(async () => {
  idp = await startConsentServer();
});
afterAll(() => idp.close());

function deployedWith(grant: 'refresh_token' | 'password' = 'refresh_token', extra: Record<string, unknown> = {}) {
  const settings = settingsFor({
    ...extra,
    id: 'drive',
    preset: 'generic',
    issuer: idp.issuer,
    clientId: CONSENT_CLIENT.id,
    grant,
    clientAuth: 'client_secret_post',
    scope: 'openid offline_access files.read',
    expectedLifetimeSeconds: 3600,
  });
  const resources = {
    stateParameterName: '/token-refresher/drive/state',
    ledgerParameterName: '/token-refresher/drive/ledger',
    parameterKeyId: KEY,
  };
  const config = JSON.stringify({ provider: settings, resources });
  lambda.on(GetFunctionConfigurationCommand).resolves({ Environment: { Variables: { [RUNTIME_CONFIG_ENV]: config } } });
  return settings;
}

function functionReturns(result: unknown) {
  const text = JSON.stringify(result);
  const bytes = Object.assign(new TextEncoder().encode(text), { transformToString: () => text });
  lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: bytes });
}

beforeEach(() => {
  cfn.reset();
  lambda.reset();
  ssm.reset();
  cfn.on(DescribeStacksCommand).resolves(stackWith([drive]));
  ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ $metadata: {}, message: 'not found' }));
  // The stage key lets operators encrypt the state, never decrypt it (lib/private/refresher-key.ts).
  ssm.on(GetParameterCommand, { WithDecryption: true }).rejects(DECRYPT_DENIED);
  ssm.on(PutParameterCommand).resolves({ Version: 1 });
  deployedWith();
  functionReturns({ provider: 'drive', outcome: 'refreshed', grant: 'refresh_token', expiresAt: NOW_SECONDS + 3600 });
});

async function connect(argv: string[], deps: ConnectDeps = {}, env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['connect', 'drive', ...argv], {
    io: {
      stdout: (t) => void out.push(t),
      stderr: (t) => void err.push(t),
      stderrIsTTY: false,
      stdinIsTTY: false,
      env: { TOKEN_REFRESHER_CLIENT_SECRET: CONSENT_CLIENT.secret, ...env },
      now: () => NOW,
      prompt: () => Promise.reject(new Error('no prompt expected')),
      cwd: tmpdir(),
    },
    awsClients: ({ region }) => createAwsClients({ region: region ?? REGION }),
    connect: deps,
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** The SecureString the function reads, as connect put it; the ledger beside it. */
function stored() {
  const puts = ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input);
  const chain = puts.find((p) => p.Name === '/token-refresher/drive/state');
  return { chain, value: chain ? (JSON.parse(chain.Value!) as Record<string, unknown>) : undefined, puts };
}

describe('token-refresher connect', () => {
  it('signs in through the browser (code + PKCE, loopback), stores the refresh token encrypted, proves it', async () => {
    let reached = '';
    const openBrowser = (url: string) => {
      const asked = new URL(url);
      expect(asked.searchParams.get('code_challenge_method')).toBe('S256');
      expect(asked.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
      void consentAs(url, idp.issuer).then((last) => (reached = last));
    };
    const { code, stdout, stderr } = await connect([], { openBrowser });
    expect(stderr).toContain('open this URL');
    expect(code).toBe(EXIT.ok);
    expect(new URL(reached).searchParams.get('iss')).toBe(idp.issuer); // RFC 9207: the server said who it is
    const { chain, value } = stored();
    expect(chain).toMatchObject({ Type: 'SecureString', KeyId: KEY, Overwrite: true });
    expect(value).toMatchObject({ refreshToken: expect.any(String), connectedAt: NOW });
    const exchange = idp.tokenForms.find((f) => f.get('grant_type') === 'authorization_code')!;
    expect(exchange.get('code_verifier')).toMatch(/^[\w-]{43,128}$/);
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
    expect(stdout).toContain('connected drive: refresh token stored in /token-refresher/drive/state; renewed with it');
    for (const text of [stdout, stderr]) expect(text).not.toContain(String(value!.refreshToken));
  });

  it("puts the provider's authorizationParams on the sign-in URL (google-oauth: offline access, consent)", async () => {
    deployedWith('refresh_token', { authorizationParams: { access_type: 'offline', prompt: 'consent' } });
    let asked: URL | undefined;
    const openBrowser = (url: string) => {
      asked = new URL(url);
      void consentAs(url, idp.issuer);
    };
    const { code } = await connect([], { openBrowser });
    expect(code).toBe(EXIT.ok);
    expect(asked!.searchParams.get('access_type')).toBe('offline');
    expect(asked!.searchParams.get('prompt')).toBe('consent');
    expect(asked!.searchParams.get('response_type')).toBe('code');
    expect(stored().value).toMatchObject({ refreshToken: expect.any(String) });
  });

  it('refuses an answer whose state is not the one it sent, and stores nothing', async () => {
    const openBrowser = (url: string) => {
      const redirect = new URL(new URL(url).searchParams.get('redirect_uri')!);
      redirect.search = new URLSearchParams({ code: 'x', state: 'forged', iss: idp.issuer }).toString();
      void fetch(redirect);
    };
    const { code, stderr } = await connect([], { openBrowser });
    expect(code).toBe(EXIT.failed);
    expect(stderr).toContain('not to be trusted');
    expect(stored().puts).toHaveLength(0);
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 0);
  });

  it('refuses an answer from another issuer (RFC 9207)', async () => {
    const openBrowser = (url: string) => {
      const asked = new URL(url);
      const redirect = new URL(asked.searchParams.get('redirect_uri')!);
      const state = asked.searchParams.get('state')!;
      redirect.search = new URLSearchParams({ code: 'x', state, iss: 'https://evil.example' }).toString();
      void fetch(redirect);
    };
    const { code, stderr } = await connect([], { openBrowser });
    expect(code).toBe(EXIT.failed);
    expect(stderr).toContain('"iss"');
    expect(stored().puts).toHaveLength(0);
  });

  it('uses the device authorization grant: waits on authorization_pending, slows down on slow_down', async () => {
    const sleeps: number[] = [];
    let now = NOW;
    let polls = 0;
    let verification = '';
    const answers: string[] = [];
    const fetchImpl = async (url: string, init: RequestInit) => {
      const body = new URLSearchParams(
        init.body instanceof URLSearchParams || typeof init.body === 'string' ? init.body : '',
      );
      const poll = body.get('grant_type')?.endsWith('device_code');
      if (poll && ++polls === 2) {
        answers.push('slow_down'); // oidc-provider does not send it; an IdP that counts polls does (RFC 8628 3.5)
        return Response.json({ error: 'slow_down' }, { status: 400 });
      }
      const response = await fetch(url, init);
      if (poll) answers.push(response.ok ? 'token' : ((await response.clone().json()) as { error: string }).error);
      if (url.endsWith('/device/auth'))
        verification = ((await response.clone().json()) as Record<string, string>).verification_uri_complete!;
      return response;
    };
    const clock = {
      now: () => now,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        now += ms;
        if (sleeps.length === 3) await consentAs(verification, idp.issuer);
      },
    };
    const { code, stderr } = await runDevice(fetchImpl, clock);
    expect(stderr).toContain('enter the code');
    expect(code).toBe(EXIT.ok);
    expect(sleeps).toEqual([5000, 5000, 10_000]);
    expect(answers).toEqual(['authorization_pending', 'slow_down', 'token']);
    expect(stored().value).toMatchObject({ refreshToken: expect.any(String) });
  });

  it('takes a refresh token from a file, and never prints it, not even when the proving run fails', async () => {
    const file = join(tmpdir(), `connect-${process.pid}.txt`);
    writeFileSync(file, `${REFRESH_TOKEN}\n`);
    functionReturns({
      provider: 'drive',
      outcome: 'failed',
      error: { kind: 'credentials', code: 'reconnect_needed', description: `refused ${REFRESH_TOKEN}` },
    });
    const { code, stdout, stderr } = await connect(['--refresh-token-file', file, '--json']);
    expect(code).toBe(EXIT.failed);
    expect(stored().value).toMatchObject({ refreshToken: REFRESH_TOKEN });
    expect(stdout + stderr).not.toContain(REFRESH_TOKEN);
    expect(JSON.parse(stdout)).toMatchObject({ stored: '/token-refresher/drive/state', result: { outcome: 'failed' } });
  });

  it('replaces a stored refresh token without decrypting it: keeps the ledger’s lockout memory, lifts the disconnection', async () => {
    const settings = deployedWith();
    const ledger = {
      v: 1,
      fingerprint: settingsFingerprint(settings),
      disconnectedAt: NOW - 1000,
      guard: { credentialsVersion: 'v1', at: NOW - 5000, code: 'invalid_client', description: 'rejected' },
    };
    ssm.on(GetParameterCommand, { Name: '/token-refresher/drive/ledger' }).resolves({
      Parameter: { Name: '/token-refresher/drive/ledger', Type: 'String', Value: JSON.stringify(ledger), Version: 3 },
    });
    ssm.on(GetParameterCommand, { Name: '/token-refresher/drive/state', WithDecryption: false }).resolves({
      Parameter: { Name: '/token-refresher/drive/state', Type: 'SecureString', Value: 'AQICAH-ciphertext', Version: 7 },
    });
    const stdin = (async function* () {
      yield `${REFRESH_TOKEN}\n`;
    })();
    const { code } = await connect(['--refresh-token-stdin'], { stdin });
    expect(code).toBe(EXIT.ok);
    expect(ssm).not.toHaveReceivedCommandWith(GetParameterCommand, { WithDecryption: true });
    const { value, puts } = stored();
    expect(value).toEqual({ v: 1, fingerprint: ledger.fingerprint, refreshToken: REFRESH_TOKEN, connectedAt: NOW });
    const kept = JSON.parse(puts.find((p) => p.Name === '/token-refresher/drive/ledger')!.Value!) as object;
    expect(kept).toEqual({ v: 1, fingerprint: ledger.fingerprint, guard: ledger.guard });
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
  });

  it('refuses a state an earlier version stored without a ledger (only the function reads it), exit 1', async () => {
    ssm.on(GetParameterCommand, { Name: '/token-refresher/drive/state', WithDecryption: false }).resolves({
      Parameter: { Name: '/token-refresher/drive/state', Type: 'SecureString', Value: 'AQICAH-ciphertext', Version: 2 },
    });
    const stdin = (async function* () {
      yield `${REFRESH_TOKEN}\n`;
    })();
    const { code, stderr } = await connect(['--refresh-token-stdin'], { stdin });
    expect(code).toBe(EXIT.failed);
    expect(stderr).toContain('/token-refresher/drive/ledger does not');
    expect(stderr).toContain('token-refresher refresh drive');
    expect(stored().puts).toHaveLength(0);
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 0);
  });

  it('says why a refresh token could not be stored, without the token, exit 3', async () => {
    ssm
      .on(PutParameterCommand)
      .rejects(Object.assign(new Error(`denied ${REFRESH_TOKEN}`), { name: 'AccessDeniedException' }));
    const stdin = (async function* () {
      yield `${REFRESH_TOKEN}\n`;
    })();
    const { code, stderr } = await connect(['--refresh-token-stdin'], { stdin });
    expect(code).toBe(EXIT.aws);
    expect(stderr).toContain('AccessDeniedException');
    expect(stderr).not.toContain(REFRESH_TOKEN);
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 0);
  });

  it('refuses a provider that does not live on a refresh token, and bad input, exit 2', async () => {
    deployedWith('password');
    expect((await connect(['--refresh-token-stdin'])).code).toBe(EXIT.usage);
    const both = await connect(['--device', '--refresh-token-stdin']);
    expect(both).toMatchObject({ code: EXIT.usage });
    expect(both.stderr).toContain('pick one');
    const help = await connect(['--help']);
    expect(help.stdout).toContain('Usage: token-refresher connect <provider>');
  });
});

async function runDevice(fetchImpl: ConnectDeps['fetch'], clock: ConnectDeps['clock']) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['connect', 'drive', '--device'], {
    io: {
      stdout: (t) => void out.push(t),
      stderr: (t) => void err.push(t),
      stderrIsTTY: false,
      stdinIsTTY: false,
      env: { TOKEN_REFRESHER_CLIENT_SECRET: CONSENT_CLIENT.secret },
      now: () => NOW,
      prompt: () => Promise.reject(new Error('no prompt expected')),
      cwd: tmpdir(),
    },
    awsClients: ({ region }) => createAwsClients({ region: region ?? REGION }),
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
    ...(clock ? { connect: { clock } } : {}),
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}
