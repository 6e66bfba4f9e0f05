/**
 * Every example in examples/ runs here, so the examples and docs/consumers.md cannot rot:
 *
 * - the TypeScript examples are imported (which also type-checks them) and invoked against a `file:`
 *   source or the fake AWS endpoint, calling a loopback "API" that accepts only the current token;
 * - Python (boto3) and the AWS CLI script run against the fake AWS endpoint when those tools exist;
 * - Go is checked with gofmt and go vet when Go and the SDK modules are present.
 *
 * Tools that are missing skip their test with the reason in its name.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PublishedToken } from '../../contract/published-token.js';
import { type FakeAws, startFakeAws } from '../helpers/fake-aws.js';
import { REPO_ROOT } from '../infra/fixtures.js';

const run = promisify(execFile);
const EXAMPLES = path.join(REPO_ROOT, 'examples');
const has = (command: string, args: string[] = ['--version']) => spawnSync(command, args).status === 0;
/** Test-name suffix that says why a test is skipped (vitest's skipIf shows no reason). */
const unless = (available: boolean, reason: string) => (available ? '' : ` [skipped: ${reason}]`);

/**
 * Runs a child process without blocking: the fake AWS endpoint lives in this process and must keep
 * answering. Resolves with the exit status instead of rejecting.
 */
async function runChild(command: string, args: string[], env: NodeJS.ProcessEnv) {
  try {
    const { stdout, stderr } = await run(command, args, { env });
    return { status: 0, stdout, stderr };
  } catch (e) {
    const failed = e as { code?: number; stdout?: string; stderr?: string };
    return { status: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/**
 * Runs a child with an HTTPS proxy that records the first CONNECT and ends the child: the host shows
 * which regional endpoint it calls, without real AWS.
 */
async function firstAwsHost(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const proxy = createServer((_req, res) => res.writeHead(405).end());
  // The child is killed once it has shown its host: its connections end in resets, which are expected.
  proxy.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  try {
    return await new Promise<string>((resolve, reject) => {
      const child = spawn(command, args, { env: { ...env, HTTPS_PROXY: url, https_proxy: url }, stdio: 'ignore' });
      proxy.on('connect', (request, socket) => {
        socket.on('error', () => {});
        socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
        child.kill();
        resolve(request.url ?? '');
      });
      child.on('exit', () => reject(new Error(`${command} ended without calling AWS`)));
    });
  } finally {
    proxy.close();
  }
}

/** A secret in another region than the caller's default (us-east-1). */
const EU_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:token-refresher/example/token-AbCdEf';

/** Environment that points the AWS SDKs and the CLI at a fake endpoint, with nothing inherited. */
const fakeAwsEnv = (endpoint: string) => ({
  AWS_ENDPOINT_URL: endpoint,
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
});

const now = () => Math.floor(Date.now() / 1000);
const token = (accessToken: string, lifetimeSeconds = 300): PublishedToken => ({
  access_token: accessToken,
  token_type: 'Bearer',
  expires_at: now() + lifetimeSeconds,
  issued_at: now(),
  provider: 'example',
  scope: 'read',
});

/** A loopback API that accepts only `Bearer <accepted>` and records the tokens it was sent. */
interface FakeApi {
  url: string;
  accepted: string;
  seen: string[];
  server: Server;
}
async function startApi(accepted: string): Promise<FakeApi> {
  const api = { url: '', accepted, seen: [] as string[], server: undefined as unknown as Server };
  api.server = createServer((req, res) => {
    const sent = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    api.seen.push(sent);
    if (sent === api.accepted) res.writeHead(200).end('["item-1"]');
    else res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end();
  });
  await new Promise<void>((resolve) => api.server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}/v1/items`;
  return api;
}

const dir = mkdtempSync(path.join(tmpdir(), 'token-refresher-examples-'));
let api: FakeApi;
let tokenFile: string;

beforeAll(async () => {
  api = await startApi('at-example-1');
});
afterAll(async () => {
  await new Promise((resolve) => api.server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  // Fresh modules: each example starts with its own process-wide readers, as in a new container.
  vi.resetModules();
  tokenFile = path.join(dir, `token-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(tokenFile, JSON.stringify(token('at-example-1')));
  api.accepted = 'at-example-1';
  api.seen.length = 0;
  vi.stubEnv('TOKEN_SOURCE', `file:${tokenFile}`);
  vi.stubEnv('API_URL', api.url);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** The refresher publishes a new token; the API stops accepting the old one (revoked early). */
function rotate(accessToken: string, lifetimeSeconds = 300) {
  writeFileSync(tokenFile, JSON.stringify(token(accessToken, lifetimeSeconds)));
  api.accepted = accessToken;
}

const lambdaContext = { getRemainingTimeInMillis: () => 10_000 } as unknown as Context & { accessToken: string };

describe.each([
  ['lambda-middy', () => import('../../examples/lambda-middy/index.js')],
  ['lambda-plain', () => import('../../examples/lambda-plain/index.js')],
])('examples/%s', (_, load) => {
  it('calls the API with the token, reading the store once for many invocations', async () => {
    // GIVEN the token in Parameter Store, where the fake endpoint counts the reads
    const aws = await startFakeAws();
    try {
      aws.putParameter('/token-refresher/example/token', JSON.stringify(token('at-example-1')), {
        type: 'SecureString',
      });
      for (const [name, value] of Object.entries(fakeAwsEnv(aws.endpoint))) vi.stubEnv(name, value);
      vi.stubEnv('TOKEN_SOURCE', 'ssm:/token-refresher/example/token');
      const { handler } = await load();
      // WHEN
      const results = [];
      for (let i = 0; i < 3; i++) results.push(await handler({}, lambdaContext));
      // THEN
      expect(results).toEqual(Array(3).fill({ statusCode: 200, body: '["item-1"]' }));
      expect(api.seen).toEqual(['at-example-1', 'at-example-1', 'at-example-1']);
      expect(aws.calls.map((c) => c.target)).toEqual(['AmazonSSM.GetParameter']);
    } finally {
      await aws.close();
    }
  });

  it('on 401 re-reads the store once and retries with the new token', async () => {
    // GIVEN a warm cache, then a rotation that revokes the cached token
    const { handler } = await load();
    await handler({}, lambdaContext);
    rotate('at-example-2');
    // WHEN
    const result = await handler({}, lambdaContext);
    // THEN
    expect(result).toEqual({ statusCode: 200, body: '["item-1"]' });
    expect(api.seen).toEqual(['at-example-1', 'at-example-1', 'at-example-2']);
  });

  it('fails after one retry when the API keeps answering 401 (no loop)', async () => {
    // GIVEN the API rejects the token the store still holds
    const { handler } = await load();
    api.accepted = 'something-else';
    // WHEN / THEN
    await expect(handler({}, lambdaContext)).rejects.toThrow('the API answered HTTP 401');
    expect(api.seen).toEqual(['at-example-1', 'at-example-1']);
  });

  it('fails with StaleTokenError and calls nothing when the stored token is stale', async () => {
    // GIVEN a token with 30 s left
    writeFileSync(tokenFile, JSON.stringify(token('at-example-1', 30)));
    const { handler } = await load();
    // WHEN / THEN
    await expect(handler({}, lambdaContext)).rejects.toMatchObject({ name: 'StaleTokenError', code: 'TOKEN_STALE' });
    expect(api.seen).toEqual([]);
  });
});

describe('examples/ecs-node', () => {
  it('serves requests with one reader, follows a rotation and answers 503 on a stale token', async () => {
    // GIVEN the service, started as ECS would (TOKEN_SOURCE from wireEcsContainer)
    const { startServer } = await import('../../examples/ecs-node/index.js');
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const server = await startServer({ tokenSource: `file:${tokenFile}`, apiUrl: api.url, port: 0 });
    try {
      // WHEN requests come in before and after a rotation, then the refresher stops and the token goes stale
      const first = await fetch(server.url);
      rotate('at-example-2');
      const afterRotation = await fetch(server.url);
      rotate('at-example-3', 30);
      api.accepted = 'at-example-2'; // the API still takes token 2, which the service has cached
      const cached = await fetch(server.url);
      api.accepted = 'nobody';
      const stale = await fetch(server.url);
      // THEN
      expect([first.status, afterRotation.status, cached.status, stale.status]).toEqual([200, 200, 200, 503]);
      expect(api.seen).toEqual(['at-example-1', 'at-example-1', 'at-example-2', 'at-example-2', 'at-example-2']);
      expect(errors.mock.calls.flat().join('\n')).toMatch(/is stale since/);
      expect(errors.mock.calls.flat().join('\n')).not.toContain('at-example');
    } finally {
      server.close();
      errors.mockRestore();
    }
  });
});

describe('with the fake AWS endpoint', () => {
  let aws: FakeAws;
  let secretArn: string;
  const parameterName = '/token-refresher/example/token';
  const awsEnv = () => fakeAwsEnv(aws.endpoint);
  /** Environment for a child process: no inherited AWS settings. */
  const childEnv = (tokenSource: string) => ({
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_'))),
    ...awsEnv(),
    TOKEN_SOURCE: tokenSource,
  });

  beforeAll(async () => {
    aws = await startFakeAws();
  });
  afterAll(() => aws.close());
  beforeEach(() => {
    secretArn = aws.putSecret('token-refresher/example/token', JSON.stringify(token('at-sm-1'))).arn;
    aws.putParameter(parameterName, JSON.stringify(token('at-ssm-1')), { type: 'SecureString' });
    aws.calls.length = 0;
  });

  it('examples/lambda-consumer reports provider and lifetime, never the token (default SDK client, AWS_ENDPOINT_URL)', async () => {
    // GIVEN the ExampleConsumer's function with its default clients pointed at the fake
    for (const [name, value] of Object.entries(awsEnv())) vi.stubEnv(name, value);
    vi.stubEnv('TOKEN_SOURCE', `ssm:${parameterName}`);
    const { handler } = await import('../../examples/lambda-consumer/index.js');
    // WHEN
    const first = await handler();
    const second = await handler();
    // THEN
    expect(first.provider).toBe('example');
    expect(first.expiresInSeconds).toBeGreaterThan(290);
    expect(JSON.stringify([first, second])).not.toContain('at-ssm');
    expect(aws.calls.map((c) => c.target)).toEqual(['AmazonSSM.GetParameter']);
    expect(aws.calls[0]?.input).toEqual({ Name: parameterName, WithDecryption: true });
  });

  describe('examples/python/read_token.py', () => {
    const script = path.join(EXAMPLES, 'python', 'read_token.py');
    const python3 = has('python3');
    const boto3 = python3 && has('python3', ['-c', 'import boto3']);

    it.skipIf(!python3)(`is valid Python${unless(python3, 'python3 is not installed')}`, () => {
      const parsed = spawnSync('python3', ['-c', 'import ast, sys; ast.parse(open(sys.argv[1]).read())', script]);
      expect(parsed.stderr.toString()).toBe('');
      expect(parsed.status).toBe(0);
    });

    it.skipIf(!boto3)(`reads both stores and prints no token${unless(boto3, 'boto3 is not installed')}`, async () => {
      for (const source of [`secretsmanager:${secretArn}`, `ssm:${parameterName}`]) {
        // WHEN
        const { stdout } = await run('python3', [script], { env: childEnv(source) });
        // THEN
        const out = JSON.parse(stdout);
        expect(out.provider).toBe('example');
        expect(out.expires_in_seconds).toBeGreaterThan(290);
        expect(stdout).not.toContain('at-');
      }
      expect(aws.calls.map((c) => c.target)).toEqual(['secretsmanager.GetSecretValue', 'AmazonSSM.GetParameter']);
      expect(aws.calls[1]?.input).toMatchObject({ WithDecryption: true });
    });

    it.skipIf(!boto3)(`caches until expires_at − 60 s${unless(boto3, 'boto3 is not installed')}`, async () => {
      // WHEN the module reads three times, twice from the cache
      const code = [
        'import sys; sys.path.insert(0, sys.argv[1]); import read_token',
        'r = read_token.TokenReader(sys.argv[2])',
        'print(len({r.get_access_token(), r.get_access_token(), r.get_access_token()}))',
      ].join('\n');
      const { stdout } = await run('python3', ['-c', code, path.dirname(script), `ssm:${parameterName}`], {
        env: childEnv(''),
      });
      // THEN one store read
      expect(stdout.trim()).toBe('1');
      expect(aws.calls).toHaveLength(1);
    });

    it.skipIf(!boto3)(
      `counts from a future issued_at when its clock is 120 s behind${unless(boto3, 'boto3 is not installed')}`,
      async () => {
        // GIVEN a token issued now with 100 s to live, and a reader whose clock is 120 s behind
        aws.putParameter(parameterName, JSON.stringify(token('at-ssm-skew', 100)), { type: 'SecureString' });
        const code = [
          'import sys, time; sys.path.insert(0, sys.argv[1]); import read_token',
          'behind, moved = time.time() - 120, [0.0]',
          'r = read_token.TokenReader(sys.argv[2], clock=lambda: behind + moved[0], monotonic=lambda: moved[0])',
          'r.get_access_token()',
          'moved[0] = 50.0',
          'try:',
          '    r.get_access_token(); print("served")',
          'except read_token.StaleTokenError:',
          '    print("stale")',
        ].join('\n');
        // WHEN 50 s later, with 50 s of real life left (less than the 60 s skew)
        const { stdout } = await run('python3', ['-c', code, path.dirname(script), `ssm:${parameterName}`], {
          env: childEnv(''),
        });
        // THEN the token is not handed out: its own clock would have said 170 s were left
        expect(stdout.trim()).toBe('stale');
      },
    );

    it.skipIf(!boto3)(
      `refuses an issued_at in milliseconds as no published token${unless(boto3, 'boto3 is not installed')}`,
      async () => {
        const t = token('at-ssm-ms');
        aws.putParameter(parameterName, JSON.stringify({ ...t, issued_at: t.issued_at * 1000 }), {
          type: 'SecureString',
        });
        const result = await runChild('python3', [script], childEnv(`ssm:${parameterName}`));
        expect(result.status).toBe(1);
        expect(result.stderr).toContain("is not a published token (check ['issued_at', 'expires_at'])");
        expect(`${result.stdout}${result.stderr}`).not.toContain('at-ssm');
      },
    );

    it.skipIf(!boto3)(
      `refuses an expires_at further ahead than the refresher publishes (milliseconds)${unless(boto3, 'boto3 is not installed')}`,
      async () => {
        const t = token('at-ssm-ms');
        const bad = [
          { ...t, expires_at: t.expires_at * 1000 },
          { ...t, issued_at: t.issued_at * 1000, expires_at: t.expires_at * 1000 },
        ];
        for (const value of bad) {
          aws.putParameter(parameterName, JSON.stringify(value), { type: 'SecureString' });
          const result = await runChild('python3', [script], childEnv(`ssm:${parameterName}`));
          expect(result.status).toBe(1);
          expect(result.stderr).toContain("is not a published token (check ['issued_at', 'expires_at'])");
          expect(`${result.stdout}${result.stderr}`).not.toContain('at-ssm');
        }
      },
    );

    it.skipIf(!boto3)(
      `fails on a stale token, naming the source${unless(boto3, 'boto3 is not installed')}`,
      async () => {
        // GIVEN a token with 30 s left
        aws.putParameter(parameterName, JSON.stringify(token('at-ssm-stale', 30)), { type: 'SecureString' });
        // WHEN
        const result = await runChild('python3', [script], childEnv(`ssm:${parameterName}`));
        // THEN
        expect(result.status).toBe(1);
        expect(result.stderr).toMatch(/the token at ssm:\/token-refresher\/example\/token is stale since/);
        expect(`${result.stdout}${result.stderr}`).not.toContain('at-ssm');
      },
    );
  });

  describe('examples/cli/read-token.sh', () => {
    const script = path.join(EXAMPLES, 'cli', 'read-token.sh');
    const awsCli = has('aws');

    it('is valid bash', () => {
      const checked = spawnSync('bash', ['-n', script]);
      expect(checked.stderr.toString()).toBe('');
      expect(checked.status).toBe(0);
    });

    it.skipIf(!awsCli)(
      `prints the token of either store${unless(awsCli, 'the AWS CLI is not installed')}`,
      async () => {
        const fromSecret = await run('bash', [script], { env: childEnv(`secretsmanager:${secretArn}`) });
        const fromParameter = await run('bash', [script], { env: childEnv(`ssm:${parameterName}`) });
        expect([fromSecret.stdout, fromParameter.stdout]).toEqual(['at-sm-1\n', 'at-ssm-1\n']);
      },
    );

    it.skipIf(!awsCli)(
      `reads a secret given by ARN in the ARN's region${unless(awsCli, 'the AWS CLI is not installed')}`,
      async () => {
        // GIVEN a default region of us-east-1 and no endpoint override
        const { AWS_ENDPOINT_URL: _, ...env } = childEnv(`secretsmanager:${EU_SECRET_ARN}`);
        // WHEN / THEN
        expect(await firstAwsHost('bash', [script], env)).toBe('secretsmanager.eu-west-1.amazonaws.com:443');
      },
    );

    const curl = has('curl');
    it.skipIf(!awsCli || !curl)(
      `is used as documented: the token reaches curl only through stdin, and only when it is fresh${unless(awsCli && curl, 'the AWS CLI or curl is not installed')}`,
      async () => {
        // GIVEN the usage line of the script's header, and a curl that logs its command line
        const usage = /^#[ \t]+(.*\bcurl -H.*)$/m.exec(readFileSync(script, 'utf8'))?.[1] ?? '';
        const line = usage
          .replaceAll('./read-token.sh', script)
          .replaceAll('https://api.example.com/v1/items', api.url);
        expect(usage).not.toBe('');
        const bin = path.join(dir, 'bin');
        mkdirSync(bin, { recursive: true });
        const argvLog = path.join(dir, 'curl-argv.log');
        const realCurl = spawnSync('bash', ['-c', 'command -v curl']).stdout.toString().trim();
        writeFileSync(
          path.join(bin, 'curl'),
          `#!/bin/sh\nprintf '%s\\n' "$@" >> "${argvLog}"\nexec ${realCurl} -sS "$@"\n`,
        );
        chmodSync(path.join(bin, 'curl'), 0o755);
        const env = { ...childEnv(`ssm:${parameterName}`), PATH: `${bin}:${process.env.PATH ?? ''}` };
        api.accepted = 'at-ssm-1';
        // WHEN the token is fresh, then stale
        const fresh = await runChild('bash', ['-c', `set -euo pipefail; ${line}`], env);
        aws.putParameter(parameterName, JSON.stringify(token('at-ssm-stale', 30)), { type: 'SecureString' });
        const stale = await runChild('bash', ['-c', `set -euo pipefail; ${line}`], env);
        // THEN the API got the token once, curl's command line never, and a stale token stopped the call
        expect([fresh.status, fresh.stdout, fresh.stderr]).toEqual([0, '["item-1"]', '']);
        expect(stale.status).not.toBe(0);
        expect(api.seen).toEqual(['at-ssm-1']);
        expect(readFileSync(argvLog, 'utf8')).not.toContain('at-ssm');
      },
    );

    it.skipIf(!awsCli)(`prints nothing on a stale token${unless(awsCli, 'the AWS CLI is not installed')}`, async () => {
      // GIVEN a token with 30 s left
      aws.putParameter(parameterName, JSON.stringify(token('at-ssm-stale', 30)), { type: 'SecureString' });
      // WHEN
      const result = await runChild('bash', [script], childEnv(`ssm:${parameterName}`));
      // THEN
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/is stale since .* the refresher is failing/);
      expect(result.stderr).not.toContain('at-ssm');
    });
  });
});

describe('examples/go', () => {
  const goDir = path.join(EXAMPLES, 'go');
  const go = has('go', ['version']);
  /** Debian's golang-github-aws-aws-sdk-go-v2-dev, usable offline in GOPATH mode. */
  const debianGoPath = '/usr/share/gocode';
  const sdkOffline = go && existsSync(path.join(debianGoPath, 'src/github.com/aws/aws-sdk-go-v2/service/ssm'));

  it.skipIf(!go)(`is gofmt-formatted${unless(go, 'Go is not installed')}`, () => {
    const result = spawnSync('gofmt', ['-l', goDir]);
    expect(result.status).toBe(0);
    expect(result.stdout.toString()).toBe('');
  });

  /** GOPATH mode against the Debian packages: nothing is downloaded. */
  const goEnv = () => ({
    ...process.env,
    GO111MODULE: 'off',
    GOPATH: debianGoPath,
    // Kept between runs: vetting and building compile the SDK, which takes seconds the first time.
    GOCACHE: path.join(tmpdir(), 'token-refresher-go-cache'),
    GOFLAGS: '',
    GOPROXY: 'off',
  });

  it.skipIf(!sdkOffline)(
    `reads a secret given by ARN in the ARN's region${unless(sdkOffline, 'Go or the offline aws-sdk-go-v2 is not installed')}`,
    async () => {
      // GIVEN the example built, and a default region of us-east-1
      const binary = path.join(dir, 'go-read-token');
      const built = spawnSync('go', ['build', '-o', binary, '.'], { cwd: goDir, env: goEnv() });
      expect(built.stderr.toString()).toBe('');
      const { AWS_ENDPOINT_URL: _, ...aws } = fakeAwsEnv('');
      // WHEN / THEN
      const host = await firstAwsHost(binary, [], {
        PATH: process.env.PATH,
        ...aws,
        TOKEN_SOURCE: `secretsmanager:${EU_SECRET_ARN}`,
      });
      expect(host).toBe('secretsmanager.eu-west-1.amazonaws.com:443');
    },
  );

  it.skipIf(!sdkOffline)(
    `passes go test: a clock behind the refresher's counts from issued_at, times in milliseconds are refused${unless(sdkOffline, 'Go or the offline aws-sdk-go-v2 is not installed')}`,
    () => {
      const result = spawnSync('go', ['test', '-count=1', '.'], { cwd: goDir, env: goEnv() });
      expect(result.stdout.toString(), result.stderr.toString()).toMatch(/^ok\s/);
      expect(result.status).toBe(0);
    },
  );

  it.skipIf(!sdkOffline)(
    `passes go vet${unless(sdkOffline, `Go or aws-sdk-go-v2 in ${debianGoPath} (Debian golang-github-aws-aws-sdk-go-v2-dev) is not installed; modules are never downloaded`)}`,
    () => {
      const result = spawnSync('go', ['vet', '.'], { cwd: goDir, env: goEnv() });
      expect(result.stderr.toString()).toBe('');
      expect(result.status).toBe(0);
    },
  );
});

describe('docs/consumers.md', () => {
  const doc = readFileSync(path.join(REPO_ROOT, 'docs', 'consumers.md'), 'utf8');
  const included = [...doc.matchAll(/<!-- include: (\S+) -->\n```\w*\n([\s\S]*?)```/g)];

  it('embeds examples', () => {
    expect(included.map((m) => m[1])).toEqual([
      'examples/cdk/consumers.ts',
      'examples/lambda-middy/index.ts',
      'examples/lambda-plain/index.ts',
      'examples/ecs-node/index.ts',
      'examples/python/read_token.py',
      'examples/go/main.go',
      'examples/cli/read-token.sh',
    ]);
  });

  it.each(included.map((m) => [m[1]!, m[2]!]))('shows %s exactly as it is tested', (file, shown) => {
    expect(shown, `copy ${file} into docs/consumers.md again`).toBe(readFileSync(path.join(REPO_ROOT, file), 'utf8'));
  });
});
