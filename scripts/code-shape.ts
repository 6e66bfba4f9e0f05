/**
 * Prints the size of the product rooms' largest files, classes and functions, against the limits
 * docs/development.md sets (a class 250 lines, a function or constructor 80, a file 400).
 * Usage: npm run -s shape [-- --json]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export const SHAPE_LIMITS = { fileLines: 400, classLines: 250, functionLines: 80 } as const;
export const PRODUCT_ROOMS = ['base', 'contract', 'core', 'lambda', 'lib', 'consumer', 'cli', 'local', 'providers'];

export interface Measure {
  readonly kind: 'file' | 'class' | 'function';
  readonly where: string;
  readonly lines: number;
}

function sourceFiles(root: string, room: string): string[] {
  const dir = path.join(root, room);
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true }) as string[];
  } catch {
    return [];
  }
  return entries
    .map((e) => path.join(room, e))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && statSync(path.join(root, f)).isFile());
}

const lineOf = (file: ts.SourceFile, pos: number) => file.getLineAndCharacterOfPosition(pos).line;
const span = (file: ts.SourceFile, node: ts.Node) =>
  lineOf(file, node.getEnd()) - lineOf(file, node.getStart(file)) + 1;

function nameOf(node: ts.Node): string {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name && ts.isIdentifier(named.name)) return named.name.text;
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return '(anonymous)';
}

/** Every file, class and function of the product rooms with its length in lines. */
export function measure(root: string): Measure[] {
  const out: Measure[] = [];
  for (const rel of PRODUCT_ROOMS.flatMap((room) => sourceFiles(root, room))) {
    const text = readFileSync(path.join(root, rel), 'utf8');
    const file = ts.createSourceFile(rel, text, ts.ScriptTarget.Latest, true);
    out.push({ kind: 'file', where: rel, lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0) });
    const visit = (node: ts.Node) => {
      const at = `${rel}:${lineOf(file, node.getStart(file)) + 1} ${nameOf(node)}`;
      if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) {
        out.push({ kind: 'class', where: at, lines: span(file, node) });
      } else if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body) {
        out.push({ kind: 'function', where: at, lines: span(file, node) });
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return out;
}

const LIMIT: Record<Measure['kind'], number> = {
  file: SHAPE_LIMITS.fileLines,
  class: SHAPE_LIMITS.classLines,
  function: SHAPE_LIMITS.functionLines,
};

/** The measures over their limit. */
export function overLimits(measures: readonly Measure[]): Measure[] {
  return measures.filter((m) => m.lines > LIMIT[m.kind]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const measures = measure(process.cwd());
  const over = overLimits(measures);
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ over, measures }, null, 2)}\n`);
  } else {
    for (const kind of ['file', 'class', 'function'] as const) {
      const top = measures.filter((m) => m.kind === kind).sort((a, b) => b.lines - a.lines);
      const n = top.filter((m) => m.lines > LIMIT[kind]).length;
      process.stdout.write(
        `${kind === 'class' ? 'classes' : kind + 's'}: ${top.length}, over ${LIMIT[kind]} lines: ${n}; largest:\n`,
      );
      for (const m of top.slice(0, Math.max(3, n)))
        process.stdout.write(`  ${String(m.lines).padStart(5)}  ${m.where}\n`);
    }
  }
}
