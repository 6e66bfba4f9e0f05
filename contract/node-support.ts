/**
 * The Node.js versions the published packages run on: their `engines` (scripts/build-packages.ts) and
 * the check the CLI makes before it loads anything else (bin/cli.ts). 22.12 is the first 22 that
 * loads an ES module with require() without a flag, which CommonJS CDK apps rely on. Node.js 20 is past
 * its end of life (April 2026) and the AWS SDK for JavaScript warns on every client it creates there.
 */
const MINIMUM = { major: 22, minor: 12 } as const;

/** The published packages' `engines.node`. */
export const NODE_ENGINES = `>=${MINIMUM.major}.${MINIMUM.minor}`;

/** Why `version` (`process.versions.node`, e.g. `20.20.2`) cannot run token-refresher; undefined when it can. */
export function nodeVersionProblem(version: string): string | undefined {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major > MINIMUM.major || (major === MINIMUM.major && minor >= MINIMUM.minor)) return undefined;
  const why =
    major < MINIMUM.major
      ? `Node.js ${major} is past its end of life and the AWS SDK for JavaScript drops it. `
      : `${MINIMUM.major}.${MINIMUM.minor} is the first ${MINIMUM.major} to load ES modules with require(). `;
  return (
    `token-refresher needs Node.js ${MINIMUM.major}.${MINIMUM.minor} or later; this is Node.js ${version}. ${why}` +
    'Install Node.js 22 or 24 (the Lambda runtime).'
  );
}
