import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../cli/plan/plan.js';
import { formatRate } from '../../providers/schedule-plan.js';
import { docFigures, QUOTED_FIGURE, unmarkedText, withFigures } from '../../scripts/doc-figures.js';
import { runCliForTest } from '../cli/helpers.js';

/**
 * Every write rate and cost the README and docs/ quote is the one `plan` and its cost model compute:
 * each is marked (scripts/doc-figures.ts) and rewritten by `npm run docs:sync`, and a figure quoted
 * without a marker fails here. The README's cost table is checked by cost-section.test.ts.
 */
const root = path.join(import.meta.dirname, '..', '..');
const DOCS = [
  'README.md',
  ...readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

describe('figures quoted in README.md and docs/', () => {
  it.each(DOCS)('%s quotes each marked figure as the plan computes it (run npm run docs:sync)', (file) => {
    const doc = read(file);
    expect(doc).toBe(withFigures(doc));
  });

  it.each(DOCS)('%s quotes no write rate or cost without a marker', (file) => {
    expect(unmarkedText(read(file)).match(QUOTED_FIGURE) ?? []).toEqual([]);
  });

  it('are the writes a day `plan` prints for each shipped provider, each quoted in docs/providers-file.md', async () => {
    const { stdout, code } = await runCliForTest([
      'plan',
      '--json',
      '--providers-file',
      path.join(root, 'providers.json'),
    ]);
    expect(code).toBe(0);
    const plan = JSON.parse(stdout) as Plan;
    const figures = docFigures();
    const providersFile = read('docs/providers-file.md');
    for (const p of plan.providers) {
      expect(figures.get(`writes-a-day:${p.id}`), p.id).toBe(formatRate(p.renewals.storeWritesPerDay));
      expect(providersFile, p.id).toContain(`<!-- figure: writes-a-day:${p.id} -->`);
    }
    expect(providersFile).toContain('<!-- sample: store-error -->');
  });

  it('fail on a stale figure, an unknown one, and an unmarked one', () => {
    const stale = 'NAGRA (<!-- figure: writes-a-day:nagra -->480<!-- /figure --> a day)';
    expect(withFigures(stale)).not.toBe(stale);
    expect(() => withFigures('<!-- figure: writes-a-day:okta -->1<!-- /figure -->')).toThrow(
      /no figure "writes-a-day:okta"/,
    );
    expect(unmarkedText('movingimage and NAGRA (about 480 a day), $0.26 in KMS requests').match(QUOTED_FIGURE)).toEqual(
      ['480 a day', '$0'],
    );
    expect(unmarkedText(stale).match(QUOTED_FIGURE)).toBeNull();
  });
});
