import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NODE_ENGINES, nodeVersionProblem } from '../../../contract/node-support.js';

const root = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};

describe('the Node.js versions token-refresher supports', () => {
  it.each([
    ['20.20.2', 'Node.js 20 is past its end of life and the AWS SDK for JavaScript drops it. '],
    ['18.20.8', 'Node.js 18 is past its end of life and the AWS SDK for JavaScript drops it. '],
    ['22.11.0', '22.12 is the first 22 to load ES modules with require(). '],
  ])('refuses %s, saying which it needs and why', (version, why) => {
    expect(nodeVersionProblem(version)).toBe(
      `token-refresher needs Node.js 22.12 or later; this is Node.js ${version}. ${why}` +
        'Install Node.js 22 or 24 (the Lambda runtime).',
    );
  });

  it.each(['22.12.0', '22.20.0', '23.0.0', '24.9.0', '26.1.0'])('accepts %s', (version) => {
    expect(nodeVersionProblem(version)).toBeUndefined();
  });

  it('is what the packages declare; the repository installs on Node.js 20 and runs its scripts on the node dev dependency', () => {
    expect(NODE_ENGINES).toBe('>=22.12');
    // npm ci runs on whatever Node.js the machine has (20 on the CI runner); every npm script then runs
    // on the Lambda runtime's Node.js, which the `node` dev dependency puts first on PATH.
    expect(root.engines.node).toBe('>=20.19');
    expect(Number(root.devDependencies.node!.split('.')[0])).toBeGreaterThanOrEqual(22);
  });
});
