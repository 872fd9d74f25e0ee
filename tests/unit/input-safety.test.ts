import { findNulCharacter } from '../../server/plugins/input-safety.plugin.ts';

describe('findNulCharacter', () => {
  it('points at the first NUL as a JSON pointer, escaping ~ and / in keys', () => {
    expect(findNulCharacter({ a: 'fine', 'b/c': [{ 'd~e': 'x\u0000y' }] })).toBe('/b~1c/0/d~0e');
    expect(findNulCharacter({ ok: { 'bad\u0000key': 1 } })).toBe('/ok/bad\u0000key');
    expect(findNulCharacter('\u0000')).toBe('/');
  });

  it('finds nothing where there is no NUL', () => {
    expect(findNulCharacter({ a: ['b', { c: 'd' }], e: 1, f: null })).toBeUndefined();
    expect(findNulCharacter(undefined)).toBeUndefined();
  });
});
