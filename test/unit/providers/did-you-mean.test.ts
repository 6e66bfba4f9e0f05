import { describe, expect, it } from 'vitest';
import { closest, editDistance } from '../../../providers/did-you-mean.js';

describe('did you mean', () => {
  it('counts insertions, deletions, substitutions and swapped neighbours as one edit each, ignoring case', () => {
    expect(editDistance('nagra', 'nagra')).toBe(0);
    expect(editDistance('nagar', 'nagra')).toBe(1);
    expect(editDistance('clientid', 'clientId')).toBe(0);
    expect(editDistance('scop', 'scope')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
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
