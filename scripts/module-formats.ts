/**
 * The two module systems of the library packages (`@token-refresher/cdk`, `@token-refresher/reader`),
 * for scripts/build-packages.ts.
 *
 * Each library ships one implementation, in CommonJS, compiled from tsc's ES module output, and an
 * ES module entry that only re-exports it. `require` and `import` therefore load the same files: an
 * app whose ES module code imports the package while a CommonJS dependency requires it still has one
 * `ProviderTokenRefresher` class and one `TokenReaderError` class (so `instanceof` holds across both),
 * and one process-wide token cache. Two full builds, one per module system, would give such an app two
 * of each: the dual-package hazard. CommonJS carries the implementation because every loader can load
 * it, including Jest, which runs a `cdk init` app's tests and cannot `require` an ES module before
 * Node.js 24.9.
 *
 * The declarations are tsc's, once: in a `"type": "commonjs"` package they describe the CommonJS
 * files, and the ES module entry's declarations re-export them.
 */
import { createRequire } from 'node:module';
import { transformSync } from 'esbuild';

/** CommonJS has no `import.meta`; these are the CommonJS equivalents of the ones the sources use. */
const IMPORT_META_URL = '__importMetaUrl';
const IMPORT_META = {
  'import.meta.dirname': '__dirname',
  'import.meta.filename': '__filename',
  'import.meta.url': IMPORT_META_URL,
} as const;

/** One compiled ES module file as CommonJS, with the same file layout and relative specifiers. */
export function toCommonJs(esm: string, file: string): string {
  const { code, warnings } = transformSync(esm, {
    format: 'cjs',
    platform: 'node',
    // The oldest Node.js the packages' engines field accepts.
    target: 'node20',
    define: IMPORT_META,
    banner: esm.includes('import.meta.url')
      ? `const ${IMPORT_META_URL} = require('node:url').pathToFileURL(__filename).href;`
      : '',
    sourcefile: file,
    logLevel: 'silent',
  });
  // esbuild warns of what it cannot convert (an `import.meta` property the map above lacks, a top-level
  // await); shipping that would fail only when a CommonJS app loads the file.
  if (warnings.length > 0 || code.includes('import.meta')) {
    const why = warnings.map((w) => w.text).join('; ') || 'it still uses import.meta';
    throw new Error(`build-packages: ${file} does not convert to CommonJS: ${why}`);
  }
  return code;
}

/**
 * The ES module entry (`.mjs`) and its declarations (`.d.mts`) beside a built CommonJS entry. The
 * export names are read from the CommonJS entry itself (loading it also proves the conversion
 * runs), so the two entries cannot drift apart.
 */
export function esModuleEntry(commonJsEntry: string): { js: string; dts: string } {
  const exported = Object.keys(createRequire(import.meta.url)(commonJsEntry) as object).filter(
    (name) => name !== '__esModule',
  );
  if (exported.includes('default')) {
    throw new Error(`build-packages: ${commonJsEntry} has a default export; the ES module entry forwards named ones`);
  }
  const specifier = `./${commonJsEntry.split(/[\\/]/).pop()!}`;
  return {
    js: `import commonJs from '${specifier}';\n\nexport const { ${exported.join(', ')} } = commonJs;\n`,
    dts: `export * from '${specifier}';\n`,
  };
}
