/**
 * Builds and packs the packages, installs each tarball into a scratch project as a user would, and
 * prints what each costs: packed size, unpacked size, and the whole installed tree (`npm run packages:report`).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildPackages, PACKAGES, PACKAGES_DIR } from './build-packages.js';

const VERSIONS = (await import('../package.json', { with: { type: 'json' } })).default.dependencies;
/** What a user installs beside each package (its required peers). */
const WITH: Readonly<Record<string, string[]>> = {
  cdk: [`aws-cdk-lib@${VERSIONS['aws-cdk-lib']}`, `constructs@${VERSIONS.constructs}`],
  reader: [],
  cli: [],
};

function treeBytes(dir: string): { bytes: number; packages: number } {
  let bytes = 0;
  let packages = 0;
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) {
        if (path.basename(d) === 'node_modules' || path.basename(path.dirname(d)) === 'node_modules') {
          if (existsPackage(full)) packages++;
        }
        walk(full);
      } else bytes += statSync(full).size;
    }
  };
  walk(dir);
  return { bytes, packages };
}

function existsPackage(dir: string): boolean {
  try {
    return statSync(path.join(dir, 'package.json')).isFile();
  } catch {
    return false;
  }
}

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

await buildPackages();
const work = mkdtempSync(path.join(tmpdir(), 'token-refresher-report-'));
console.log('| package | packed | unpacked | files | installed tree (with required peers) |');
console.log('| --- | --- | --- | --- | --- |');
for (const spec of PACKAGES) {
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', path.join(PACKAGES_DIR, spec.dir), '--pack-destination', work, '--json'], {
      encoding: 'utf8',
    }),
  ) as { filename: string; size: number; unpackedSize: number; entryCount: number }[];
  const project = path.join(work, spec.dir);
  mkdirSync(project);
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: `report-${spec.dir}`, private: true }));
  execFileSync(
    'npm',
    ['install', path.join(work, packed!.filename), ...WITH[spec.dir]!, '--prefer-offline', '--no-audit', '--no-fund'],
    { cwd: project, stdio: 'ignore' },
  );
  const tree = treeBytes(path.join(project, 'node_modules'));
  console.log(
    `| ${spec.name} | ${kib(packed!.size)} | ${kib(packed!.unpackedSize)} | ${packed!.entryCount} | ${mib(tree.bytes)} in ${tree.packages} packages |`,
  );
}
rmSync(work, { recursive: true, force: true });
