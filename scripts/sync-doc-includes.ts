/**
 * Copies every `<!-- include: path -->` code block in docs/ from the file it names, so the docs show
 * the examples exactly as they are tested (test/consumer/examples.test.ts fails when they drift).
 * Run: npm run docs:sync
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.join(import.meta.dirname, '..');
for (const name of readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md'))) {
  const file = path.join(root, 'docs', name);
  const doc = readFileSync(file, 'utf8');
  const synced = doc.replace(
    /(<!-- include: (\S+) -->\n```\w*\n)[\s\S]*?```/g,
    (_, head: string, included: string) => `${head}${readFileSync(path.join(root, included), 'utf8')}\`\`\``,
  );
  if (synced !== doc) {
    writeFileSync(file, synced);
    console.log(`updated ${path.relative(root, file)}`);
  }
}
