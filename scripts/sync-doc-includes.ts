/**
 * Copies every `<!-- include: path -->` code block in docs/ from the file it names, so the docs show
 * the examples exactly as they are tested (test/consumer/examples.test.ts fails when they drift), and
 * writes every marked figure and sample in docs/ and the README as the plan computes it
 * (scripts/doc-figures.ts; test/docs/figures.test.ts fails when they drift). Run: npm run docs:sync
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { withFigures } from './doc-figures.js';

const root = path.join(import.meta.dirname, '..');
const docs = readdirSync(path.join(root, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((name) => path.join(root, 'docs', name));
for (const file of [path.join(root, 'README.md'), ...docs]) {
  const doc = readFileSync(file, 'utf8');
  const included = doc.replace(
    /(<!-- include: (\S+) -->\n```\w*\n)[\s\S]*?```/g,
    (_, head: string, included: string) => `${head}${readFileSync(path.join(root, included), 'utf8')}\`\`\``,
  );
  const synced = withFigures(included);
  if (synced !== doc) {
    writeFileSync(file, synced);
    console.log(`updated ${path.relative(root, file)}`);
  }
}
