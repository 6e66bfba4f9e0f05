/**
 * Writes docs/events/<transition>.v<version>.schema.json from the event detail schemas
 * (contract/events.ts), formatted as `npm run lint` expects; test/unit/lambda/events-schema.test.ts
 * fails when one is stale. Run: npm run schema
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { EVENT_DETAIL_VERSION, eventJsonSchemas } from '../contract/events.js';

const dir = path.join(import.meta.dirname, '..', 'docs', 'events');
mkdirSync(dir, { recursive: true });
for (const [transition, schema] of Object.entries(eventJsonSchemas())) {
  const file = path.join(dir, `${transition}.v${EVENT_DETAIL_VERSION}.schema.json`);
  const options = (await resolveConfig(file)) ?? {};
  writeFileSync(file, await format(JSON.stringify(schema), { ...options, filepath: file }));
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
