import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NAG_REASONS } from '../../lib/private/nag-acknowledgements.js';
import { METRIC } from '../../contract/metrics.js';
import { PRESET_NAMES } from '../../contract/presets.js';
import { ALARM_SUFFIX } from '../../contract/refresher-manifest.js';

/** The README is the operators' manual: it must keep up with what the code creates. */
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const runbook = readme.slice(
  readme.indexOf('## Alarms and runbook'),
  readme.indexOf('\n## ', readme.indexOf('## Alarms and runbook') + 5),
);

describe('README', () => {
  it('opens with a quickstart: install, synth, test', () => {
    const quickstart = readme.slice(
      readme.indexOf('## Quickstart'),
      readme.indexOf('\n## ', readme.indexOf('## Quickstart') + 5),
    );
    expect(/^## .*/m.exec(readme)?.[0]).toBe('## Quickstart');
    for (const command of ['npm ci', 'npx cdk synth', 'npm test']) expect(quickstart).toContain(command);
  });

  it.each(Object.values(ALARM_SUFFIX))('has a runbook section for the %s alarm', (suffix) => {
    expect(runbook).toContain(`\n### ${suffix}\n`);
    const section = runbook.slice(
      runbook.indexOf(`### ${suffix}`),
      runbook.indexOf('\n### ', runbook.indexOf(`### ${suffix}`) + 4),
    );
    expect(section).toContain('*Meaning:*');
    expect(section).toContain('*Confirm:*');
  });

  it.each(Object.values(METRIC))('documents the %s metric', (name) => {
    expect(readme).toContain(`\`${name}\``);
  });

  it.each(Object.entries(NAG_REASONS))('lists the cdk-nag acknowledgement %s with its reason', (_key, reason) => {
    expect(readme).toContain(reason);
  });

  it.each(PRESET_NAMES)('describes the %s preset', (preset) => {
    expect(readme).toContain(`| \`${preset}\` |`);
  });
});
