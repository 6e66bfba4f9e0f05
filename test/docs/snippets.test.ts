import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The TypeScript snippets the README and docs/ show (not the `<!-- include: -->` ones, which are the
 * tested examples themselves) compile under this repository's strict settings, which a user's
 * `strict` + `noUncheckedIndexedAccess` project matches. A snippet may leave out the imports of the
 * packages' exports and use the placeholders users have in their app (`stack`, `apiFunction`, …);
 * this test supplies both. Unused names are allowed: a snippet may stop at the value it shows.
 */
const root = path.join(import.meta.dirname, '..', '..');
const here = path.join(root, 'test', 'docs');

const PACKAGES = { '@token-refresher/cdk': '../../lib/index.js', '@token-refresher/reader': '../../consumer/index.js' };

/** The placeholders a snippet may use without declaring them, as a user's app has them. */
const PLACEHOLDERS: Record<string, string> = {
  stack: "import('aws-cdk-lib').Stack",
  apiFunction: "import('aws-cdk-lib/aws-lambda').Function",
  myConsumerFunction: "import('aws-cdk-lib/aws-lambda').Function",
  alarmTopic: "import('aws-cdk-lib/aws-sns').ITopic",
  taskDefinition: "import('aws-cdk-lib/aws-ecs').TaskDefinition",
  container: "import('aws-cdk-lib/aws-ecs').ContainerDefinition",
};

interface Snippet {
  readonly where: string;
  readonly code: string;
}

function snippetsOf(file: string): Snippet[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  return [...text.matchAll(/(<!-- include: \S+ -->\n)?```(?:ts|typescript)\n([\s\S]*?)```/g)]
    .filter((m) => m[1] === undefined)
    .map((m) => ({ where: `${file}:${text.slice(0, m.index).split('\n').length + 1}`, code: m[2]! }));
}

const SNIPPETS = ['README.md', ...readdirSync(path.join(root, 'docs')).map((f) => `docs/${f}`)]
  .filter((f) => f.endsWith('.md'))
  .flatMap(snippetsOf);

const exported = {
  '@token-refresher/cdk': Object.keys(await import('../../lib/index.js')),
  '@token-refresher/reader': Object.keys(await import('../../consumer/index.js')),
};

/** A module that compiles as the snippet would in a user's app; `this` means a stack of theirs. */
function moduleOf(code: string): string {
  const body = code.replaceAll(
    /from '(@token-refresher\/(?:cdk|reader))'/g,
    (_, name: keyof typeof PACKAGES) => `from '${PACKAGES[name]}'`,
  );
  const imports = body.split('\n').filter((line) => line.startsWith('import '));
  const statements = body.split('\n').filter((line) => !line.startsWith('import '));
  const uses = (name: string) => new RegExp(`\\b${name}\\b`).test(statements.join('\n'));
  const declares = (name: string) => new RegExp(`\\b(const|let|var|function|class)\\s+${name}\\b`).test(body);
  const prelude = Object.entries(exported).flatMap(([pkg, names]) => {
    const missing = names.filter((n) => uses(n) && !imports.some((line) => new RegExp(`\\b${n}\\b`).test(line)));
    return missing.length > 0
      ? [`import { ${missing.join(', ')} } from '${PACKAGES[pkg as keyof typeof PACKAGES]}';`]
      : [];
  });
  const placeholders = Object.entries(PLACEHOLDERS)
    .filter(([name]) => uses(name) && !declares(name))
    .map(([name, type]) => `declare const ${name}: ${type};`);
  const inStack = /\bthis\b/.test(statements.join('\n'));
  return [
    ...prelude,
    ...imports,
    ...(inStack ? ["import { Stack as SnippetStackBase } from 'aws-cdk-lib';"] : []),
    ...placeholders,
    ...(inStack
      ? [
          'export class SnippetStack extends SnippetStackBase {',
          "  constructor(scope: import('constructs').Construct) {",
          "    super(scope, 'Snippet');",
          ...statements,
          '  }',
          '}',
        ]
      : [...statements, 'export {};']),
  ].join('\n');
}

/** The type errors of each module, compiled together with the repository's compiler options. */
function typeErrors(modules: readonly string[]): string[][] {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  )!;
  const options = { ...config.options, noUnusedLocals: false, noUnusedParameters: false };
  const files = new Map(modules.map((code, i) => [path.join(here, `snippet-${i}.mts`), code]));
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => files.has(f) || fileExists(f);
  host.readFile = (f) => files.get(f) ?? readFile(f);
  host.getSourceFile = (f, language, ...rest) => {
    const code = files.get(f);
    return code === undefined ? getSourceFile(f, language, ...rest) : ts.createSourceFile(f, code, language, true);
  };
  const program = ts.createProgram([...files.keys()], options, host);
  return [...files.keys()].map((f) =>
    ts
      .getPreEmitDiagnostics(program, program.getSourceFile(f))
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' ')),
  );
}

describe('TypeScript snippets in README.md and docs/', () => {
  const canary = "const list: string[] = ['a'];\nconst [first] = list;\nconst upper: string = first.toUpperCase();\n";
  const errors = typeErrors([...SNIPPETS.map((s) => moduleOf(s.code)), moduleOf(canary)]);

  it('include the CDK snippet of the README', () => {
    expect(SNIPPETS.map((s) => s.where)).toContainEqual(expect.stringMatching(/^README\.md:/));
    expect(SNIPPETS.some((s) => s.where.startsWith('README.md') && s.code.includes('ProviderTokenRefresher'))).toBe(
      true,
    );
  });

  it('fail to compile when a snippet reads an array element as defined (noUncheckedIndexedAccess)', () => {
    expect(errors.at(-1)).toEqual([expect.stringContaining("'first' is possibly 'undefined'")]);
  });

  it.each(SNIPPETS.map((s, i) => [s.where, i] as const))('%s compiles', (_where, i) => {
    expect(errors[i], moduleOf(SNIPPETS[i]!.code)).toEqual([]);
  });
});
