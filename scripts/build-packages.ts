/**
 * Builds the three installable packages into dist/packages/ (`npm run build`):
 *
 * - `@token-refresher/cdk`: the constructs, the providers-file parser and the wiring helpers, with the
 *   refresher function bundled ahead of time; `aws-cdk-lib` and `constructs` are peers.
 * - `@token-refresher/reader`: the consumer reader; the AWS SDK clients are optional peers.
 * - `@token-refresher/cli`: the operator CLI, whose `token-refresher` bin is plain compiled JavaScript.
 *   Its `run` command is local mode, so it ships local/ with the demo's fake IdPs (local/demo/): `run`
 *   starts them when no credentials are configured.
 *
 * tsc compiles the rooms once (tsconfig.build.json); each package then takes exactly the files its
 * entry points reach, and its dependencies are read off the imports those files make, with the
 * versions this repository's lockfile tested. A bare import that package.json does not declare fails
 * the build, so a package can never ship an undeclared dependency.
 *
 * The two libraries (the packages with entry points) load from ES modules and CommonJS alike, with
 * declarations for classic `node`, `node16` and `nodenext` resolution: one CommonJS implementation
 * and an ES module entry that re-exports it (scripts/module-formats.ts says why). The CLI is a bin,
 * run by Node.js only, and stays an ES module.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';
import { NODE_ENGINES } from '../contract/node-support.js';
import { REFRESHER_BUILD_OPTIONS, REFRESHER_ENTRY } from '../lib/private/bundling.js';
import { esModuleEntry, toCommonJs } from './module-formats.js';

const ROOT = path.join(import.meta.dirname, '..');
const COMPILED = path.join(ROOT, 'dist', 'js');
export const PACKAGES_DIR = path.join(ROOT, 'dist', 'packages');

interface PackageSpec {
  readonly dir: string;
  readonly name: string;
  readonly description: string;
  /** Compiled entry points, relative to dist/js (without extension). */
  readonly entries: Readonly<Record<string, string>>;
  readonly bin?: Readonly<Record<string, string>>;
  /** Packages the user brings: required peers, and optional ones needed only for some features. */
  readonly peers: readonly string[];
  readonly optionalPeers: readonly string[];
  readonly keywords: readonly string[];
  /** What the package's README says beyond its description, when a user should know it before installing. */
  readonly readme?: string;
}

export const SCOPE = '@token-refresher';

/** Where every package says it comes from (npm shows them on the package's page). */
const REPOSITORY = 'https://github.com/token-refresher/token-refresher';
const SOURCE_FIELDS = {
  repository: { type: 'git', url: `git+${REPOSITORY}.git` },
  homepage: `${REPOSITORY}#readme`,
  bugs: { url: `${REPOSITORY}/issues` },
} as const;

export const PACKAGES: readonly PackageSpec[] = [
  {
    dir: 'cdk',
    name: `${SCOPE}/cdk`,
    description: 'CDK constructs that keep OAuth2 access tokens for third-party APIs permanently fresh in AWS',
    entries: { '.': 'lib/index' },
    peers: ['aws-cdk-lib', 'constructs'],
    optionalPeers: [],
    keywords: ['aws-cdk', 'cdk-construct', 'oauth2', 'token', 'lambda'],
  },
  {
    dir: 'reader',
    name: `${SCOPE}/reader`,
    description:
      'Reads a token-refresher token in AWS Lambda, ECS or locally: cached until shortly before expiry, never stale',
    entries: { '.': 'consumer/index' },
    peers: [],
    optionalPeers: ['@aws-sdk/client-secrets-manager', '@aws-sdk/client-ssm', '@middy/core', '@types/aws-lambda'],
    keywords: ['oauth2', 'token', 'aws-lambda', 'ecs', 'secrets-manager', 'ssm'],
  },
  {
    dir: 'cli',
    name: `${SCOPE}/cli`,
    description: 'Operator CLI of token-refresher: status, forced refresh and a one-shot check of a provider',
    entries: {},
    bin: { 'token-refresher': 'bin/cli' },
    peers: [],
    optionalPeers: [],
    keywords: ['oauth2', 'token', 'cli', 'aws'],
    readme:
      'It also holds local mode, `token-refresher run`: the refresh engine on this machine, with tokens and state in ' +
      'files. Without credentials, `run` starts its embedded demo: three fake IdP token endpoints (Keycloak, ' +
      'IdentityServer, legacy Spring) that listen only on 127.0.0.1 and take built-in credentials. The package ' +
      'ships them for that; they need no dependency.',
  },
];

const rootPackage = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  license: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** Where each bare import's version comes from: the versions this repository tests with. */
function versionOf(pkg: string): string {
  const pinned = rootPackage.dependencies[pkg] ?? rootPackage.devDependencies[pkg];
  if (pinned === undefined) throw new Error(`build-packages: "${pkg}" is imported but not declared in package.json`);
  return `^${pinned.replace(/^[\^~]/, '')}`;
}

const BUILTINS = new Set(builtinModules);

/** The module specifiers a compiled file imports, static and dynamic, read by TypeScript's own scanner. */
function importsOf(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/** The package name of a bare specifier (`@aws-sdk/client-ssm`, `aws-cdk-lib/aws-iam` → `aws-cdk-lib`). */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('node:') || BUILTINS.has(specifier.split('/')[0]!)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

/** The types package a type-only import resolves through (`aws-lambda` → `@types/aws-lambda`). */
function typesPackageOf(pkg: string): string {
  return rootPackage.dependencies[pkg] || rootPackage.devDependencies[pkg] ? pkg : `@types/${pkg}`;
}

/** Every compiled file `start` reaches through relative imports, with the bare packages it imports. */
function closure(start: string, extension: '.js' | '.d.ts'): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [start + extension];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const text = readFileSync(path.join(COMPILED, file), 'utf8');
    for (const specifier of importsOf(text)) {
      if (specifier.startsWith('.')) {
        const target = path.join(path.dirname(file), specifier).replace(/\.js$/, extension);
        if (!existsSync(path.join(COMPILED, target)))
          throw new Error(`build-packages: ${file} imports missing ${target}`);
        pending.push(target);
      } else {
        const pkg = packageOf(specifier);
        if (pkg) packages.add(pkg);
      }
    }
  }
  return { files, packages };
}

function copyInto(dest: string, relative: string): void {
  mkdirSync(path.dirname(path.join(dest, relative)), { recursive: true });
  copyFileSync(path.join(COMPILED, relative), path.join(dest, relative));
}

/** A library has entry points for apps to import; a bin-only package is run by Node.js only. */
function isLibrary(spec: PackageSpec): boolean {
  return Object.keys(spec.entries).length > 0;
}

function writeInto(dest: string, relative: string, text: string): void {
  mkdirSync(path.dirname(path.join(dest, relative)), { recursive: true });
  writeFileSync(path.join(dest, relative), text);
}

/** A library's compiled file goes in as CommonJS, a bin's unchanged (with its source map, if any). */
function shipJs(spec: PackageSpec, dest: string, file: string): void {
  if (isLibrary(spec)) {
    writeInto(dest, file, toCommonJs(readFileSync(path.join(COMPILED, file), 'utf8'), file));
    return;
  }
  copyInto(dest, file);
  if (existsSync(path.join(COMPILED, `${file}.map`))) copyInto(dest, `${file}.map`);
}

/**
 * Where each module system finds an entry's code and declarations: `exports` for resolvers that read
 * it (Node.js, `node16`, `nodenext`, `bundler`), `main` and `types` for classic `node` resolution,
 * which reads only those and so gets the CommonJS side, as it would at run time.
 */
function entryFields(spec: PackageSpec): Record<string, unknown> {
  if (!isLibrary(spec)) return { type: 'module' };
  const exportsField = Object.fromEntries(
    Object.entries(spec.entries).map(([subpath, entry]) => [
      subpath,
      {
        import: { types: `./${entry}.d.mts`, default: `./${entry}.mjs` },
        require: { types: `./${entry}.d.ts`, default: `./${entry}.js` },
      },
    ]),
  );
  const main = spec.entries['.'];
  return {
    type: 'commonjs',
    ...(main ? { main: `./${main}.js`, types: `./${main}.d.ts` } : {}),
    exports: exportsField,
  };
}

/** The ES module entries `entryFields` names; written after package.json, which makes the .js files CommonJS. */
function writeEsModuleEntries(spec: PackageSpec, dest: string): void {
  for (const entry of Object.values(spec.entries)) {
    const esm = esModuleEntry(path.join(dest, `${entry}.js`));
    writeInto(dest, `${entry}.mjs`, esm.js);
    writeInto(dest, `${entry}.d.mts`, esm.dts);
  }
}

function buildPackage(spec: PackageSpec): void {
  const dest = path.join(PACKAGES_DIR, spec.dir);
  const starts = [...Object.values(spec.entries), ...Object.values(spec.bin ?? {})];
  const runtime = new Set<string>();
  const types = new Set<string>();
  for (const start of starts) {
    const js = closure(start, '.js');
    for (const file of js.files) shipJs(spec, dest, file);
    js.packages.forEach((p) => runtime.add(p));
    if (spec.bin === undefined || Object.keys(spec.entries).length > 0) {
      const dts = closure(start, '.d.ts');
      for (const file of dts.files) copyInto(dest, file);
      dts.packages.forEach((p) => types.add(p));
    }
  }

  const dependencies: Record<string, string> = {};
  const peerDependencies: Record<string, string> = {};
  const peerDependenciesMeta: Record<string, { optional: true }> = {};
  for (const pkg of [...runtime].sort()) {
    if (spec.peers.includes(pkg)) peerDependencies[pkg] = versionOf(pkg);
    else if (spec.optionalPeers.includes(pkg)) {
      peerDependencies[pkg] = versionOf(pkg);
      peerDependenciesMeta[pkg] = { optional: true };
    } else dependencies[pkg] = versionOf(pkg);
  }
  // Imported only by declarations: a peer the user's type checker needs only when it uses that feature.
  for (const pkg of [...types].filter((p) => !runtime.has(p)).sort()) {
    const typesPkg = typesPackageOf(pkg);
    if (!spec.peers.includes(typesPkg) && !spec.optionalPeers.includes(typesPkg)) {
      throw new Error(`build-packages: ${spec.name} declarations import "${pkg}"; list "${typesPkg}" as a peer`);
    }
    peerDependencies[typesPkg] = versionOf(typesPkg);
    if (spec.optionalPeers.includes(typesPkg)) peerDependenciesMeta[typesPkg] = { optional: true };
  }

  const manifest = {
    name: spec.name,
    version: rootPackage.version,
    description: spec.description,
    license: rootPackage.license,
    keywords: spec.keywords,
    ...SOURCE_FIELDS,
    engines: { node: NODE_ENGINES },
    ...entryFields(spec),
    ...(spec.bin ? { bin: Object.fromEntries(Object.entries(spec.bin).map(([k, v]) => [k, `${v}.js`])) } : {}),
    ...(spec.dir === 'reader' ? { sideEffects: false } : {}),
    dependencies,
    ...(Object.keys(peerDependencies).length > 0 ? { peerDependencies } : {}),
    ...(Object.keys(peerDependenciesMeta).length > 0 ? { peerDependenciesMeta } : {}),
  };
  writeFileSync(path.join(dest, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeEsModuleEntries(spec, dest);
  copyFileSync(path.join(ROOT, 'LICENSE'), path.join(dest, 'LICENSE'));
  writeFileSync(
    path.join(dest, 'README.md'),
    `# ${spec.name}\n\n${spec.description}.\n\n${spec.readme ? `${spec.readme}\n\n` : ''}Part of token-refresher; see the project README for how to install and use it.\n`,
  );
}

/** The refresher bundled with the construct's own esbuild options, so users need neither esbuild nor sources. */
async function bundleRefresher(): Promise<void> {
  const { build } = await import('esbuild');
  await build({
    ...REFRESHER_BUILD_OPTIONS,
    entryPoints: [REFRESHER_ENTRY],
    outfile: path.join(PACKAGES_DIR, 'cdk', 'assets', 'refresher', 'index.js'),
  });
}

export async function buildPackages(): Promise<void> {
  rmSync(path.join(ROOT, 'dist'), { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  for (const spec of PACKAGES) buildPackage(spec);
  await bundleRefresher();
}

if (process.argv[1] === import.meta.filename) {
  await buildPackages();
  console.log(
    `packages built in ${path.relative(process.cwd(), PACKAGES_DIR)}: ${PACKAGES.map((p) => p.name).join(', ')}`,
  );
}
