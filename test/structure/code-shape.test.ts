import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { measure, overLimits, PRODUCT_ROOMS, SHAPE_LIMITS } from '../../scripts/code-shape.js';

const ROOT = path.join(import.meta.dirname, '..', '..');

/**
 * The size limits of docs/development.md "Repository layout": a file that grows past them is a room
 * that wants splitting, and the limit is where a reviewer would ask for it.
 */
describe('code shape of the product rooms', () => {
  const measures = measure(ROOT);

  it('measures every product room that exists', () => {
    const rooms = new Set(measures.filter((m) => m.kind === 'file').map((m) => m.where.split('/')[0]));
    expect([...rooms].sort()).toEqual([...PRODUCT_ROOMS].sort());
    expect(measures.filter((m) => m.kind === 'function').length).toBeGreaterThan(500);
  });

  it(`has no file over ${SHAPE_LIMITS.fileLines} lines, class over ${SHAPE_LIMITS.classLines} or function over ${SHAPE_LIMITS.functionLines}`, () => {
    expect(overLimits(measures).map((m) => `${m.kind} ${m.where}: ${m.lines} lines`)).toEqual([]);
  });

  it('finds a function over the limit when there is one', () => {
    const long = { kind: 'function' as const, where: 'core/x.ts:1 f', lines: SHAPE_LIMITS.functionLines + 1 };
    expect(overLimits([long])).toEqual([long]);
  });
});
