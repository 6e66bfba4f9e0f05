import js from '@eslint/js';
import vitest from '@vitest/eslint-plugin';
import tseslint from 'typescript-eslint';

/**
 * Import boundaries between the rooms (docs/development.md "Repository layout"): one rule per boundary, each saying
 * why. Patterns are gitignore-style and match the import specifier.
 */
const CDK = ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'cdk-nag', 'esbuild'];
const NOT_IMPORTED = {
  group: ['**/cli/**', '**/bin/**', '**/test/**', '**/examples/**', '**/scripts/**'],
  message: 'nothing imports the CLI, the entry points, the tests, the examples or the scripts.',
};
/** Each file matches exactly one boundary: a later `no-restricted-imports` would replace, not add to, an earlier one. */
const boundary = (files, groups, message, ignores = []) => ({
  files,
  ignores,
  rules: { 'no-restricted-imports': ['error', { patterns: [{ group: groups, message }, NOT_IMPORTED] }] },
});
/** A room outside the product (entry points, examples, maintainers' scripts): its own rule, nothing more. */
const outerBoundary = (files, groups, message) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns: [{ group: groups, message }] }] },
});
/** The files of cli/ that are local mode's front end: the `run` command, `status --local`, and their help texts. */
const CLI_LOCAL_MODE = ['cli/run/**/*.ts', 'cli/status/local.ts', 'cli/connect/local.ts', 'cli/help.ts'];
const CLI_GROUPS = [...CDK, '**/lambda/**', '**/lib/**'];
/** `connect` writes a refresh token exactly as the function stores it: through the function's own state adapter. */
const CLI_CONNECT = ['cli/connect/command.ts'];
const boundaries = [
  boundary(
    ['base/**/*.ts'],
    ['*'],
    'base/ is the dependency-free room (Result, deadlines) that every other room, the reader included, may import: it imports nothing.',
  ),
  boundary(
    ['contract/**/*.ts'],
    [
      ...CDK,
      '**/providers/**',
      '**/core/**',
      '**/lambda/**',
      '**/lib/**',
      '**/consumer/**',
      '**/cli/**',
      '**/local/**',
      '@aws-sdk/*',
    ],
    'contract/ is what crosses a process boundary, plain data and pure functions that every other room imports: it imports only zod and itself.',
  ),
  boundary(
    ['providers/**/*.ts'],
    [...CDK, '**/core/**', '**/lambda/**', '**/lib/**', '**/consumer/**', '**/cli/**', '**/local/**', '@aws-sdk/*'],
    'providers/ is the providers file front end (parser, presets, schedule plan, store choice, fleet layout): it imports only the contract and zod.',
  ),
  boundary(
    ['core/**/*.ts'],
    [
      ...CDK,
      '**/providers/**',
      '**/lambda/**',
      '**/lib/**',
      '**/consumer/**',
      '**/cli/**',
      '**/local/**',
      '@aws-sdk/*',
    ],
    'core/ is the refresh engine every runner shares: it talks to the world only through its ports (core/ports.ts), and runs with settings, never a providers file.',
  ),
  boundary(
    ['lambda/**/*.ts'],
    [...CDK, '**/providers/**', '**/lib/**', '**/consumer/**', '**/cli/**', '**/local/**'],
    'lambda/ is the deployed function: it imports the contract and the core, never the providers file, the CDK app or the tools.',
  ),
  boundary(
    ['lib/**/*.ts'],
    ['**/core/**', '**/lambda/**', '**/consumer/**', '**/cli/**', '**/local/**'],
    'lib/ is CDK only: it names the function by its bundle (lib/private/bundling.ts) and shares only the contract and the providers file front end.',
  ),
  boundary(
    ['consumer/**/*.ts'],
    [
      ...CDK,
      'zod',
      'zod/*',
      '**/core/**',
      '**/lambda/**',
      '**/lib/**',
      '**/cli/**',
      '**/local/**',
      '**/providers/**',
      '**/contract/*',
      '!**/contract/published-token.js',
      '!**/contract/token-source.js',
      '!**/contract/error-name.js',
      '!**/contract/token-stores.js',
    ],
    "consumer/ installs into service teams' functions: only base/ and the dependency-free contract files, no zod, no CDK.",
  ),
  boundary(
    ['local/**/*.ts'],
    [...CDK, '**/providers/**', '**/lambda/**', '**/lib/**', '**/consumer/**', '@aws-sdk/*', '**/demo/**'],
    'local/ runs the core on this machine over files: it imports the contract and the core, never the providers file (cli/ parses it), and never the demo IdPs, which only `run` starts.',
    ['local/demo/**'],
  ),
  boundary(
    ['local/demo/**/*.ts'],
    [...CDK, '**/lambda/**', '**/lib/**', '**/consumer/**', '@aws-sdk/*'],
    "local/demo/ is the embedded demo's fake IdPs, credentials and providers file: plain node:http over local mode's files, no AWS.",
  ),
  boundary(
    ['cli/**/*.ts'],
    [...CLI_GROUPS, '**/local/**'],
    "cli/ runs on operators' machines: it imports the contract, the providers file front end, the core and the reader's stores, never CDK code or the function's AWS adapters; only the run command and status --local (and their help) import local mode.",
    [...CLI_LOCAL_MODE, ...CLI_CONNECT],
  ),
  boundary(
    CLI_CONNECT,
    // gitignore-style: a file cannot come back from under an excluded directory, so lambda/ is excluded file by file.
    [
      ...CDK,
      '**/lambda/*.js',
      '**/lambda/adapters/*',
      '!**/lambda/adapters/parameter-state-store.js',
      '**/lib/**',
      '**/local/**',
    ],
    "cli/connect/ is the rest of cli/'s rule, save the function's private-state adapter: a connection is stored with the same code, parameters and KMS key the function reads it with.",
  ),
  boundary(
    CLI_LOCAL_MODE,
    CLI_GROUPS,
    "cli/'s front end of local mode (run, status --local, connect --local, their help): the rest of cli/'s rule, plus local/.",
  ),
  outerBoundary(
    ['bin/**/*.ts'],
    ['**/core/**', '**/lambda/**', '**/local/**', '**/consumer/**', '**/test/**', '**/scripts/**'],
    'bin/ holds entry points only: the CDK app (lib/, contract/, providers/, and the example consumer it can deploy) and the CLI process (cli/).',
  ),
  outerBoundary(
    ['examples/**/*.ts'],
    [
      '**/core/**',
      '**/providers/**',
      '**/lambda/**',
      '**/local/**',
      '**/cli/**',
      '**/bin/**',
      '**/test/**',
      '**/scripts/**',
    ],
    "examples/ show what users write: they import what the packages export (lib/, consumer/) and the contract's names, nothing internal.",
  ),
  outerBoundary(
    ['scripts/**/*.ts'],
    ['**/test/**', '**/bin/**'],
    "scripts/ are maintainers' tools (package build, reports, docs sync): any room, but never the tests or the entry points.",
  ),
];

export default tseslint.config(
  { ignores: ['cdk.out/**', 'node_modules/**', 'coverage/**', 'dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...boundaries,
  {
    files: ['test/**/*.ts'],
    plugins: { vitest },
    rules: {
      ...vitest.configs.recommended.rules,
      'vitest/no-focused-tests': 'error',
      // expect(value, message) gives a failing assertion a readable reason.
      'vitest/valid-expect': ['error', { maxArgs: 2 }],
      // CDK's Template.has*/resourceCountIs and fast-check's fc.assert throw on failure: they are assertions.
      'vitest/expect-expect': [
        'error',
        { assertFunctionNames: ['expect', 'expect*', '**.has*', '**.resourceCountIs', 'fc.assert'] },
      ],
      // Property tests assert per generated case, and real-endpoint tests assert what only the fake can show.
      'vitest/no-conditional-expect': 'off',
      // Tests build fakes and fixtures from loosely typed JSON on purpose.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  { files: ['**/*.js'], extends: [tseslint.configs.disableTypeChecked] },
);
