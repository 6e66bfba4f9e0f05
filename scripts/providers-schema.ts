/**
 * Writes providers.schema.json at the repository root from the providers file's zod schema
 * (providers/providers-schema.ts), formatted as `npm run lint` expects;
 * test/unit/providers/providers-schema.test.ts fails when it is stale.
 * Run: npm run schema
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { providersJsonSchema } from '../providers/providers-schema.js';

const file = path.join(import.meta.dirname, '..', 'providers.schema.json');
const options = (await resolveConfig(file)) ?? {};
writeFileSync(file, await format(JSON.stringify(providersJsonSchema()), { ...options, filepath: file }));
console.log(`wrote ${path.relative(process.cwd(), file)}`);
