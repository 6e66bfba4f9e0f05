import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(import.meta.dirname, '..', '..');
const docs = readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md'));
const includes = docs.flatMap((doc) =>
  [
    ...readFileSync(path.join(root, 'docs', doc), 'utf8').matchAll(/<!-- include: (\S+) -->\n```\w*\n([\s\S]*?)```/g),
  ].map((m) => [doc, m[1]!, m[2]!] as const),
);

describe('files shown in docs/', () => {
  it('include the status sample in the runbook', () => {
    expect(includes.filter(([doc]) => doc === 'runbook.md').map(([, file]) => file)).toEqual([
      'docs/samples/status.txt',
    ]);
  });

  it.each(includes)('%s shows %s exactly as it is (npm run docs:sync)', (_doc, file, shown) => {
    expect(shown).toBe(readFileSync(path.join(root, file), 'utf8'));
  });
});
