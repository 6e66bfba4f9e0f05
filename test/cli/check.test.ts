import { generateKeyPairSync, verify } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CheckReport, checkJson, renderCheck } from '../../cli/check/command.js';
import { PromptCancelled } from '../../cli/common/prompt.js';
import { publishedTokenBytes } from '../../contract/published-token.js';
import { type KeycloakLikeServer, startKeycloakLikeServer } from '../helpers/oidc-server.js';
import {
  identityServerInvalidClient,
  oauthError,
  okToken,
  type ScriptedServer,
  startScriptedServer,
  unavailable,
} from '../helpers/scripted-server.js';
import { expectNoSecrets, NOW_SECONDS, runCliForTest, SECRETS, writeProvidersFile } from './helpers.js';

let idp: ScriptedServer;
let providersFile: string;

const passwordEnv = { TOKEN_REFRESHER_USERNAME: 'ops@example.com', TOKEN_REFRESHER_PASSWORD: SECRETS.password };
const clientSecretEnv = { TOKEN_REFRESHER_CLIENT_SECRET: SECRETS.clientSecret };

beforeAll(async () => {
  idp = await startScriptedServer();
  providersFile = writeProvidersFile({
    providers: [
      { id: 'mediamelon', preset: 'mediamelon', tokenEndpoint: idp.tokenEndpoint },
      { id: 'clickview', preset: 'clickview', tokenEndpoint: idp.tokenEndpoint, clientId: 'cv-client' },
    ],
  });
});

afterAll(async () => {
  await idp.close();
});

afterEach(() => {
  idp.requests.length = 0;
});

const check = (provider: string, env: Record<string, string>, extra: string[] = []) =>
  runCliForTest(['check', provider, '--providers-file', providersFile, ...extra], { env });

describe('token-refresher check', () => {
  it('sends exactly one password grant and prints what came back, never the token, exit 0', async () => {
    idp.reply(
      okToken({
        access_token: SECRETS.accessToken,
        refresh_token: SECRETS.refreshToken,
        refresh_expires_in: 1800,
        expires_in: 900,
        scope: 'openid',
      }),
    );

    const { code, stdout, stderr } = await check('mediamelon', passwordEnv);

    expect(idp.requests).toHaveLength(1);
    expect(idp.requests[0]!.form).toEqual({
      grant_type: 'password',
      client_id: 'smartsight-backend',
      scope: 'openid',
      username: 'ops@example.com',
      password: SECRETS.password,
    });
    const bytes = publishedTokenBytes({
      access_token: SECRETS.accessToken,
      token_type: 'Bearer',
      expires_at: NOW_SECONDS + 900,
      issued_at: NOW_SECONDS,
      provider: 'mediamelon',
      scope: 'openid',
    });
    expect(stdout).toBe(
      [
        'provider        mediamelon (preset mediamelon)',
        `token endpoint  ${idp.tokenEndpoint}`,
        'grant           password',
        'answer          HTTP 200: token granted',
        'lifetime        900 s (15m), from expires_in',
        'scope           openid',
        'refresh token   yes (lives 30m)',
        `token size      ${bytes} bytes as published: fits parameterstore (at most 8192)`,
        '',
      ].join('\n'),
    );
    expect(stderr).toBe('');
    expectNoSecrets(stdout + stderr);
    expect(code).toBe(0);
  });

  it('prints JSON with --json', async () => {
    idp.reply(okToken({ access_token: SECRETS.accessToken, expires_in: 86_400 }));

    const { code, stdout, stderr } = await check('clickview', clientSecretEnv, ['--json']);

    expect(idp.requests[0]!.form).toMatchObject({
      grant_type: 'client_credentials',
      client_id: 'cv-client',
      client_secret: SECRETS.clientSecret,
      scope: 'smartembed.viewkey',
    });
    expect(JSON.parse(stdout)).toEqual({
      provider: 'clickview',
      preset: 'clickview',
      tokenEndpoint: idp.tokenEndpoint,
      grant: 'client_credentials',
      httpStatus: 200,
      ok: true,
      lifetimeSeconds: 86_400,
      lifetimeSource: 'expires_in',
      scope: null,
      requestedScope: 'smartembed.viewkey',
      refreshTokenIssued: false,
      publishedBytes: expect.any(Number),
      store: 'secretsmanager',
      storeMaxBytes: 65_536,
      fitsStore: true,
      warnings: [],
    });
    expect(stderr).toBe('');
    expectNoSecrets(stdout);
    expect(code).toBe(0);
  });

  it("prints a rejection's classified kind, code and description, exit 1", async () => {
    idp.reply(identityServerInvalidClient());

    const { code, stdout } = await check('clickview', clientSecretEnv);

    expect(stdout).toBe(
      [
        'provider        clickview (preset clickview)',
        `token endpoint  ${idp.tokenEndpoint}`,
        'grant           client_credentials',
        'answer          HTTP 400: failed',
        'error           credentials (invalid_client)',
        '                client_credentials grant: HTTP 400, invalid_client',
        '',
      ].join('\n'),
    );
    expectNoSecrets(stdout);
    expect(code).toBe(1);
  });

  it('reports a failure as JSON with --json', async () => {
    idp.reply(identityServerInvalidClient());

    const { code, stdout } = await check('clickview', clientSecretEnv, ['--json']);

    expect(JSON.parse(stdout)).toEqual({
      provider: 'clickview',
      preset: 'clickview',
      tokenEndpoint: idp.tokenEndpoint,
      grant: 'client_credentials',
      httpStatus: 400,
      ok: false,
      error: {
        kind: 'credentials',
        code: 'invalid_client',
        description: 'client_credentials grant: HTTP 400, invalid_client',
      },
      warnings: [],
    });
    expect(code).toBe(1);
  });

  it('never retries: a 503 is one request and exit 1', async () => {
    idp.reply(unavailable('1'));

    const { code, stdout } = await check('mediamelon', passwordEnv);

    expect(idp.requests).toHaveLength(1);
    expect(stdout).toContain('error           transient (http_503)\n');
    expect(code).toBe(1);
  });

  it('reports "no HTTP answer" when nothing listens at the token endpoint', async () => {
    const gone = await startScriptedServer();
    await gone.close();
    const file = writeProvidersFile({
      providers: [{ id: 'mediamelon', preset: 'mediamelon', tokenEndpoint: gone.tokenEndpoint }],
    });

    const { code, stdout } = await runCliForTest(['check', 'mediamelon', '--providers-file', file], {
      env: passwordEnv,
    });

    expect(stdout).toContain('answer          no HTTP answer: failed\n');
    expect(stdout).toContain('error           transient (network_error)\n');
    expect(code).toBe(1);
  });

  it('redacts a credential the token endpoint echoes in its error', async () => {
    idp.reply(oauthError(400, 'invalid_request', `unexpected password "${SECRETS.password}"`));

    const { code, stdout } = await check('mediamelon', passwordEnv);

    expect(stdout).toContain('password grant: HTTP 400, invalid_request: unexpected password "[redacted]"');
    expectNoSecrets(stdout);
    expect(code).toBe(1);
  });
});

describe('token-refresher check: lifetime and size', () => {
  it("uses the preset's documented lifetime when the answer has no expires_in", async () => {
    idp.reply(okToken({ access_token: SECRETS.accessToken, expires_in: undefined, scope: 'openid' }));

    const { stdout, code } = await check('mediamelon', passwordEnv);

    expect(stdout).toContain("lifetime        900 s (15m), no expires_in: the preset's documented lifetime\n");
    expect(stdout).toContain('refresh token   no\n');
    expect(code).toBe(0);
  });

  it('warns when the server grants less than the schedule was planned for', async () => {
    idp.reply(okToken({ expires_in: 600 }));

    const { stdout, code } = await check('mediamelon', passwordEnv);

    expect(stdout).toContain(
      'warning         the server grants 600 s, but the schedule and store were planned for 900 s: set ' +
        '"expectedLifetimeSeconds": 600 in the providers file\n',
    );
    expect(code).toBe(0);
  });

  it('warns when the token would be due as soon as it is issued', async () => {
    idp.reply(okToken({ expires_in: 300 }));

    const { stdout } = await check('mediamelon', passwordEnv);

    expect(stdout).toMatch(
      /\nwarning {9}a 300 s token is due as soon as it is issued \(renewal starts \d+ s before expiry\): every run will renew it/,
    );
  });

  it('says when a token lands in the advanced Parameter Store tier', async () => {
    idp.reply(okToken({ access_token: 'a'.repeat(5000), expires_in: 900 }));

    const { stdout, code } = await check('mediamelon', passwordEnv);

    expect(stdout).toMatch(
      /token size {6}\d+ bytes as published: fits parameterstore \(at most 8192\), in the advanced tier \(over 4096 bytes\)\n/,
    );
    expect(code).toBe(0);
  });

  it('exits 1 when the token would not fit the store, saying what to do', async () => {
    idp.reply(okToken({ access_token: 'a'.repeat(9000), expires_in: 900 }));

    const { stdout, code } = await check('mediamelon', passwordEnv);

    expect(stdout).toMatch(/token size {6}\d+ bytes as published: too large for parameterstore \(at most 8192\); ask/);
    expect(code).toBe(1);
  });
});

describe('token-refresher check: credentials', () => {
  it('exits 2 naming the variables when they are missing and there is no terminal, sending nothing', async () => {
    const { code, stdout, stderr } = await check('mediamelon', {});

    expect(stderr).toBe(
      'error: TOKEN_REFRESHER_USERNAME and TOKEN_REFRESHER_PASSWORD are not set, and there is no terminal to ask ' +
        'for the username and the password\nRun "token-refresher check --help" for usage.\n',
    );
    expect(stdout).toBe('');
    expect(idp.requests).toHaveLength(0);
    expect(code).toBe(2);
  });

  it('asks on a terminal for what the environment lacks, with the secret not echoed', async () => {
    idp.reply(okToken({ expires_in: 900 }));
    const asked: { question: string; hidden: boolean }[] = [];

    const { code, stdout } = await runCliForTest(['check', 'mediamelon', '--providers-file', providersFile], {
      env: { TOKEN_REFRESHER_USERNAME: 'ops@example.com' },
      stdinIsTTY: true,
      prompt: async (question, { hidden }) => {
        asked.push({ question, hidden });
        return SECRETS.password;
      },
    });

    expect(asked).toEqual([{ question: 'password for mediamelon (not echoed): ', hidden: true }]);
    expect(idp.requests[0]!.form.password).toBe(SECRETS.password);
    expectNoSecrets(stdout);
    expect(code).toBe(0);
  });

  it('asks for the username in the clear and the client secret hidden', async () => {
    const asked: { question: string; hidden: boolean }[] = [];
    idp.reply(okToken({ expires_in: 86_400 }));

    await runCliForTest(['check', 'clickview', '--providers-file', providersFile], {
      stdinIsTTY: true,
      prompt: async (question, { hidden }) => {
        asked.push({ question, hidden });
        return SECRETS.clientSecret;
      },
    });

    expect(asked).toEqual([{ question: 'client secret for clickview (not echoed): ', hidden: true }]);
  });

  it('ends with exit code 130 and no error line when the prompt is cancelled with Ctrl-C', async () => {
    const { code, stdout, stderr } = await runCliForTest(['check', 'clickview', '--providers-file', providersFile], {
      stdinIsTTY: true,
      prompt: () => Promise.reject(new PromptCancelled()),
    });

    expect(stdout + stderr).toBe('');
    expect(idp.requests).toHaveLength(0);
    expect(code).toBe(130);
  });

  it('exits 2 when the prompt is answered with nothing', async () => {
    const { code, stderr } = await runCliForTest(['check', 'clickview', '--providers-file', providersFile], {
      stdinIsTTY: true,
      prompt: async () => '',
    });

    expect(stderr).toContain('error: no client secret given (or set TOKEN_REFRESHER_CLIENT_SECRET)\n');
    expect(code).toBe(2);
  });
});

describe('token-refresher check: the providers file', () => {
  it('lists the known providers for an unknown one, exit 2', async () => {
    const { code, stderr } = await check('nagra', passwordEnv);

    expect(stderr).toBe(
      `error: unknown provider "nagra" in ${providersFile}; known: mediamelon, clickview\n` +
        'Run "token-refresher check --help" for usage.\n',
    );
    expect(code).toBe(2);
  });

  it("prints the providers file's problems as they are, exit 2", async () => {
    const file = writeProvidersFile({ providers: [{ id: 'nagra', preset: 'nagra', clientId: 'crm_client' }] });

    const { code, stderr } = await runCliForTest(['check', 'nagra', '--providers-file', file], { env: passwordEnv });

    expect(stderr).toBe(
      `error: ${file}: 1 problem:\n` +
        '  - provider "nagra" (providers[0]), field "baseUrl": got nothing: preset "nagra" needs "baseUrl" ' +
        '(e.g. "https://ovp.example.com:8443") or "tokenEndpoint"\n',
    );
    expect(code).toBe(2);
  });

  it('says when the providers file cannot be read or is not JSON, exit 2', async () => {
    const missing = await runCliForTest(['check', 'x', '--providers-file', '/nonexistent/providers.json']);
    const notJson = await runCliForTest(['check', 'x', '--providers-file', writeProvidersFile('{oops')]);

    expect(missing.stderr).toBe(
      'error: cannot read providers file /nonexistent/providers.json (ENOENT); pass --providers-file <path>\n',
    );
    expect(missing.code).toBe(2);
    expect(notJson.stderr).toMatch(/^error: providers file .+ is not valid JSON: .+\n$/);
    expect(notJson.code).toBe(2);
  });

  it('reads providers.json from the working directory by default', async () => {
    const { code, stderr } = await runCliForTest(['check', 'nope'], { cwd: '/nonexistent' });

    expect(stderr).toContain('cannot read providers file /nonexistent/providers.json');
    expect(code).toBe(2);
  });
});

describe('token-refresher check against a Keycloak-like server (NAGRA layout)', () => {
  let keycloak: KeycloakLikeServer;
  let nagraFile: string;

  beforeAll(async () => {
    keycloak = await startKeycloakLikeServer({
      realm: 'nagra',
      pathPrefix: '/keycloak/auth',
      clients: [{ clientId: 'crm_client', grants: ['password', 'refresh_token'] }],
      users: { ops: SECRETS.password },
    });
    nagraFile = writeProvidersFile({
      providers: [
        { id: 'nagra', preset: 'nagra', baseUrl: new URL(keycloak.tokenEndpoint).origin, clientId: 'crm_client' },
      ],
    });
  });

  afterAll(async () => {
    await keycloak.close();
  });

  it('gets a token and a refresh token with the right password', async () => {
    const { code, stdout } = await runCliForTest(['check', 'nagra', '--providers-file', nagraFile], {
      env: { TOKEN_REFRESHER_USERNAME: 'ops', TOKEN_REFRESHER_PASSWORD: SECRETS.password },
    });

    expect(stdout).toContain(`token endpoint  ${keycloak.tokenEndpoint}\n`);
    expect(stdout).toContain('answer          HTTP 200: token granted\n');
    expect(stdout).toContain('lifetime        300 s (5m), from expires_in\n');
    expect(stdout).toMatch(/refresh token {3}yes/);
    expect(stdout).not.toMatch(/eyJ/);
    expect(keycloak.requests).toHaveLength(1);
    expect(code).toBe(0);
  });

  it('reports a wrong password as a credentials failure, after one request', async () => {
    const before = keycloak.requests.length;

    const { code, stdout } = await runCliForTest(['check', 'nagra', '--providers-file', nagraFile], {
      env: { TOKEN_REFRESHER_USERNAME: 'ops', TOKEN_REFRESHER_PASSWORD: 'wrong-password' },
    });

    expect(keycloak.requests.length - before).toBe(1);
    expect(stdout).toContain('answer          HTTP 401: failed\n');
    expect(stdout).toContain('error           credentials (invalid_grant)\n');
    expect(code).toBe(1);
  });
});

describe('token-refresher check with an issuer: what discovery found', () => {
  let idp: KeycloakLikeServer;

  beforeAll(async () => {
    idp = await startKeycloakLikeServer({
      clients: [{ clientId: 'svc', secret: SECRETS.clientSecret, grants: ['client_credentials'] }],
    });
  });
  afterAll(() => idp.close());

  const file = (issuer: string) =>
    writeProvidersFile({
      providers: [
        {
          id: 'disc',
          preset: 'generic',
          issuer,
          clientId: 'svc',
          grant: 'client_credentials',
          clientAuth: 'client_secret_basic',
          expectedLifetimeSeconds: 300,
        },
      ],
    });

  it('shows the issuer, the metadata it read and the token endpoint it discovered, then gets a token there', async () => {
    const { code, stdout } = await runCliForTest(['check', 'disc', '--providers-file', file(idp.issuer)], {
      env: { TOKEN_REFRESHER_CLIENT_SECRET: SECRETS.clientSecret },
    });

    expect(stdout).toContain(`issuer          ${idp.issuer}\n`);
    expect(stdout).toContain(`metadata        ${idp.issuer}/.well-known/openid-configuration\n`);
    expect(stdout).toContain(`token endpoint  ${idp.tokenEndpoint} (discovered: token_endpoint)\n`);
    expect(stdout).toContain('answer          HTTP 200: token granted\n');
    expect(code).toBe(0);
  });

  it('reports an issuer the metadata does not name, and sends no token request', async () => {
    const before = idp.requests.length;

    const { code, stdout } = await runCliForTest(['check', 'disc', '--providers-file', file(`${idp.issuer}/`)], {
      env: { TOKEN_REFRESHER_CLIENT_SECRET: SECRETS.clientSecret },
    });

    expect(stdout).toMatch(/\nerror +configuration \(issuer_mismatch\)\n/);
    expect(idp.requests.length).toBe(before);
    expect(code).toBe(1);
  });
});

describe('token-refresher check: what the IdP sends is printed as one plain line', () => {
  // Escape sequences could recolour or clear the operator's terminal; newlines could forge output lines.
  const hostile = '\x1b[2J\x1b[31mred\nforged  line\r\x07';
  // Any control character but the newline that ends each output line.
  // eslint-disable-next-line no-control-regex
  const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

  it('sanitises the error code and description, in the table and in JSON', () => {
    // The function's classifier keeps only [a-z_] codes today; the CLI must not depend on that.
    const report: CheckReport = {
      provider: 'mediamelon',
      preset: 'mediamelon',
      tokenEndpoint: 'https://idp.example.com/token',
      grant: 'password',
      store: 'parameterstore',
      storeMaxBytes: 8192,
      httpStatus: 400,
      error: { kind: 'configuration', code: `invalid_scope${hostile}`, description: `bad${hostile}` },
      warnings: [],
    };

    const table = renderCheck(report, undefined);
    const json = checkJson(report, undefined);

    expect(table).not.toMatch(CONTROL);
    expect(table).toContain(
      'error           configuration (invalid_scope [2J [31mred forged line)\n' +
        '                bad [2J [31mred forged line\n',
    );
    expect(table.split('\n')).toHaveLength(7);
    expect(json.error).toEqual({
      kind: 'configuration',
      code: 'invalid_scope [2J [31mred forged line',
      description: 'bad [2J [31mred forged line',
    });
  });

  it('sanitises the granted scope, in the table and in JSON', async () => {
    idp.reply(okToken({ expires_in: 900, scope: `openid${hostile}` }));
    const table = await check('mediamelon', passwordEnv);
    idp.reply(okToken({ expires_in: 900, scope: `openid${hostile}` }));
    const json = await check('mediamelon', passwordEnv, ['--json']);

    expect(table.stdout).not.toMatch(CONTROL);
    expect(table.stdout).toContain('scope           openid [2J [31mred forged line\n');
    expect(JSON.parse(json.stdout).scope).toBe('openid [2J [31mred forged line');
    expect(table.code).toBe(0);
  });
});

describe('token-refresher check: providers that sign assertions', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  let signedFile: string;

  beforeAll(() => {
    const endpoint = { tokenEndpoint: idp.tokenEndpoint };
    signedFile = writeProvidersFile({
      providers: [
        { id: 'okta-key', preset: 'okta', ...endpoint, clientId: 'svc', scope: 'api.read', signingKey: 'credentials' },
        { id: 'okta-kms', preset: 'okta', ...endpoint, clientId: 'svc', scope: 'api.read', signingKey: 'kms' },
        {
          id: 'google',
          preset: 'google-service-account',
          ...endpoint,
          clientId: '1234567890',
          scope: 'https://x',
          signingKey: 'credentials',
        },
        {
          id: 'entra',
          preset: 'entra-id',
          ...endpoint,
          clientId: 'app',
          scope: 'https://graph.microsoft.com/.default',
          signingKey: 'credentials',
        },
      ],
    });
  });

  const signedCheck = (provider: string, env: Record<string, string>, stdinIsTTY = false) =>
    runCliForTest(['check', provider, '--providers-file', signedFile], {
      env,
      stdinIsTTY,
      prompt: () => Promise.reject(new Error('no prompt expected')),
    });

  /** The assertion's header and claims, once its ES256 signature verified with the test key's public half. */
  function verified(assertion: string) {
    const [header, claims, signature] = assertion.split('.');
    const input = Buffer.from(`${header}.${claims}`);
    const ok = verify(
      'sha256',
      input,
      { key: publicKey, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature!, 'base64url'),
    );
    expect(ok).toBe(true);
    const json = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return { header: json(header!), claims: json(claims!) };
  }

  it('signs a private_key_jwt assertion with the PEM in TOKEN_REFRESHER_PRIVATE_KEY, kid from _PRIVATE_KEY_ID', async () => {
    idp.reply(okToken({ access_token: SECRETS.accessToken, expires_in: 3600, scope: 'api.read' }));
    const env = { TOKEN_REFRESHER_PRIVATE_KEY: pem, TOKEN_REFRESHER_PRIVATE_KEY_ID: 'key-1' };

    const { code, stdout, stderr } = await signedCheck('okta-key', env);

    expect(idp.requests).toHaveLength(1);
    const form = idp.requests[0]!.form;
    expect(form).toMatchObject({ grant_type: 'client_credentials', client_id: 'svc', scope: 'api.read' });
    const { header, claims } = verified(form.client_assertion!);
    expect(header).toMatchObject({ alg: 'ES256', kid: 'key-1' });
    expect(claims).toMatchObject({ iss: 'svc', sub: 'svc', aud: idp.tokenEndpoint });
    expect(stdout).toContain('answer          HTTP 200: token granted');
    expect(stdout + stderr).not.toContain(pem.split('\n')[1]!);
    expect(stdout + stderr).not.toContain(form.client_assertion!);
    expect(code).toBe(0);
  });

  it('takes a Google service-account key file as it is in TOKEN_REFRESHER_PRIVATE_KEY', async () => {
    idp.reply(okToken({ expires_in: 3600 }));
    const keyFile = {
      type: 'service_account',
      client_email: 'refresher@project.iam.gserviceaccount.com',
      private_key_id: 'sa-key-7',
      private_key: pem,
    };

    const { code } = await signedCheck('google', { TOKEN_REFRESHER_PRIVATE_KEY: JSON.stringify(keyFile) });

    const form = idp.requests[0]!.form;
    expect(form.grant_type).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    const { header, claims } = verified(form.assertion!);
    expect(header.kid).toBe('sa-key-7');
    expect(claims).toMatchObject({ iss: keyFile.client_email, sub: keyFile.client_email, scope: 'https://x' });
    expect(code).toBe(0);
  });

  it('names TOKEN_REFRESHER_PRIVATE_KEY when it is missing, and does not prompt for a PEM on a terminal', async () => {
    const piped = await signedCheck('okta-key', {});
    expect(piped.stderr).toMatch(
      /^error: TOKEN_REFRESHER_PRIVATE_KEY is not set, and there is no terminal to ask for the signing key/,
    );
    const terminal = await signedCheck('okta-key', {}, true);
    expect(terminal.stderr).toMatch(/^error: TOKEN_REFRESHER_PRIVATE_KEY is not set, and a prompt cannot read/);
    expect([piped.code, terminal.code]).toEqual([2, 2]);
    expect(idp.requests).toHaveLength(0);
  });

  it('asks for the registered certificate when the assertion names it by x5t#S256 (entra-id)', async () => {
    const { code, stderr } = await signedCheck('entra', { TOKEN_REFRESHER_PRIVATE_KEY: pem });
    expect(stderr).toMatch(
      /^error: TOKEN_REFRESHER_CERTIFICATE is not set, and there is no terminal to ask for the certificate/,
    );
    expect(code).toBe(2);
    expect(idp.requests).toHaveLength(0);
  });

  it('says, before asking for anything, that a KMS key signs only in the function and what to run instead', async () => {
    const { code, stdout, stderr } = await signedCheck('okta-kms', {}, true);

    expect(stdout).toBe('');
    expect(stderr).toContain(
      'error: provider "okta-kms" signs its private_key_jwt client assertions with a KMS key ("signingKey": "kms"), ' +
        'and check signs on this machine: it cannot use the key, even with kms:Sign on it',
    );
    expect(stderr).toContain(
      'run "token-refresher refresh okta-kms" with the stage\'s --stage, --stack or --outputs-file',
    );
    expect(stderr).toContain('TOKEN_REFRESHER_PRIVATE_KEY="$(cat key.pem)"');
    expect(stderr).toContain('"token-refresher public-key okta-kms"');
    expect(idp.requests).toHaveLength(0);
    expect(code).toBe(2);
  });
});
