/**
 * `bin/app.ts` as the CDK CLI runs it: a separate process that gets its context through the
 * `CDK_CONTEXT_JSON` environment variable (and, when it should synthesise, `CDK_OUTDIR`).
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cdkJsonContext, REPO_ROOT } from './fixtures.js';

const TSX_CLI = path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'token-refresher-app-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function writeScratch(name: string, content: string): string {
  const file = path.join(scratch, name);
  writeFileSync(file, content);
  return file;
}

/** Runs the app the way `cdk synth` does; without `outdir` it only builds the construct tree. */
function runApp(context: Record<string, unknown>, outdir?: string): SpawnSyncReturns<string> {
  const { CDK_OUTDIR: _ignored, ...env } = process.env;
  return spawnSync(process.execPath, [TSX_CLI, 'bin/app.ts'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...env, CDK_CONTEXT_JSON: JSON.stringify(context), ...(outdir ? { CDK_OUTDIR: outdir } : {}) },
  });
}

/** stderr without the npm/Node noise a developer machine may add. */
const messages = (run: SpawnSyncReturns<string>) =>
  run.stderr
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('npm warn'))
    .join('\n');

describe('bin/app.ts', () => {
  it('fails with exit code 1 and names the provider, field, value and quota when the providers file is invalid', () => {
    // GIVEN a file that forces Secrets Manager on movingimage's 5-minute token
    const file = writeScratch(
      'invalid.json',
      JSON.stringify({ providers: [{ id: 'movingimage', preset: 'movingimage', store: 'secretsmanager' }] }),
    );
    // WHEN
    const run = runApp({ providersFile: file });
    // THEN
    expect(run.status).toBe(1);
    const stderr = messages(run);
    expect(stderr).toContain(`token-refresher: ${file}: 1 problem:`);
    expect(stderr).toContain('provider "movingimage" (providers[0]), field "store": got "secretsmanager"');
    expect(stderr).toContain('quota of 100 versions per secret');
    expect(stderr).not.toMatch(/^\s+at /m); // no stack trace
  });

  it('fails with exit code 1 and one line naming the path when the providers file is missing', () => {
    // GIVEN
    const file = path.join(scratch, 'missing.json');
    // WHEN
    const run = runApp({ providersFile: file });
    // THEN
    expect(run.status).toBe(1);
    expect(messages(run)).toBe(
      `token-refresher: cannot read providers file ${file} (ENOENT); set it with --context providersFile=<path>`,
    );
  });

  it('fails with exit code 1 and one line naming the path when the providers file is not JSON', () => {
    // GIVEN
    const file = writeScratch('broken.json', '{ "providers": [');
    // WHEN
    const run = runApp({ providersFile: file });
    // THEN
    expect(run.status).toBe(1);
    const stderr = messages(run);
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(
      new RegExp(`^token-refresher: providers file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid JSON: `),
    );
  });

  it('refuses a loopback http token endpoint, which local mode accepts, naming the provider, the field and the fix', () => {
    // GIVEN the file a new user tried locally against a loopback IdP
    const file = writeScratch(
      'loopback.json',
      JSON.stringify({ providers: [{ id: 'mm', preset: 'mediamelon', tokenEndpoint: 'http://localhost:8080/token' }] }),
    );
    // WHEN
    const run = runApp({ providersFile: file });
    // THEN
    expect(run.status).toBe(1);
    expect(messages(run)).toBe(
      `token-refresher: ${file}: 1 problem:\n` +
        '  - provider "mm" (providers[0]), field "tokenEndpoint": got "http://localhost:8080/token": must be an ' +
        'https:// URL when deployed: plain http:// on a loopback host is for local mode only (token-refresher run, ' +
        "check, the demo); in AWS it would reach the function's own sandbox, not this machine: give the IdP's https:// URL",
    );
  });

  it('says where a comment is and that JSON has none, and reads a file with a byte-order mark', () => {
    // GIVEN the shipped file with a comment, and with a BOM as Windows editors save it
    const shipped = readFileSync(path.join(REPO_ROOT, 'providers.json'), 'utf8');
    const commented = writeScratch('commented.json', shipped.replace('{', '{\n  // production IdPs'));
    const withBom = writeScratch('bom.json', `\uFEFF${shipped}`);
    // WHEN
    const commentedRun = runApp({ providersFile: commented });
    const bomRun = runApp({ providersFile: withBom });
    // THEN
    expect(commentedRun.status).toBe(1);
    expect(messages(commentedRun)).toBe(
      `token-refresher: providers file ${commented} is not valid JSON: line 2, column 3: "//" starts a comment, ` +
        'and JSON has no comments: remove it and any others',
    );
    expect(bomRun.status, messages(bomRun)).toBe(0);
  });

  // The one test that really runs esbuild, on the real function source (lambda/index.ts).
  it('synthesises the shipped providers file, bundling the function from lambda/index.ts with the AWS SDK inside', () => {
    // GIVEN the cdk.json context and the shipped providers file, as `cdk synth` passes them
    const outdir = mkdtempSync(path.join(scratch, 'cdk.out-'));
    // WHEN
    const run = runApp({ ...cdkJsonContext(), providersFile: 'providers.json' }, outdir);
    // THEN
    expect(run.status, messages(run)).toBe(0);
    const read = (file: string) => JSON.parse(readFileSync(path.join(outdir, file), 'utf8'));
    // The stage's shared stack and the refresher stacks its providers' ids hash to (lib/token-refresher-fleet.ts).
    const stackNames = readdirSync(outdir)
      .filter((f) => f.endsWith('.template.json'))
      .map((f) => f.replace(/\.template\.json$/, ''));
    expect(stackNames).toContain('TokenRefresher');
    const functions = stackNames.flatMap((name) => {
      const template = read(`${name}.template.json`) as {
        Resources: Record<string, { Type: string; Properties: { Code?: { S3Key?: string } } }>;
      };
      const assets = read(`${name}.assets.json`) as { files: Record<string, { source: { path: string } }> };
      return Object.values(template.Resources)
        .filter((r) => r.Type === 'AWS::Lambda::Function')
        .map((fn) => ({ fn, assets }));
    });
    expect(functions).toHaveLength(5);
    for (const { fn, assets } of functions) {
      const hash = fn.Properties.Code?.S3Key?.replace(/\.zip$/, '') ?? '';
      const assetDir = path.join(outdir, assets.files[hash]?.source.path ?? 'missing-asset');
      expect(readdirSync(assetDir).sort()).toEqual(['index.js', 'index.js.map']);
      const bundle = readFileSync(path.join(assetDir, 'index.js'), 'utf8');
      // (boolean checks: a failing `toMatch` would print the whole 700 KB bundle)
      expect(/\bhandler\b/.test(bundle), 'bundle exports handler').toBe(true);
      expect(bundle.includes('PutSecretValue'), 'bundle contains the Secrets Manager client').toBe(true);
      // Only the optional CRT signer, which the SDK loads in a try/catch, stays a runtime require.
      const sdkRequires = new Set(bundle.match(/require\("@aws-sdk\/[^"]+"\)/g) ?? []);
      expect([...sdkRequires].filter((r) => r !== 'require("@aws-sdk/signature-v4-crt")')).toEqual([]);
    }
  });
});
