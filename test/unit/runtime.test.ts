import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  devDependencies: Record<string, string>;
  allowScripts?: Record<string, boolean>;
};

describe('the tests run on the Lambda runtime’s Node.js', () => {
  it('the node devDependency’s major, put in place by its install script', () => {
    const wanted = pkg.devDependencies.node!.split('.')[0];

    expect(
      process.versions.node.split('.')[0],
      `npm scripts run on Node.js ${process.versions.node}, not the ${wanted} of the node devDependency: ` +
        'its install script did not run (package.json allowScripts must approve "node"); run npm ci again',
    ).toBe(wanted);
    expect(pkg.allowScripts).toMatchObject({ node: true });
  });
});
