/**
 * Cold-start cost of the refresher function: how long Node 24 takes to load the deployed bundle
 * (built with the construct's esbuild options), against loading an empty module in the same run.
 * Each load runs in a fresh process, as a Lambda cold start does; the median of several is reported.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { RUNTIME_CONFIG_ENV, type RuntimeConfig } from '../contract/provider-settings.js';
import { parseProvidersFile } from '../providers/providers-file.js';

const ROUNDS = 15;
const dir = mkdtempSync(join(tmpdir(), 'token-refresher-load-'));
try {
  const bundle = join(dir, 'index.js');
  const empty = join(dir, 'empty.js');
  await build({
    entryPoints: [new URL('../lambda/index.ts', import.meta.url).pathname],
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    outfile: bundle,
    logLevel: 'silent',
  });
  writeFileSync(empty, 'module.exports = {};');

  const [provider] = parseProvidersFile({ providers: [{ id: 'bench', preset: 'movingimage' }] });
  const config: RuntimeConfig = {
    provider: provider!.settings,
    resources: {
      credentialsSecretId: 'token-refresher/bench/credentials',
      tokenStore: { kind: 'parameterstore', id: '/token-refresher/bench/token' },
      stateParameterName: '/token-refresher/bench/state',
      ledgerParameterName: '/token-refresher/bench/ledger',
    },
  };
  const load = (file: string) =>
    Number(
      execFileSync(
        process.execPath,
        [
          '-e',
          `const t = performance.now(); require(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t));`,
        ],
        { env: { [RUNTIME_CONFIG_ENV]: JSON.stringify(config), AWS_REGION: 'us-east-1' } },
      ),
    );
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const baseline: number[] = [];
  const refresher: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    baseline.push(load(empty));
    refresher.push(load(bundle));
  }
  const b = median(baseline);
  const r = median(refresher);
  console.log(
    `\nRefresher cold start: module load in a fresh Node ${process.versions.node} process (median of ${ROUNDS})`,
  );
  console.log(`  baseline: empty module      ${b.toFixed(2).padStart(7)} ms   1.0x`);
  console.log(`  refresher bundle (with SDK) ${r.toFixed(2).padStart(7)} ms ${(r / b).toFixed(1).padStart(5)}x`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
