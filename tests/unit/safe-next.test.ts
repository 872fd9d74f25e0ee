import { safeNext } from '../../extensions/src/safe-next.ts';

const ORIGIN = 'https://parley.example';
const FALLBACK = '/integrations/pipedrive';
/** What the login page reads: `URLSearchParams` decodes the `next` parameter once. */
const nextFrom = (query: string) => new URLSearchParams(query).get('next');

describe('safeNext (sign-in redirect target)', () => {
  it('finding 3: tab, CR or LF after the slash cannot send the browser off-site', () => {
    for (const query of ['next=/%09/evil.example', 'next=/%0d/evil.example', 'next=/%0a/evil.example'])
      expect(safeNext(nextFrom(query), FALLBACK, ORIGIN)).toBe(FALLBACK);
  });

  it('B13: refuses protocol-relative, backslash, absolute and script targets, plain and encoded', () => {
    const hostile = [
      '//evil.example',
      '/\\evil.example',
      '\\\\evil.example',
      '/\\/evil.example',
      'https://evil.example',
      'javascript:alert(1)',
      ' /evil',
      '/\t/evil.example',
      '/\r\n/evil.example',
      '/\u0000/evil.example',
      nextFrom('next=%2F%2Fevil.example'),
      nextFrom('next=%2F%5Cevil.example'),
      nextFrom('next=javascript%3Aalert(1)'),
      nextFrom('next=https%3A%2F%2Fevil.example'),
      '',
      null,
    ];
    for (const value of hostile) expect(safeNext(value, FALLBACK, ORIGIN)).toBe(FALLBACK);
  });

  it('keeps same-origin paths, and doubly encoded tricks stay harmless paths on the origin', () => {
    expect(safeNext('/team?tab=invites#top', FALLBACK, ORIGIN)).toBe('/team?tab=invites#top');
    expect(safeNext('/integrations/pipedrive', FALLBACK, ORIGIN)).toBe('/integrations/pipedrive');
    for (const value of [nextFrom('next=/%2509/evil.example'), '/%2F%2Fevil.example', '/%5Cevil.example']) {
      const target = safeNext(value, FALLBACK, ORIGIN);
      expect(new URL(target, ORIGIN).origin).toBe(ORIGIN);
      expect(target.startsWith('//')).toBe(false);
    }
  });
});
