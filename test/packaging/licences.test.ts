/**
 * What the published packages contain or install never carries a copyleft licence. The packages
 * take the files their entry points reach and declare the packages those files import
 * (scripts/build-packages.ts), and the construct package ships the refresher bundled with every
 * package it imports (lib/private/bundling.ts). So a shipped file that imported a dev dependency such
 * as @cloud-copilot/iam-simulate (AGPL-3.0, used by test/helpers/iam-evaluator.ts only) would ship it.
 * This reads the same import graph from the sources, without building, and every package it reaches
 * with their own dependencies.
 */
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REFRESHER_ENTRY } from '../../lib/private/bundling.js';
import { PACKAGES } from '../../scripts/build-packages.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const ENTRIES = [
  ...PACKAGES.flatMap((spec) => [...Object.values(spec.entries), ...Object.values(spec.bin ?? {})]).map((entry) =>
    path.join(ROOT, `${entry}.ts`),
  ),
  REFRESHER_ENTRY,
];
/** GPL, AGPL and their variants; LGPL is not meant (`(?<!L)`). */
const COPYLEFT_ID = /(?<!L)GPL/i;

/** Whether an SPDX expression leaves no choice but a copyleft licence (`MIT OR GPL-3.0` leaves MIT). */
function copyleft(expression: string): boolean {
  return expression
    .replace(/[()]/g, ' ')
    .split(/\s+OR\s+/i)
    .every((choice) => choice.split(/\s+AND\s+/i).some((id) => COPYLEFT_ID.test(id)));
}

interface Manifest {
  name: string;
  license?: string | { type: string };
  licenses?: { type: string }[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const rootManifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest & {
  devDependencies: Record<string, string>;
};

/** The package name of a bare specifier (`aws-cdk-lib/aws-iam` → `aws-cdk-lib`), or undefined for built-ins. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  return BUILTINS.has(name) ? undefined : name;
}
const BUILTINS = new Set(builtinModules);

/** Every source file the entries reach through relative imports, and the packages those files import. */
function sourceClosure(entries: readonly string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [...entries];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const imports = ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
    for (const specifier of imports) {
      if (specifier.startsWith('.')) {
        const target = path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts'));
        if (!existsSync(target)) throw new Error(`${path.relative(ROOT, file)} imports missing ${specifier}`);
        pending.push(target);
      } else {
        const pkg = packageOf(specifier);
        if (pkg) packages.add(pkg);
      }
    }
  }
  return { files, packages };
}

/** The installed directory of `name` as seen from `from` (a package directory), as Node resolves it. */
function packageDir(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    for (const candidate of [name, `@types/${name}`]) {
      const found = path.join(dir, 'node_modules', candidate);
      if (existsSync(path.join(found, 'package.json'))) return found;
    }
    if (dir === ROOT || dir === path.dirname(dir)) return undefined;
  }
}

/** Every installed package `names` depend on, with themselves, by directory: name and licence. */
function installedClosure(names: Iterable<string>): Map<string, { name: string; licence: string }> {
  const found = new Map<string, { name: string; licence: string }>();
  const pending = [...names].map((name) => ({ name, from: ROOT, optional: false }));
  while (pending.length > 0) {
    const { name, from, optional } = pending.pop()!;
    const dir = packageDir(name, from);
    if (!dir) {
      if (optional) continue;
      throw new Error(`${name} (needed by ${path.relative(ROOT, from) || 'the sources'}) is not installed`);
    }
    if (found.has(dir)) continue;
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
    const licence =
      typeof manifest.license === 'string'
        ? manifest.license
        : (manifest.license?.type ?? manifest.licenses?.map((l) => l.type).join(' OR ') ?? 'unknown');
    found.set(dir, { name: manifest.name, licence });
    for (const dep of Object.keys(manifest.dependencies ?? {})) pending.push({ name: dep, from: dir, optional: false });
    for (const dep of Object.keys(manifest.optionalDependencies ?? {}))
      pending.push({ name: dep, from: dir, optional: true });
  }
  return found;
}

describe('licences of what the packages ship', () => {
  const { files, packages } = sourceClosure(ENTRIES);
  const installed = installedClosure(packages);

  it('reads the shipped sources of all three packages and the refresher, and the packages they pull in', () => {
    const rooms = new Set([...files].map((f) => path.relative(ROOT, f).split(path.sep)[0]));
    expect([...rooms].sort()).toEqual([
      'base',
      'bin',
      'cli',
      'consumer',
      'contract',
      'core',
      'lambda',
      'lib',
      'local',
      'providers',
    ]);
    expect([...packages]).toEqual(expect.arrayContaining(['aws-cdk-lib', 'zod', '@aws-sdk/client-ssm']));
    expect(installed.size).toBeGreaterThan(packages.size);
  });

  it('imports only packages that package.json lists as dependencies, or types whose @types package it lists', () => {
    const shippable = (p: string) =>
      p in (rootManifest.dependencies ?? {}) || `@types/${p}` in rootManifest.devDependencies;
    expect([...packages].filter((p) => !shippable(p))).toEqual([]);
  });

  it('reaches no package under a GPL or AGPL licence, directly or through dependencies', () => {
    const found = [...installed.values()].filter((p) => copyleft(p.licence));
    expect(found.map((p) => `${p.name} (${p.licence})`)).toEqual([]);
  });

  it('keeps @cloud-copilot/iam-simulate a dev dependency that nothing shipped reaches', () => {
    expect(rootManifest.devDependencies['@cloud-copilot/iam-simulate']).toBeDefined();
    expect(rootManifest.dependencies?.['@cloud-copilot/iam-simulate']).toBeUndefined();
    expect([...installed.values()].filter((p) => p.name.startsWith('@cloud-copilot/'))).toEqual([]);
  });

  it.each([
    ['GPL-3.0-or-later', true],
    ['AGPL-3.0-only', true],
    ['(MIT OR GPL-3.0-or-later)', false],
    ['MIT AND GPL-2.0', true],
    ['LGPL-2.1', false],
    ['Apache-2.0', false],
  ])('counts %s as copyleft: %s', (expression, expected) => {
    expect(copyleft(expression)).toBe(expected);
  });

  it('would notice the simulator if a shipped file imported it: it is AGPL', () => {
    const simulator = installedClosure(['@cloud-copilot/iam-simulate']);
    expect([...simulator.values()].filter((p) => copyleft(p.licence)).map((p) => p.name)).toContain(
      '@cloud-copilot/iam-simulate',
    );
  });
});
