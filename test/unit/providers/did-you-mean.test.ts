import { describe, expect, it } from 'vitest';
import { closest } from '../../../providers/did-you-mean.js';

describe('did you mean', () => {
  // A name of three to five letters may be one edit off, so a match there shows the edit counted as one.
  it('counts insertions, deletions, substitutions and swapped neighbours as one edit each, ignoring case', () => {
    expect(closest('tab', ['tac', 'tab'])).toBe('tab');
    expect(closest('TAB', ['tac', 'tab'])).toBe('tab');
    expect(closest('nagar', ['nagra'])).toBe('nagra');
    expect(closest('NAGRX', ['nagra'])).toBe('nagra');
    expect(closest('scpe', ['scope'])).toBe('scope');
    expect(closest('okkta', ['okta'])).toBe('okta');
    // kitten -> sitting takes three edits: within a nine-letter name's limit of three, beyond an eight-letter one's two.
    expect(closest('kittenabc', ['sittingabc'])).toBe('sittingabc');
    expect(closest('kittenab', ['sittingab'])).toBeUndefined();
  });

  it('suggests only close names, or names cut short', () => {
    const presets = ['mediamelon', 'movingimage', 'nagra', 'clickview', 'mediahound', 'generic'];
    expect(closest('nagar', presets)).toBe('nagra');
    expect(closest('mediahund', presets)).toBe('mediahound');
    expect(closest('okta', presets)).toBeUndefined();
    expect(closest('minValidity', ['minValiditySeconds', 'id'])).toBe('minValiditySeconds');
    expect(closest('url', ['id', 'scope'])).toBeUndefined();
  });
});
