/**
 * `npm run bench` (third part): synthesizes a stage of 1,000 providers the way a user does
 * (`npx cdk synth -q` with `--context providersFile=…`) and checks the figures issue 19 asks for: at
 * most 60 s, and every template at most 450 resources, 180 outputs and 900 KB. Too slow for the
 * suite (test/infra/fleet-layout.test.ts checks the same rules at 250 providers).
 *
 * `npx tsx scripts/bench-stage-synth.ts [providers] [credentialsLayout]` (defaults 1000, refresher-stacks).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fleetProviders } from './fleet-file.js';

const LIMITS = { seconds: 60, resources: 450, outputs: 180, bytes: 900_000 };

const count = Number(process.argv[2] ?? 1000);
const layout = process.argv[3] ?? 'refresher-stacks';
const dir = mkdtempSync(join(tmpdir(), 'token-refresher-bench-'));
try {
  const file = join(dir, 'providers.json');
  writeFileSync(file, JSON.stringify({ providers: fleetProviders(count) }));
  const out = join(dir, 'cdk.out');
  const start = process.hrtime.bigint();
  execFileSync(
    'npx',
    ['cdk', 'synth', '-q', '-o', out, '-c', `providersFile=${file}`, '-c', `credentialsLayout=${layout}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const templates = readdirSync(out)
    .filter((f) => f.endsWith('.template.json'))
    .map((f) => {
      const path = join(out, f);
      const json = JSON.parse(readFileSync(path, 'utf8')) as { Resources: object; Outputs?: object };
      return {
        name: f.replace('.template.json', ''),
        resources: Object.keys(json.Resources).length,
        outputs: Object.keys(json.Outputs ?? {}).length,
        bytes: statSync(path).size,
      };
    });
  const largest = (key: 'resources' | 'outputs' | 'bytes') => templates.reduce((a, b) => (b[key] > a[key] ? b : a));
  const problems = [
    ...(seconds > LIMITS.seconds ? [`synth took ${seconds.toFixed(1)} s, more than ${LIMITS.seconds} s`] : []),
    ...templates.flatMap((t) => [
      ...(t.resources > LIMITS.resources ? [`${t.name}: ${t.resources} resources`] : []),
      ...(t.outputs > LIMITS.outputs ? [`${t.name}: ${t.outputs} outputs`] : []),
      ...(t.bytes > LIMITS.bytes ? [`${t.name}: ${t.bytes} bytes`] : []),
    ]),
  ];
  console.log(`Stage synth: ${count} providers, credentials layout ${layout}`);
  console.log(`  time                ${seconds.toFixed(1)} s (limit ${LIMITS.seconds} s)`);
  console.log(`  stacks              ${templates.length}`);
  for (const key of ['resources', 'outputs', 'bytes'] as const) {
    const t = largest(key);
    console.log(`  most ${key.padEnd(14)} ${t[key].toLocaleString('en-US')} (${t.name})`);
  }
  if (problems.length > 0) {
    console.error(`Outside the limits:\n  ${problems.join('\n  ')}`);
    process.exitCode = 1;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
