import js from '@eslint/js';
import vitest from '@vitest/eslint-plugin';
import tseslint from 'typescript-eslint';

/** ARCHITECTURE section 7: the function and the shared schema never import the CDK. */
const noCdk = {
  patterns: [
    {
      group: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'cdk-nag'],
      message:
        'the function, the shared schema, the consumer library and the CLI run outside the CDK app and must not import it.',
    },
  ],
};

export default tseslint.config(
  { ignores: ['cdk.out/**', 'node_modules/**', 'coverage/**'] },
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
  {
    files: [
      'lambda/**/*.ts',
      'lib/schema/**/*.ts',
      'lib/consumer/**/*.ts',
      'lib/cli/**/*.ts',
      'bin/cli.ts',
      'examples/**/*.ts',
    ],
    ignores: ['examples/cdk/**'],
    rules: { 'no-restricted-imports': ['error', noCdk] },
  },
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
