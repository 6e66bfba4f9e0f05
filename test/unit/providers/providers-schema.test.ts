import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { providerEntrySchema } from '../../../providers/provider-entry.js';
import { providersJsonSchema } from '../../../providers/providers-schema.js';

const read = (name: string) => JSON.parse(readFileSync(new URL(`../../../${name}`, import.meta.url), 'utf8'));

describe('providers.schema.json', () => {
  it('is what the zod schema gives today (run "npm run schema" when this fails)', () => {
    expect(read('providers.schema.json')).toEqual(providersJsonSchema());
  });

  it('describes every field of a provider entry, and the shipped providers.json refers to it', () => {
    const entry = providersJsonSchema().properties!.providers!.items!;
    expect(Object.keys(entry.properties!)).toEqual(Object.keys(providerEntrySchema.shape));
    for (const [name, field] of Object.entries(entry.properties!)) {
      expect(field.description, name).toMatch(/\w.{20,}/);
    }
    expect(entry.additionalProperties).toBe(false);
    expect(read('providers.json').$schema).toBe('./providers.schema.json');
  });

  it('keeps the ranges and choices the parser checks, for the editor to check them too', () => {
    const fields = providersJsonSchema().properties!.providers!.items!.properties!;
    expect(fields.checkIntervalMinutes).toMatchObject({ type: 'integer', minimum: 1, maximum: 360 });
    expect(fields.grant).toMatchObject({ enum: ['password', 'client_credentials', 'jwt_bearer', 'refresh_token'] });
    expect(fields.preset!.enum).toContain('nagra');
  });
});
