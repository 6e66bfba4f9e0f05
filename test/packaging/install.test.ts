/**
 * The packages as users get them: each is built (scripts/build-packages.ts), packed with `npm pack`
 * and installed from its tarball into a scratch project, then used with plain `node`, no tsx and no
 * dev dependency. Dependencies come through npm as for any user (from its cache first).
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_ENGINES } from '../../contract/node-support.js';
import { buildPackages, PACKAGES, PACKAGES_DIR } from '../../scripts/build-packages.js';

const run = promisify(execFile);
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];
const VERSIONS = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  dependencies: Record<string, string>;
};

/** Every Node.js on PATH outside node_modules, plus the one running the tests, by major version. */
function nodesByMajor(): Map<number, string> {
  const found = new Map<number, string>();
  const candidates = [
    process.execPath,
    ...(process.env.PATH ?? '')
      .split(path.delimiter)
      .filter((dir) => !dir.includes('node_modules'))
      .map((dir) => path.join(dir, 'node')),
  ];
  for (const candidate of candidates) {
    if (!existsSync(candidate)) continue;
    const version = execFileSync(candidate, ['--version'], { encoding: 'utf8' }).trim();
    const major = Number(/^v(\d+)\./.exec(version)?.[1]);
    if (!found.has(major)) found.set(major, candidate);
  }
  return found;
}

const nodes = nodesByMajor();
const node24 = nodes.get(24);
const node20 = nodes.get(20);
const skipNode20 = node20 ? '' : ' (skipped: no Node.js 20 on PATH besides node_modules)';

let work: string;
const tarballs = new Map<string, string>();

async function scratchProject(name: string, type: 'module' | 'commonjs', install: string[]): Promise<string> {
  const dir = path.join(work, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `scratch-${name}`, private: true, type }));
  await run('npm', ['install', ...install, ...NPM_FLAGS], { cwd: dir });
  return dir;
}

function installedPackages(dir: string): string[] {
  const modules = path.join(dir, 'node_modules');
  return readdirSync(modules)
    .filter((entry) => !entry.startsWith('.'))
    .flatMap((entry) =>
      entry.startsWith('@') ? readdirSync(path.join(modules, entry)).map((sub) => `${entry}/${sub}`) : [entry],
    );
}

let reader: string;
let cdkApp: string;
let cli: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'token-refresher-packages-'));
  await buildPackages();
  for (const spec of PACKAGES) {
    const { stdout } = await run('npm', [
      'pack',
      path.join(PACKAGES_DIR, spec.dir),
      '--pack-destination',
      work,
      '--json',
    ]);
    tarballs.set(spec.dir, path.join(work, (JSON.parse(stdout) as { filename: string }[])[0]!.filename));
  }
  [reader, cdkApp, cli] = await Promise.all([
    scratchProject('reader', 'module', [tarballs.get('reader')!]),
    scratchProject('cdk-app', 'module', [
      tarballs.get('cdk')!,
      `aws-cdk-lib@${VERSIONS.dependencies['aws-cdk-lib']}`,
      `constructs@${VERSIONS.dependencies.constructs}`,
    ]),
    scratchProject('cli', 'commonjs', [tarballs.get('cli')!]),
  ]);
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('@token-refresher/reader', () => {
  it('installs alone: no aws-cdk-lib, constructs, zod, AWS SDK or CLI dependency', () => {
    expect(installedPackages(reader)).toEqual(['@token-refresher/reader']);
  });

  const consumer = `
import { writeFileSync } from 'node:fs';
import { getAccessToken, TokenReader } from '@token-refresher/reader';
const now = Math.floor(Date.now() / 1000);
writeFileSync('token.json', JSON.stringify({ access_token: 'at-from-file', token_type: 'Bearer', expires_at: now + 600, issued_at: now, provider: 'demo' }));
process.env.TOKEN_SOURCE = 'file:token.json';
const token = await getAccessToken();
const reader = new TokenReader({ tokenSource: 'file:token.json' });
console.log(JSON.stringify({ token, provider: (await reader.getToken()).provider, node: process.version }));
`;

  it.each([['24', node24]])('reads a token from a file: source with plain node %s', async (_, nodeBinary) => {
    if (!nodeBinary) return;
    writeFileSync(path.join(reader, 'consume.mjs'), consumer);
    const { stdout } = await run(nodeBinary, ['consume.mjs'], { cwd: reader });
    expect(JSON.parse(stdout)).toMatchObject({ token: 'at-from-file', provider: 'demo' });
  });
});

describe('@token-refresher/cdk', () => {
  it('declares aws-cdk-lib and constructs as peers and ships the refresher bundled', () => {
    const manifest = JSON.parse(
      readFileSync(path.join(cdkApp, 'node_modules/@token-refresher/cdk/package.json'), 'utf8'),
    );
    expect(Object.keys(manifest.peerDependencies)).toEqual(['aws-cdk-lib', 'constructs']);
    expect(Object.keys(manifest.dependencies)).toEqual(['zod']);
    expect(existsSync(path.join(cdkApp, 'node_modules/@token-refresher/cdk/assets/refresher/index.js'))).toBe(true);
    // Nothing to bundle with at synth time: the asset must be the shipped one.
    expect(installedPackages(cdkApp)).not.toContain('esbuild');
  });

  const app = (importLine: string) => `
${importLine}
const app = new App({ outdir: process.argv[2] });
const stack = new Stack(app, 'Consumers');
const [provider] = parseProvidersFile({ providers: [{ id: 'cv', preset: 'clickview', clientId: 'embed' }] });
const refresher = new ProviderTokenRefresher(stack, 'Cv', { provider });
const fn = new lambda.Function(stack, 'Api', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1') });
wireLambdaConsumer(refresher, fn);
app.synth();
`;

  it.each([
    [
      'an ES module app',
      'app.mjs',
      `import { App, Stack } from 'aws-cdk-lib';\nimport * as lambda from 'aws-cdk-lib/aws-lambda';\nimport { parseProvidersFile, ProviderTokenRefresher, wireLambdaConsumer } from '@token-refresher/cdk';`,
    ],
    [
      'a CommonJS app (require of the ES module)',
      'app.cjs',
      `const { App, Stack } = require('aws-cdk-lib');\nconst lambda = require('aws-cdk-lib/aws-lambda');\nconst { parseProvidersFile, ProviderTokenRefresher, wireLambdaConsumer } = require('@token-refresher/cdk');`,
    ],
  ])('synthesizes %s that uses ProviderTokenRefresher, with plain node', async (_, file, importLine) => {
    writeFileSync(path.join(cdkApp, file), app(importLine));
    const out = path.join(cdkApp, `cdk.out-${file}`);
    await run(node24 ?? process.execPath, [file, out], { cwd: cdkApp });
    const template = JSON.parse(readFileSync(path.join(out, 'Consumers.template.json'), 'utf8'));
    const functions = Object.values(
      template.Resources as Record<
        string,
        { Type: string; Properties: { Handler?: string; Runtime?: string; Code: { S3Key?: unknown } } }
      >,
    ).filter(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Handler === 'index.handler' && r.Properties.Code.S3Key,
    );
    expect(functions).toHaveLength(1);
    expect(functions[0]!.Properties.Runtime).toBe('nodejs24.x');
    const assetDirs = readdirSync(out).filter((f) => f.startsWith('asset.'));
    expect(assetDirs.some((d) => existsSync(path.join(out, d, 'index.js')))).toBe(true);
    expect(JSON.stringify(template)).toContain('"TOKEN_SOURCE"');
  });
});

describe('@token-refresher/cli', () => {
  it('runs its bin with no dev dependency installed', async () => {
    const installed = installedPackages(cli);
    expect(installed).not.toContain('tsx');
    expect(installed).not.toContain('aws-cdk-lib');
    const { stdout } = await run(
      node24 ?? process.execPath,
      [path.join(cli, 'node_modules/.bin/token-refresher'), '--help'],
      {
        cwd: cli,
      },
    );
    expect(stdout).toContain('Usage:');
    expect(stdout).toContain('token-refresher <command>');
  });

  it('ships local mode with its demo IdPs: run --once renews every provider against the embedded demo', async () => {
    const readme = readFileSync(path.join(cli, 'node_modules/@token-refresher/cli/README.md'), 'utf8');
    expect(readme, 'the README says the package holds run and its demo').toMatch(/token-refresher run/);
    expect(readme).toMatch(/fake IdP token endpoints/);
    copyFileSync(new URL('../../providers.json', import.meta.url), path.join(cli, 'providers.json'));
    const { stdout } = await run(
      node24 ?? process.execPath,
      [path.join(cli, 'node_modules/.bin/token-refresher'), 'run', '--once', '--json', '--dir', 'local-run'],
      { cwd: cli },
    );
    const runs = stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { event: string; provider?: string; outcome?: string })
      .filter((e) => e.event === 'run');
    const ids = (
      JSON.parse(readFileSync(path.join(cli, 'providers.json'), 'utf8')) as { providers: { id: string }[] }
    ).providers.map((p) => `${p.id} refreshed`);
    expect(runs.map((e) => `${e.provider} ${e.outcome}`).sort(), stdout).toEqual(ids.sort());
  });

  it.each([[`20${skipNode20}`]])('refuses plain node %s in one line, without the AWS SDK warning', async () => {
    if (!node20) return;
    const refused = await run(node20, [path.join(cli, 'node_modules/@token-refresher/cli/bin/cli.js'), 'status']).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(refused?.code).toBe(2);
    expect(refused?.stderr).toMatch(/^error: token-refresher needs Node\.js 22\.12 or later; [^\n]*\n$/);
  });

  it('declares the Node.js it needs, as the reader and the construct package do', () => {
    for (const [dir, name] of [
      [cli, 'cli'],
      [reader, 'reader'],
      [cdkApp, 'cdk'],
    ] as const) {
      const manifest = JSON.parse(
        readFileSync(path.join(dir, `node_modules/@token-refresher/${name}/package.json`), 'utf8'),
      );
      expect(manifest.engines, name).toEqual({ node: NODE_ENGINES });
    }
  });
});
