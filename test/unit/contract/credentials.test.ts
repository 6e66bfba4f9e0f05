import { describe, expect, it } from 'vitest';
import { credentialsValues } from '../../../contract/credentials.js';

describe('credentialsValues', () => {
  it('accepts a JSON object of strings as it is', () => {
    expect(credentialsValues({ username: 'u', password: `p "<>&'% ü` }, 'x')).toEqual({
      ok: true,
      value: { username: 'u', password: `p "<>&'% ü` },
    });
  });

  it.each([
    ['an array', ['secret-value'], 'x must be a JSON object of strings'],
    ['a string', 'secret-value', 'x must be a JSON object of strings'],
    ['null', null, 'x must be a JSON object of strings'],
    ['a number value', { password: 4242 }, 'x: key "password" must be a string'],
  ])('names what is wrong with %s without echoing a value', (_, json, message) => {
    expect(credentialsValues(json, 'x')).toEqual({ ok: false, error: message });
  });
});
