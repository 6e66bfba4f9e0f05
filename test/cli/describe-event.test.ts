import { describe, expect, it } from 'vitest';
import { describeEvent } from '../../cli/run/describe-event.js';
import type { LocalEvent } from '../../local/runner.js';

const AT = Date.UTC(2026, 11, 7, 16, 25, 1);

/** A refreshed run of `provider`, as local mode's runner reports it. */
function refreshed(provider: string): LocalEvent {
  return {
    type: 'run',
    at: AT,
    provider,
    report: { result: { provider, outcome: 'refreshed', grant: 'refresh_token', expiresAt: AT / 1000 + 300 } },
  } as unknown as LocalEvent;
}

describe("local mode's event lines", () => {
  it('line short ids up in 12 columns', () => {
    expect(describeEvent(refreshed('nagra'), AT)).toMatch(/^16:25:01 {2}nagra {7}refreshed \(refresh_token\)/);
  });

  it('keep a space between a long id and the outcome', () => {
    expect(describeEvent(refreshed('demo-connected'), AT)).toMatch(/^16:25:01 {2}demo-connected refreshed/);
    expect(describeEvent(refreshed('a'.repeat(40)), AT)).toContain(`${'a'.repeat(40)} refreshed`);
  });
});
