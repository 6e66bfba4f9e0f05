/**
 * A consumer bundled the way NodejsFunction bundles it, run in a separate Node.js process against the
 * fake AWS endpoint. The client of the other store is left out of the bundle (and cannot be resolved
 * from the bundle's directory), which proves the reader never loads it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAws, startFakeAws } from '../helpers/fake-aws.js';
import { REPO_ROOT } from '../infra/fixtures.js';

const run = promisify(execFile);
const ENTRY = path.join(REPO_ROOT, 'examples', 'lambda-consumer', 'index.ts');
/** What the example consumer may weigh, minified with the SDK bundled (measured: about 460 and 640 KiB). */
const BUDGET_BYTES = 720 * 1024;

let outDir: string;
let aws: FakeAws;

beforeAll(async () => {
  outDir = mkdtempSync(path.join(tmpdir(), 'token-reader-bundle-'));
  aws = await startFakeAws();
});
afterAll(async () => {
  await aws.close();
  rmSync(outDir, { recursive: true, force: true });
});

async function bundle(external: string): Promise<string> {
  const outfile = path.join(outDir, `${external.replace(/\W/g, '_')}.js`);
  await build({
    entryPoints: [ENTRY],
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    external: [external],
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}

async function invoke(bundleFile: string, tokenSource: string): Promise<unknown> {
  const { stdout } = await run(
    process.execPath,
    ['-e', `require(${JSON.stringify(bundleFile)}).handler().then((r) => console.log(JSON.stringify(r)))`],
    {
      cwd: outDir,
      env: {
        PATH: process.env.PATH,
        TOKEN_SOURCE: tokenSource,
        AWS_ENDPOINT_URL: aws.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    },
  );
  return JSON.parse(stdout);
}

const published = (provider: string) =>
  JSON.stringify({
    access_token: `at-${provider}-bundle`,
    token_type: 'Bearer',
    expires_at: Math.floor(Date.now() / 1000) + 300,
    issued_at: Math.floor(Date.now() / 1000),
    provider,
  });

describe('bundled consumer', () => {
  it('reads a Secrets Manager token with @aws-sdk/client-ssm left out of the bundle', async () => {
    // GIVEN
    const { arn } = aws.putSecret('token-refresher/cv/token', published('cv'));
    const file = await bundle('@aws-sdk/client-ssm');
    // WHEN
    const result = await invoke(file, `secretsmanager:${arn}`);
    // THEN
    expect(result).toEqual({ provider: 'cv', expiresInSeconds: expect.any(Number) });
    expect(statSync(file).size).toBeLessThan(BUDGET_BYTES);
  });

  it('reads a Parameter Store token with @aws-sdk/client-secrets-manager left out of the bundle', async () => {
    // GIVEN
    aws.putParameter('/token-refresher/a/token', published('a'), { type: 'SecureString' });
    const file = await bundle('@aws-sdk/client-secrets-manager');
    // WHEN
    const result = await invoke(file, 'ssm:/token-refresher/a/token');
    // THEN
    expect(result).toEqual({ provider: 'a', expiresInSeconds: expect.any(Number) });
    expect(statSync(file).size).toBeLessThan(BUDGET_BYTES);
  });
});
