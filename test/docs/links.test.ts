/**
 * Every link and command the docs give must work: a relative Markdown link points at a file of this
 * repository, its `#anchor` is a heading of the target (slugged as GitHub does, with github-slugger),
 * a repository path quoted as code exists, and every `npm run <script>` is a script of package.json.
 * Checked: README.md, CHANGELOG.md and every Markdown file under docs/. The checks are pure functions,
 * so the test also proves that each of them fails on a broken doc.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import GithubSlugger from 'github-slugger';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../infra/fixtures.js';

/** README.md, CHANGELOG.md and every Markdown file under docs/, relative to the repository root. */
function documentedFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
      const relative = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) return walk(relative);
      return entry.name.endsWith('.md') ? [relative] : [];
    });
  return ['README.md', 'CHANGELOG.md', ...walk('docs')];
}

/** The lines of a Markdown file, with the lines inside fenced code blocks blanked (fences kept). */
function withoutFences(markdown: string): string[] {
  let fence: string | undefined;
  return markdown.split('\n').map((line) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined && marker) {
      fence = marker;
      return line;
    }
    if (fence !== undefined) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) {
        fence = undefined;
      }
      return marker ? line : '';
    }
    return line;
  });
}

/** The inline code spans of a line, and the line without them. */
function codeSpans(line: string): { spans: string[]; prose: string } {
  const spans: string[] = [];
  const prose = line.replace(/(`+)(.+?)\1/g, (_, _ticks: string, code: string) => {
    spans.push(code.trim());
    return ' ';
  });
  return { spans, prose };
}

/** The anchors a Markdown file offers: GitHub's heading slugs (duplicates get -1, -2) and HTML ids. */
export function anchorsOf(markdown: string): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  for (const line of withoutFences(markdown)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line)?.[1];
    if (heading !== undefined) {
      // The rendered text: a link's text only, no inline HTML, no emphasis underscores outside code
      // (github-slugger drops `*` itself but keeps `_`, which stays in code and inside words).
      const text = heading
        .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
        .replace(/<[^>]+>/g, '')
        .split(/(`+[^`]*`+)/)
        .map((part, i) => (i % 2 ? part.replace(/`/g, '') : part.replace(/(^|\W)_+|_+(?=\W|$)/g, '$1')))
        .join('');
      anchors.add(slugger.slug(text));
    }
    for (const match of line.matchAll(/<a\s[^>]*(?:id|name)="([^"]+)"/g)) anchors.add(match[1]!);
  }
  return anchors;
}

export interface Link {
  readonly line: number;
  readonly target: string;
}

/** The Markdown links of a file (inline and reference definitions), outside code. */
export function linksOf(markdown: string): Link[] {
  const links: Link[] = [];
  withoutFences(markdown).forEach((raw, index) => {
    const { prose } = codeSpans(raw);
    for (const match of prose.matchAll(/\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ line: index + 1, target: match[1]! });
    }
    const definition = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(prose);
    if (definition) links.push({ line: index + 1, target: definition[1]! });
  });
  return links;
}

/**
 * Why a link from `fromFile` (relative to `root`) does not resolve, or undefined when it does.
 * Links with a scheme (https:, mailto:) are not checked.
 */
export function brokenLink(root: string, fromFile: string, target: string): string | undefined {
  if (target === '') return 'empty link';
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined;
  const hash = target.indexOf('#');
  const filePart = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
  const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
  const file =
    filePart === '' ? path.join(root, fromFile) : path.resolve(path.dirname(path.join(root, fromFile)), filePart);
  const relative = path.relative(root, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return `${target} leaves the repository`;
  if (!existsSync(file)) return `${target}: no file ${relative}`;
  if (anchor === undefined) return undefined;
  if (statSync(file).isDirectory() || !file.endsWith('.md'))
    return `${target}: an anchor into a file that is not Markdown`;
  if (!anchorsOf(readFileSync(file, 'utf8')).has(anchor))
    return `${target}: no heading with the anchor #${anchor} in ${relative}`;
  return undefined;
}

/** Top-level folders of this repository: a code span starting with one of them names a path. */
const REPO_FOLDERS = [
  'base',
  'bin',
  'cli',
  'consumer',
  'contract',
  'core',
  'docs',
  'examples',
  'lambda',
  'lib',
  'local',
  'providers',
  'scripts',
  'test',
];

/** Repository paths quoted as inline code (`lib/private/nag-acknowledgements.ts`), outside code blocks. */
export function quotedPaths(markdown: string): Link[] {
  const paths: Link[] = [];
  withoutFences(markdown).forEach((line, index) => {
    for (const span of codeSpans(line).spans) {
      const isPath =
        /^[\w.-]+(\/[\w.-]+)*\/?$/.test(span) && REPO_FOLDERS.includes(span.split('/')[0]!) && span.includes('/');
      if (isPath) paths.push({ line: index + 1, target: span });
    }
  });
  return paths;
}

/** npm commands that are not scripts of package.json. */
const NPM_COMMANDS = new Set(['ci', 'i', 'install', 'pack', 'exec', 'publish', 'ls', 'view', 'audit', 'version']);
/** The scripts npm runs without `run`. */
const SCRIPT_SHORTCUTS = new Set(['test', 't', 'start', 'stop', 'restart']);

/**
 * The npm scripts a file tells its reader to run: `npm run [-s] <script>` anywhere, and `npm <word>`
 * in code (a code block or span), where the word must be an npm command or a script shortcut.
 */
export function npmCommandsOf(markdown: string): { line: number; script?: string; command: string }[] {
  const found: { line: number; script?: string; command: string }[] = [];
  const fenced = withoutFences(markdown);
  markdown.split('\n').forEach((line, index) => {
    for (const match of line.matchAll(/\bnpm\s+run(?:-script)?\s+(?:(?:-s|--silent|--if-present)\s+)*([\w:.-]+)/g)) {
      found.push({ line: index + 1, script: match[1]!, command: match[0] });
    }
    const inBlock = fenced[index] !== line;
    // In a code block, a shell comment is prose: `npm ci   # … for the npm scripts`.
    const code = inBlock ? [line.replace(/(^|\s)#.*$/, '')] : codeSpans(line).spans;
    for (const text of code) {
      for (const match of text.matchAll(/\bnpm\s+(?!run\b|run-script\b)([a-z][\w:-]*)/g)) {
        const word = match[1]!;
        if (NPM_COMMANDS.has(word)) continue;
        found.push({
          line: index + 1,
          script: SCRIPT_SHORTCUTS.has(word) ? (word === 't' ? 'test' : word) : undefined,
          command: match[0],
        });
      }
    }
  });
  return found;
}

const files = documentedFiles();
const scripts = Object.keys(
  (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts,
);

describe.each(files)('%s', (file) => {
  const markdown = readFileSync(path.join(REPO_ROOT, file), 'utf8');

  it('has only links that resolve, anchors included', () => {
    const broken = linksOf(markdown).flatMap(({ line, target }) => {
      const why = brokenLink(REPO_ROOT, file, target);
      return why ? [`${file}:${line}: ${why}`] : [];
    });
    expect(broken).toEqual([]);
  });

  // docs/reference/ quotes paths of the IdPs' own repositories, so the rule does not apply there.
  const inOwnRepository = !file.startsWith('docs/reference/');
  it.runIf(inOwnRepository)(
    `names only repository paths that exist${inOwnRepository ? '' : " [skipped: it quotes the IdPs' own repositories]"}`,
    () => {
      const missing = quotedPaths(markdown)
        .filter(({ target }) => !existsSync(path.join(REPO_ROOT, target)))
        .map(({ line, target }) => `${file}:${line}: ${target}`);
      expect(missing).toEqual([]);
    },
  );

  it('documents only npm scripts that package.json has', () => {
    const unknown = npmCommandsOf(markdown)
      .filter(({ script }) => script === undefined || !scripts.includes(script))
      .map(({ line, command }) => `${file}:${line}: ${command}`);
    expect(unknown).toEqual([]);
  });
});

describe('the checks themselves', () => {
  const doc = [
    '# Title',
    '## Same',
    '## Same',
    '## TypeScript: `@token-refresher/reader`',
    '## The `refresh_token_not_kept` note and _emphasis_',
    '```bash',
    '# not a heading',
    'npm run no-such-script-in-code',
    'npm ci   # a comment about npm scripts',
    '[not a link](nowhere.md)',
    '```',
    'See [a](#same-1), [b](#same-2), [c](README.md#quickstart), [d](docs/nowhere.md) and `[e](x.md)`.',
    'Run `npm run -s cli -- status`, `npm ci`, `npm start` and `npm frobnicate`; `lib/nowhere.ts` is gone.',
  ].join('\n');

  it('slugs headings as GitHub does, with -1 for a repeated heading', () => {
    expect([...anchorsOf(doc)]).toEqual([
      'title',
      'same',
      'same-1',
      'typescript-token-refresherreader',
      'the-refresh_token_not_kept-note-and-emphasis',
    ]);
  });

  it('finds links outside code only, and reports broken files and anchors', () => {
    const targets = linksOf(doc).map((link) => link.target);
    expect(targets).toEqual(['#same-1', '#same-2', 'README.md#quickstart', 'docs/nowhere.md']);
    const root = REPO_ROOT;
    expect(brokenLink(root, 'README.md', '#quickstart')).toBeUndefined();
    expect(brokenLink(root, 'README.md', 'docs/runbook.md#tokenfreshness')).toBeUndefined();
    expect(brokenLink(root, 'README.md', 'docs/runbook.md#no-such-alarm')).toMatch(/no heading with the anchor/);
    expect(brokenLink(root, 'README.md', 'docs/nowhere.md')).toMatch(/no file docs\/nowhere.md/);
    expect(brokenLink(root, 'docs/runbook.md', '../../outside.md')).toMatch(/leaves the repository/);
    expect(brokenLink(root, 'docs/runbook.md', 'how-it-works.md#limitations')).toBeUndefined();
    expect(brokenLink(root, 'README.md', 'https://example.com/#x')).toBeUndefined();
  });

  it('finds quoted repository paths and npm commands', () => {
    expect(quotedPaths(doc).map((p) => p.target)).toEqual(['lib/nowhere.ts']);
    expect(npmCommandsOf(doc).map((c) => [c.command, c.script])).toEqual([
      ['npm run no-such-script-in-code', 'no-such-script-in-code'],
      ['npm run -s cli', 'cli'],
      ['npm start', 'start'],
      ['npm frobnicate', undefined],
    ]);
  });
});
