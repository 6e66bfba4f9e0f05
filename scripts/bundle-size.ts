/**
 * Prints the refresher function's bundle size, built with the same esbuild options as the
 * construct's NodejsFunction, with the AWS SDK bundled (what is deployed) and without it.
 */
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const entry = new URL('../lambda/index.ts', import.meta.url).pathname;

async function size(external: string[]) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    external,
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  return { bytes: code.byteLength, gzip: gzipSync(code).byteLength };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const rows = [
  ['deployed (AWS SDK bundled)', await size([])],
  ['without the AWS SDK', await size(['@aws-sdk/*', '@smithy/*'])],
] as const;
for (const [name, s] of rows)
  console.log(`${name.padEnd(28)} ${kb(s.bytes).padStart(10)} minified, ${kb(s.gzip).padStart(9)} gzip`);
