import { beforeEach, describe, expect, it } from 'vitest';
import { STATUS_WIDTH } from '../../cli/status/table.js';
import { runCliForTest } from './helpers.js';
import { fourProviders, resetMocks } from './status-fixtures.js';

beforeEach(resetMocks);

describe('the status sample in docs/runbook.md', () => {
  it('is what `status` prints for four providers in four states (`npx vitest run -u` on this file updates it)', async () => {
    fourProviders();

    const { code, stdout } = await runCliForTest(['status']);

    expect(code).toBe(1);
    for (const line of stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(STATUS_WIDTH);
    await expect(`$ token-refresher status\n${stdout}`).toMatchFileSnapshot('../../docs/samples/status.txt');
  });
});
