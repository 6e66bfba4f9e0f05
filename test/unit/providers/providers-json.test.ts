import { describe, expect, it } from 'vitest';
import { parseProvidersJson } from '../../../providers/providers-json.js';

const FILE = { providers: [{ id: 'nagra-prod', preset: 'nagra', baseUrl: 'https://ovp.example.com:8443' }] };
const TEXT = JSON.stringify(FILE, null, 2);

function mistake(text: string): string {
  try {
    parseProvidersJson(text);
  } catch (error) {
    expect(error).toMatchObject({ name: 'ProvidersJsonError' });
    return (error as Error).message;
  }
  throw new Error('expected the text to be refused');
}

describe('parseProvidersJson: the text of a providers file', () => {
  it('reads a file that starts with a UTF-8 byte-order mark as if it had none', () => {
    expect(parseProvidersJson(`\uFEFF${TEXT}`)).toEqual(FILE);
  });

  it('skips only a leading byte-order mark: one anywhere else is still a mistake', () => {
    expect(() => parseProvidersJson(`{\uFEFF"providers": []}`)).toThrow(
      expect.objectContaining({ name: 'ProvidersJsonError' }),
    );
  });

  it.each([
    ['a // comment', '{\n  // the IdP of production\n  "providers": []\n}', 'line 2, column 3: "//" starts a comment'],
    ['a /* */ comment', '{ "providers": [] /* later */ }', 'line 1, column 19: "/*" starts a comment'],
    ['a comment after a BOM', '\uFEFF{\r\n"providers": [] // x\r\n}', 'line 2, column 17: "//" starts a comment'],
  ])('says that JSON has no comments, and where %s is', (_, text, where) => {
    expect(mistake(text)).toBe(`${where}, and JSON has no comments: remove it and any others`);
  });

  it('reads "//" and "/*" inside strings as text, and escaped quotes as part of the string', () => {
    const file = { runbookUrl: 'https://wiki.example.com/runbook', note: 'say \\"/* hi */\\"', providers: [] };
    expect(parseProvidersJson(JSON.stringify(file))).toEqual(file);
    expect(mistake('{ "a": "x\\"", // y\n "b": 1 }')).toMatch(/^line 1, column 15: "\/\/" starts a comment/);
  });

  it.each([
    ['}', '{\n  "providers": [],\n}', 'line 2, column 18'],
    [']', '{ "providers": [ {"id": "a"}, ] }', 'line 1, column 29'],
  ])('names a comma before "%s", which JSON does not allow', (bracket, text, where) => {
    expect(mistake(text)).toBe(`${where}: a comma before "${bracket}", which JSON does not allow: remove the comma`);
  });

  it('says a file saved as UTF-16 must be saved as UTF-8', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT, 'utf16le')]).toString('utf8');
    expect(mistake(utf16)).toBe(
      'the file is saved as UTF-16 (Windows PowerShell\'s ">" and some editors do that); save it as UTF-8',
    );
  });

  it("passes on JSON.parse's own words for any other mistake", () => {
    expect(mistake('{ "providers": [')).toMatch(/JSON/);
  });
});
