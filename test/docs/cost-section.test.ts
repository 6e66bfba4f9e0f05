import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BEGIN, END, renderCostSection, shippedPlan, withCostSection } from '../../scripts/cost-section.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe("the README's cost section", () => {
  it('is what `npm run docs:cost` writes from the plan of providers.json (run it when this fails)', () => {
    expect(readme).toBe(withCostSection(readme, renderCostSection(shippedPlan())));
  });

  it('sits under "## Cost", once', () => {
    expect(readme.split(BEGIN)).toHaveLength(2);
    expect(readme.split(END)).toHaveLength(2);
    expect(readme.indexOf('## Cost\n\n' + BEGIN)).toBeGreaterThan(0);
  });

  it('names the price date and region and one row per shipped provider, with its plan cost', () => {
    const plan = shippedPlan();
    const section = renderCostSection(plan);
    expect(section).toContain(`${plan.prices.region} list prices of ${plan.prices.date}`);
    for (const p of plan.providers)
      expect(section).toMatch(new RegExp(`^\\| ${p.id} \\|.*\\| \\$${p.cost.totalUsd.toFixed(2)} \\|$`, 'm'));
  });

  it('fails on a stale section: another number replaces the one the plan computes', () => {
    const stale = readme.replace(/\| \$(\d+\.\d\d) \|$/m, '| $9.99 |');
    expect(stale).not.toBe(readme);
    expect(stale).not.toBe(withCostSection(stale, renderCostSection(shippedPlan())));
  });

  it('refuses a README without the markers', () => {
    expect(() => withCostSection('# x\n', 'y')).toThrow(/needs <!-- cost:begin -->/);
  });
});
