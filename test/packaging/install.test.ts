/**
 * The packages as users get them: each is built (scripts/build-packages.ts), packed with `npm pack`
 * and installed from its tarball into a scratch project, then used with plain `node`, no tsx and no
 * dev dependency. Dependencies come through npm as for any user (from its cache first).
 *
 * The libraries are used from both module systems: plain `import` and `require`, TypeScript apps under
 * classic `node`, `node16` and `nodenext` resolution compiled with an older TypeScript, and an app as
 * today's `cdk init` writes it, synthesized with `cdk synth`. Those apps share one install.
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
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_ENGINES } from '../../contract/node-support.js';
import { buildPackages, PACKAGES, PACKAGES_DIR } from '../../scripts/build-packages.js';

const run = promisify(execFile);
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];
const VERSIONS = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  dependencies: Record<string, string>;
};
/** The repository's aws-cdk CLI: it writes the `cdk init` app and runs its `cdk synth`. */
const CDK_CLI = fileURLToPath(new URL('../../node_modules/aws-cdk/bin/cdk', import.meta.url));
/**
 * What many existing CDK apps compile with: a TypeScript before 5.8, under which a CommonJS file
 * cannot import an ES module (TS1479) and classic `node` resolution ignores `exports` (TS2307).
 */
const CLASSIC_TYPESCRIPT = '5.4.5';

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

/**
 * An app as `cdk init app --language typescript` writes it, with the template's tsconfig, cdk.json and
 * compiler versions. Its jest tests are not run here, so jest and its types are left out, and
 * `cdk synth` runs the repository's CLI, the version that wrote the template.
 */
async function cdkInitProject(install: string[]): Promise<string> {
  const dir = path.join(work, 'cdk-init');
  mkdirSync(dir);
  await run(process.execPath, [CDK_CLI, 'init', 'app', '--language', 'typescript', '--generate-only'], { cwd: dir });
  const manifestFile = path.join(dir, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
    type?: string;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  expect(manifest.type, 'the template is a CommonJS package').toBeUndefined();
  const tools = ['typescript', 'tsx', '@types/node'];
  manifest.devDependencies = Object.fromEntries(tools.map((name) => [name, manifest.devDependencies[name]!]));
  manifest.dependencies = {};
  writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
  const tsconfigFile = path.join(dir, 'tsconfig.json');
  const tsconfig = JSON.parse(readFileSync(tsconfigFile, 'utf8')) as { compilerOptions: { types: string[] } };
  tsconfig.compilerOptions.types = tsconfig.compilerOptions.types.filter((name) => name !== 'jest');
  writeFileSync(tsconfigFile, JSON.stringify(tsconfig, null, 2));
  rmSync(path.join(dir, 'test'), { recursive: true });
  rmSync(path.join(dir, 'jest.config.js'));
  await run('npm', ['install', ...install, ...NPM_FLAGS], { cwd: dir });
  return dir;
}

/** The refresher in a synthesized stack: one function whose code is the shipped bundle. */
function expectShippedRefresher(outDir: string, stack: string): Record<string, unknown> {
  const template = JSON.parse(readFileSync(path.join(outDir, `${stack}.template.json`), 'utf8'));
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
  const assetDirs = readdirSync(outDir).filter((f) => f.startsWith('asset.'));
  expect(assetDirs.some((d) => existsSync(path.join(outDir, d, 'index.js')))).toBe(true);
  return template;
}

let reader: string;
let cdkApp: string;
let cli: string;
let cdkInit: string;
let classicTypescript: string;

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
  const cdkWithPeers = [
    tarballs.get('cdk')!,
    `aws-cdk-lib@${VERSIONS.dependencies['aws-cdk-lib']}`,
    `constructs@${VERSIONS.dependencies.constructs}`,
  ];
  [reader, cdkApp, cli, cdkInit, classicTypescript] = await Promise.all([
    scratchProject('reader', 'module', [tarballs.get('reader')!]),
    scratchProject('cdk-app', 'module', cdkWithPeers),
    scratchProject('cli', 'commonjs', [tarballs.get('cli')!]),
    cdkInitProject([...cdkWithPeers, tarballs.get('reader')!]),
    scratchProject('typescript-classic', 'commonjs', [`typescript@${CLASSIC_TYPESCRIPT}`]),
  ]);
}, 300_000);

// Two aws-cdk-lib installs and two TypeScripts: removing them takes longer than the default hook timeout.
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
}, 120_000);

describe('@token-refresher/reader', () => {
  it('installs alone: no aws-cdk-lib, constructs, zod, AWS SDK or CLI dependency', () => {
    expect(installedPackages(reader)).toEqual(['@token-refresher/reader']);
  });

  /** A token read, a stale token refused and a bad source refused, with the loading line of each module system. */
  const consumer = (load: string) => `
${load}
async function main() {
  const now = Math.floor(Date.now() / 1000);
  const write = (file, expiresAt) => writeFileSync(file, JSON.stringify({ access_token: 'at-from-file', token_type: 'Bearer', expires_at: expiresAt, issued_at: now - 3600, provider: 'demo' }));
  write('token.json', now + 600);
  write('stale.json', now + 30);
  process.env.TOKEN_SOURCE = 'file:token.json';
  const token = await getAccessToken();
  const reader = new TokenReader({ tokenSource: 'file:token.json' });
  const failure = async (read) => read().then(() => 'no error', (e) => ({ name: e.name, code: e.code, reader: e instanceof TokenReaderError }));
  return {
    token,
    provider: (await reader.getToken()).provider,
    stale: await failure(() => new TokenReader({ tokenSource: 'file:stale.json' }).getToken()),
    badSource: await failure(async () => new TokenReader({ tokenSource: 'SSM:/a' }).getToken()),
  };
}
main().then((result) => console.log(JSON.stringify(result)));
`;
  const loaders = {
    import: [
      'consume.mjs',
      `import { writeFileSync } from 'node:fs';\nimport { getAccessToken, TokenReader, TokenReaderError } from '@token-refresher/reader';`,
    ],
    require: [
      'consume.cjs',
      `const { writeFileSync } = require('node:fs');\nconst { getAccessToken, TokenReader, TokenReaderError } = require('@token-refresher/reader');`,
    ],
  } as const;

  async function consume(nodeBinary: string, loader: keyof typeof loaders): Promise<Record<string, unknown>> {
    const [file, load] = loaders[loader];
    writeFileSync(path.join(reader, file), consumer(load));
    const { stdout } = await run(nodeBinary, [file], { cwd: reader });
    return JSON.parse(stdout) as Record<string, unknown>;
  }

  // Node.js 20 is below the packages' engines (contract/node-support.ts); the CLI's refusal is tested below.
  it.each([['24', node24]])(
    'reads a token from a file: source with plain node %s, the same from import and from require',
    async (_, nodeBinary) => {
      if (!nodeBinary) return;
      const imported = await consume(nodeBinary, 'import');
      expect(imported).toMatchObject({
        token: 'at-from-file',
        provider: 'demo',
        stale: { name: 'StaleTokenError', reader: true },
        badSource: { name: 'TokenSourceError', reader: true },
      });
      expect(await consume(nodeBinary, 'require')).toEqual(imported);
    },
  );

  it('loads one copy whether imported or required: one TokenReaderError class, one shared reader', async () => {
    writeFileSync(
      path.join(reader, 'identity.mjs'),
      `import { createRequire } from 'node:module';
import * as imported from '@token-refresher/reader';
const require = createRequire(import.meta.url);
const required = require('@token-refresher/reader');
process.env.TOKEN_SOURCE = 'file:token.json';
console.log(JSON.stringify({
  importedFrom: import.meta.resolve('@token-refresher/reader'),
  requiredFrom: require.resolve('@token-refresher/reader'),
  sameErrorClass: imported.TokenReaderError === required.TokenReaderError,
  sameSharedReader: imported.sharedTokenReader() === required.sharedTokenReader(),
}));
`,
    );
    const { stdout } = await run(node24 ?? process.execPath, ['identity.mjs'], { cwd: reader });
    const result = JSON.parse(stdout);
    expect(result.importedFrom).toMatch(/consumer\/index\.mjs$/);
    expect(result.requiredFrom).toMatch(/consumer\/index\.js$/);
    expect(result).toMatchObject({ sameErrorClass: true, sameSharedReader: true });
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
      'a CommonJS app',
      'app.cjs',
      `const { App, Stack } = require('aws-cdk-lib');\nconst lambda = require('aws-cdk-lib/aws-lambda');\nconst { parseProvidersFile, ProviderTokenRefresher, wireLambdaConsumer } = require('@token-refresher/cdk');`,
    ],
  ])('synthesizes %s that uses ProviderTokenRefresher, with plain node', async (_, file, importLine) => {
    writeFileSync(path.join(cdkApp, file), app(importLine));
    const out = path.join(cdkApp, `cdk.out-${file}`);
    await run(node24 ?? process.execPath, [file, out], { cwd: cdkApp });
    const template = expectShippedRefresher(out, 'Consumers');
    expect(JSON.stringify(template)).toContain('"TOKEN_SOURCE"');
  });

  it('loads one copy whether imported or required: one ProviderTokenRefresher class per app', async () => {
    writeFileSync(
      path.join(cdkApp, 'identity.mjs'),
      `import { createRequire } from 'node:module';
import { ProviderTokenRefresher, parseProvidersFile } from '@token-refresher/cdk';
const require = createRequire(import.meta.url);
const required = require('@token-refresher/cdk');
console.log(JSON.stringify({
  importedFrom: import.meta.resolve('@token-refresher/cdk'),
  requiredFrom: require.resolve('@token-refresher/cdk'),
  sameClass: ProviderTokenRefresher === required.ProviderTokenRefresher,
  sameParser: parseProvidersFile === required.parseProvidersFile,
}));
`,
    );
    const { stdout } = await run(node24 ?? process.execPath, ['identity.mjs'], { cwd: cdkApp });
    const result = JSON.parse(stdout);
    expect(result.importedFrom).toMatch(/lib\/index\.mjs$/);
    expect(result.requiredFrom).toMatch(/lib\/index\.js$/);
    expect(result).toMatchObject({ sameClass: true, sameParser: true });
  });
});

describe('TypeScript apps using the libraries, in either module system', () => {
  /** A CDK app with a refresher and a consumer function; the same text is a CommonJS or an ES module. */
  const app = `
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { parseProvidersFile, ProviderTokenRefresher, type ProviderTokenRefresherProps, wireLambdaConsumer } from '@token-refresher/cdk';

const app = new App({ outdir: process.argv[2] });
const stack = new Stack(app, 'Consumers');
const [provider] = parseProvidersFile({ providers: [{ id: 'cv', preset: 'clickview', clientId: 'embed' }] });
if (provider === undefined) throw new Error('the providers file has one provider');
const props: ProviderTokenRefresherProps = { provider };
const refresher = new ProviderTokenRefresher(stack, 'Cv', props);
const fn = new lambda.Function(stack, 'Api', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1') });
wireLambdaConsumer(refresher, fn);
app.synth();
`;
  /** A consumer function's use of the reader, type-checked only. */
  const consumer = `
import { getAccessToken, StaleTokenError, TokenReader, type TokenReaderOptions } from '@token-refresher/reader';

const options: TokenReaderOptions = { tokenSource: 'ssm:/token-refresher/cv/token' };
export async function handler(): Promise<string> {
  try {
    return (await new TokenReader(options).getToken()).access_token;
  } catch (error) {
    if (error instanceof StaleTokenError) return getAccessToken();
    throw error;
  }
}
`;

  /** The apps `CLASSIC_TYPESCRIPT` compiles: one folder each, all in the `cdk init` project's install. */
  const CASES = [
    {
      dir: 'classic',
      type: 'commonjs',
      options: { module: 'commonjs', moduleResolution: 'node', outDir: 'out' },
    },
    { dir: 'commonjs-node16', type: 'commonjs', options: { module: 'node16', moduleResolution: 'node16' } },
    { dir: 'commonjs-nodenext', type: 'commonjs', options: { module: 'nodenext', moduleResolution: 'nodenext' } },
    { dir: 'module-node16', type: 'module', options: { module: 'node16', moduleResolution: 'node16' } },
    { dir: 'module-nodenext', type: 'module', options: { module: 'nodenext', moduleResolution: 'nodenext' } },
  ] as const;

  /** Each case's tsc diagnostics, and the cases tsc built (a case it skipped has no diagnostics either). */
  const errors = new Map<string, string[]>();

  /**
   * One `tsc --build` over every case: it parses aws-cdk-lib's declarations once for all of them
   * (four cases took 9 s of CPU here, against 7 s for each case alone). Its verbose log names the
   * project before that project's diagnostics, which is how each is told apart.
   */
  beforeAll(async () => {
    for (const { dir, type, options } of CASES) {
      const folder = path.join(cdkInit, dir);
      mkdirSync(folder);
      writeFileSync(path.join(folder, 'package.json'), JSON.stringify({ private: true, type }));
      writeFileSync(path.join(folder, 'app.ts'), app);
      writeFileSync(path.join(folder, 'consumer.ts'), consumer);
      // strict and skipLibCheck as cdk init sets them. README.md ("From CommonJS apps") says what
      // skipLibCheck: false needs besides: esModuleInterop, and the reader's optional peers installed.
      const compilerOptions = { target: 'ES2020', strict: true, skipLibCheck: true, types: ['node'], ...options };
      const config = {
        compilerOptions: { noEmit: !('outDir' in options), ...compilerOptions },
        files: ['app.ts', 'consumer.ts'],
      };
      writeFileSync(path.join(folder, 'tsconfig.json'), JSON.stringify(config));
    }
    const solution = path.join(cdkInit, 'tsconfig.cases.json');
    writeFileSync(solution, JSON.stringify({ files: [], references: CASES.map(({ dir }) => ({ path: dir })) }));
    const tsc = path.join(classicTypescript, 'node_modules/typescript/bin/tsc');
    const log = await run(process.execPath, [tsc, '--build', solution, '--verbose', '--pretty', 'false']).then(
      ({ stdout }) => stdout,
      (error: Error & { stdout?: string }) => error.stdout || error.message,
    );
    let current = 'outside any project';
    for (const line of log.split('\n')) {
      const building = / - Building project '(.+)'\.\.\.$/.exec(line);
      if (building) {
        current = path.relative(cdkInit, path.dirname(building[1]!));
        errors.set(current, []);
      } else if (/error TS\d+/.test(line)) {
        errors.set(current, [...(errors.get(current) ?? []), line]);
      }
    }
  }, 300_000);

  function expectCompiled(dir: string): void {
    expect(errors.get('outside any project')).toBeUndefined();
    expect(errors.get(dir), `tsc built ${dir}`).toEqual([]);
  }

  it(`a classic CommonJS app (module commonjs, moduleResolution node) compiles with TypeScript ${CLASSIC_TYPESCRIPT} and synthesizes`, async () => {
    expectCompiled('classic');
    const dir = path.join(cdkInit, 'classic');
    const out = path.join(dir, 'cdk.out');
    await run(node24 ?? process.execPath, [path.join(dir, 'out', 'app.js'), out], { cwd: dir });
    const template = expectShippedRefresher(out, 'Consumers');
    expect(JSON.stringify(template)).toContain('"TOKEN_SOURCE"');
  });

  it.each(CASES.filter(({ dir }) => dir !== 'classic').map(({ dir, type }) => [type, dir.split('-')[1], dir]))(
    `a %s app type-checks under module and moduleResolution %s with TypeScript ${CLASSIC_TYPESCRIPT}`,
    (_, __, dir) => {
      expectCompiled(dir);
    },
  );

  it('an app as `cdk init app --language typescript` writes it compiles and synthesizes with cdk synth', async () => {
    const stackFile = path.join(cdkInit, 'lib', 'cdk-init-stack.ts');
    expect(existsSync(stackFile), 'the template names its stack after the folder').toBe(true);
    writeFileSync(
      stackFile,
      `import * as cdk from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import { parseProvidersFile, ProviderTokenRefresher } from '@token-refresher/cdk';

export class CdkInitStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);
    const [provider] = parseProvidersFile({ providers: [{ id: 'cv', preset: 'clickview', clientId: 'embed' }] });
    if (provider === undefined) throw new Error('the providers file has one provider');
    new ProviderTokenRefresher(this, 'Cv', { provider });
  }
}
`,
    );
    // cdk.json's app compiles with the template's tsc, then runs bin/ with tsx.
    await run(process.execPath, [CDK_CLI, 'synth', '--quiet', '--no-notices', '--output', 'cdk.out'], {
      cwd: cdkInit,
      env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' },
    });
    expectShippedRefresher(path.join(cdkInit, 'cdk.out'), 'CdkInitStack');
  });
});

describe('every package', () => {
  it.each(PACKAGES.map((spec) => [spec.name, spec.dir]))(
    '%s names its repository, homepage and issue tracker, as installed',
    (name, dir) => {
      const project = { reader, cdk: cdkApp, cli }[dir]!;
      const manifest = JSON.parse(readFileSync(path.join(project, 'node_modules', name, 'package.json'), 'utf8'));
      expect(manifest).toMatchObject({
        repository: { type: 'git', url: 'git+https://github.com/token-refresher/token-refresher.git' },
        homepage: 'https://github.com/token-refresher/token-refresher#readme',
        bugs: { url: 'https://github.com/token-refresher/token-refresher/issues' },
      });
    },
  );
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
    // The demo adds its own signed-assertion and connected providers (local/demo/demo-setup.ts), never deployed.
    ids.push('demo-okta refreshed', 'demo-connected refreshed');
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
