import { readFileSync } from 'node:fs';
import GithubSlugger from 'github-slugger';
import { describe, expect, it } from 'vitest';
import { RUNBOOK_ANCHOR } from '../../contract/failure.js';
import { ALARM_KINDS, ALARM_SUFFIX } from '../../contract/refresher-manifest.js';
import { ASSERTION_REJECTED_SECTION } from '../../lib/private/alarm-specs.js';
import { runbookLink } from '../../lib/private/provider-alarms.js';
import { DEFAULT_RUNBOOK_URL } from '../../lib/provider-token-refresher.js';

/**
 * Every alarm description ends with a link to its runbook section, and so does the description of a
 * failure code with a section of its own (contract/failure.ts RUNBOOK_ANCHOR): that section must exist.
 */
describe('runbook links', () => {
  const runbook = readFileSync(new URL('../../docs/runbook.md', import.meta.url), 'utf8');
  const slugger = new GithubSlugger();
  const anchors = new Set(
    runbook
      .split('\n')
      .filter((line) => /^#{1,6} /.test(line))
      .map((line) => slugger.slug(line.replace(/^#+ /, ''))),
  );

  it.each(ALARM_KINDS)('links the %s alarm to a section of docs/runbook.md', (kind) => {
    const link = runbookLink(DEFAULT_RUNBOOK_URL, ALARM_SUFFIX[kind]);
    expect(link.startsWith(`${DEFAULT_RUNBOOK_URL}#`)).toBe(true);
    expect(anchors, link).toContain(link.split('#')[1]);
  });

  it.each(Object.entries(RUNBOOK_ANCHOR))(
    'gives failure code %s the section its description links',
    (_code, anchor) => {
      expect(anchors).toContain(anchor);
    },
  );

  it('has the section the CredentialsRejected alarm of a provider that signs assertions links', () => {
    expect(anchors).toContain(ASSERTION_REJECTED_SECTION);
  });

  it('points the default at the runbook file of this repository', () => {
    expect(DEFAULT_RUNBOOK_URL.endsWith('/docs/runbook.md')).toBe(true);
  });
});
