import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NAG_REASONS } from '../../lib/private/nag-acknowledgements.js';
import { FAILURE_KINDS, METRIC } from '../../contract/metrics.js';
import { ALARM_SUFFIX } from '../../contract/refresher-manifest.js';
import { PRESETS } from '../../providers/presets.js';

/**
 * The README and docs/ are the operators' manual: they must keep up with what the code creates. The
 * README is the entry point (what it is, quickstart, links); each reference lives in one file of docs/.
 */
const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
const readme = read('README.md');
const runbookFile = read('docs/runbook.md');
const howItWorks = read('docs/how-it-works.md');
const providersFile = read('docs/providers-file.md');
const security = read('docs/security.md');

/**
 * The text from `heading` up to the next heading of the same or a higher level. Lines inside fenced
 * code blocks are not headings (a shell comment starts with `# ` too).
 */
function section(doc: string, heading: string): string {
  const lines = doc.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`no heading "${heading}"`);
  const level = heading.indexOf(' ');
  let fenced = false;
  let end = lines.length;
  for (let i = start + 1; i < lines.length; i++) {
    if (/^\s*(```|~~~)/.test(lines[i]!)) fenced = !fenced;
    else if (!fenced && new RegExp(`^#{1,${level}} `).test(lines[i]!)) {
      end = i;
      break;
    }
  }
  return lines.slice(start, end).join('\n') + '\n';
}

const runbook = section(runbookFile, '## Alarms');

describe('README', () => {
  it('is under 12 KB', () => {
    expect(Buffer.byteLength(readme, 'utf8')).toBeLessThan(12_000);
  });

  it('opens with a quickstart: install, local mode, synth, test', () => {
    const quickstart = section(readme, '## Quickstart');
    expect(/^## .*/m.exec(readme)?.[0]).toBe('## Quickstart');
    for (const command of ['npm ci', 'npx cdk synth', 'npm test']) expect(quickstart).toContain(command);
  });

  it('puts the commands that need no AWS before the deploy and its prerequisites', () => {
    const quickstart = section(readme, '## Quickstart');
    const order = [
      'npm ci',
      'npm start',
      'npx cdk synth',
      'npm test',
      'npx cdk bootstrap',
      'aws lambda get-account-settings',
      '"alarmEmails"',
      'npx cdk deploy',
      'aws secretsmanager put-secret-value',
    ];
    const positions = order.map((text) => {
      const at = quickstart.indexOf(text);
      expect(at, text).toBeGreaterThanOrEqual(0);
      return at;
    });
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(section(readme, '### Before the first deploy')).toContain('UnreservedConcurrentExecutions');
  });

  it('links every document in docs/ and the license', () => {
    const docs = readdirSync(new URL('../../docs', import.meta.url)).filter((name) => name.endsWith('.md'));
    expect(docs.length).toBeGreaterThan(0);
    for (const doc of docs) expect(readme).toContain(`](docs/${doc})`);
    expect(readme).toContain('](LICENSE)');
  });
});

describe('docs/runbook.md', () => {
  it.each(Object.values(ALARM_SUFFIX))('has a runbook section for the %s alarm', (suffix) => {
    expect(runbook).toContain(`\n### ${suffix}\n`);
    const alarm = section(runbook, `### ${suffix}`);
    expect(alarm).toContain('*Meaning:*');
    expect(alarm).toContain('*Confirm:*');
  });

  it.each(FAILURE_KINDS)('lists the %s failure kind in the failure table', (kind) => {
    expect(section(runbookFile, '## Failure kinds')).toContain(`| \`${kind}\` |`);
  });
});

describe('docs/how-it-works.md', () => {
  it.each(Object.values(METRIC))('documents the %s metric', (name) => {
    expect(section(howItWorks, '## Metrics')).toContain(`\`${name}\``);
  });
});

describe('docs/security.md', () => {
  it.each(Object.entries(NAG_REASONS))('lists the cdk-nag acknowledgement %s with its reason', (_key, reason) => {
    expect(security).toContain(reason);
  });
});

describe('docs/providers-file.md', () => {
  it.each(Object.keys(PRESETS))('describes the %s preset', (preset) => {
    expect(section(providersFile, '## Presets')).toContain(`| \`${preset}\` |`);
  });
});
