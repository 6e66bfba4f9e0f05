/**
 * Writes the README's cost section from `token-refresher plan` of the shipped providers file, between
 * `<!-- cost:begin -->` and `<!-- cost:end -->`, so the numbers the README quotes are the ones the
 * cost model computes (test/docs/cost-section.test.ts fails when they drift). Run: npm run docs:cost
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatRate, formatRatio, usd } from '../cli/plan/command.js';
import { formatDuration } from '../cli/common/format-duration.js';
import { type Plan, planStage } from '../cli/plan/plan.js';
import { parseStackConfig } from '../providers/providers-file.js';
import { STORE_DISPLAY_NAME } from '../contract/token-stores.js';

export const BEGIN = '<!-- cost:begin -->';
export const END = '<!-- cost:end -->';

const root = path.join(import.meta.dirname, '..');

/** The repository's providers.json as written. */
export function shippedProvidersFile(): { providers: Record<string, unknown>[] } {
  return JSON.parse(readFileSync(path.join(root, 'providers.json'), 'utf8')) as {
    providers: Record<string, unknown>[];
  };
}

/** The plan of the repository's providers.json, in the default stage. */
export function shippedPlan(): Plan {
  return planStage(parseStackConfig(shippedProvidersFile(), 'providers.json').providers);
}

/** The Markdown between the markers, markers excluded. */
export function renderCostSection(plan: Plan): string {
  const n = plan.providers.length;
  const rows = plan.providers.map((p) => {
    const r = p.renewals;
    const cells = [
      p.id,
      formatDuration(r.checkIntervalMinutes * 60),
      formatDuration(r.renewalPeriodSeconds),
      formatRate(r.renewalsPerDay),
      `${formatRate(r.boundPerDay)} (${formatRatio(r.ratioToBound)})`,
      STORE_DISPLAY_NAME[p.store],
      usd(p.cost.totalUsd),
    ];
    return `| ${cells.join(' | ')} |`;
  });
  return [
    `Estimated by \`npm run -s cli -- plan\` for [providers.json](providers.json), which itemizes each provider`,
    `by service: ${plan.prices.region} list prices of ${plan.prices.date} in ${plan.prices.currency}, no free tier, a healthy month. The`,
    'bound is `86400 / (lifetime - minValiditySeconds)`, the fewest renewals a day that keep every read',
    'at `minValiditySeconds`.',
    '',
    '| Provider | Checked every | Renewed every | Renewals a day | Bound (ratio) | Store | A month |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Each provider's cost includes 1/${n} of what the stage shares, ${usd(plan.stageCost.totalUsd)} a month:`,
    '',
    ...plan.stageCost.items.map((i) => `- ${i.basis}: ${usd(i.usd)}`),
    '',
    `The stage costs ${usd(plan.totalUsd)} a month in all. Prices and assumptions (run durations, log bytes`,
    'per run) are in [cli/plan/cost-model.ts](cli/plan/cost-model.ts).',
  ].join('\n');
}

/** `readme` with its cost section replaced by `section`. */
export function withCostSection(readme: string, section: string): string {
  const begin = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`README.md needs ${BEGIN} and then ${END}`);
  return `${readme.slice(0, begin + BEGIN.length)}\n${section}\n${readme.slice(end)}`;
}

if (process.argv[1] === import.meta.filename) {
  const file = path.join(root, 'README.md');
  const readme = readFileSync(file, 'utf8');
  const updated = withCostSection(readme, renderCostSection(shippedPlan()));
  if (updated !== readme) {
    writeFileSync(file, updated);
    console.log('updated README.md');
  }
}
