import fc from 'fast-check';
import {
  countryOf,
  equivalentPhoneForms,
  isSamePhone,
  normalizePhone,
  phoneSearchTerms,
  phoneTwin,
} from '../../../server/services/sync/phone-numbers.ts';

describe('phone normalisation', () => {
  it.each([
    ['+34 600 111 222', undefined, '+34600111222'],
    ['0034 600-111-222', undefined, '+34600111222'],
    ['34600111222', undefined, '+34600111222'],
    ['600 111 222', 'ES', '+34600111222'],
    ['(415) 555-0101', 'US', '+14155550101'],
    // Mexico: the old mobile `1` is dropped.
    ['5215512345678', undefined, '+525512345678'],
    ['+52 55 1234 5678', undefined, '+525512345678'],
    // Brazil: the ninth digit is added to 8-digit mobiles.
    ['551187654321', undefined, '+5511987654321'],
    ['+55 11 98765-4321', undefined, '+5511987654321'],
    ['(11) 98765-4321', 'BR', '+5511987654321'],
    // Argentina: both forms are valid; the national `15` form is the mobile with the 9.
    ['5491112345678', undefined, '+5491112345678'],
    ['011 15-1234-5678', 'AR', '+5491112345678'],
    ['+54 11 1234-5678', undefined, '+541112345678'],
  ] as const)('%s (%s) → %s', (input, country, expected) => {
    expect(normalizePhone(input, country)).toBe(expected);
  });

  it.each(['', 'hello', '+', '12', '+999 123', '1'.repeat(80), '+34 600 111 222 ext 5 and more and more text'])(
    'refuses %j without throwing',
    (input) => {
      expect(normalizePhone(input)).toBeNull();
    },
  );

  it('knows the twins of Mexico, Brazil and Argentina and no others', () => {
    expect(phoneTwin('+525512345678')).toBe('+5215512345678');
    expect(phoneTwin('+5215512345678')).toBe('+525512345678');
    expect(phoneTwin('+5511987654321')).toBe('+551187654321');
    expect(phoneTwin('+5491112345678')).toBe('+541112345678');
    expect(phoneTwin('+541112345678')).toBe('+5491112345678');
    expect(phoneTwin('+34600111222')).toBeNull();
    expect(isSamePhone('+5511987654321', '+551187654321')).toBe(true);
    expect(isSamePhone('+34600111222', '+34600111223')).toBe(false);
  });

  it('searches with E.164 first, then digits, formats and the twin', () => {
    const forms = equivalentPhoneForms('+5491112345678');
    expect(forms[0]).toBe('+5491112345678');
    expect(forms).toEqual(
      expect.arrayContaining([
        '5491112345678',
        '+54 9 11 1234 5678',
        '011 15-1234-5678',
        '+541112345678',
        '011 1234-5678',
      ]),
    );
    expect(equivalentPhoneForms('+525512345678')).toEqual(expect.arrayContaining(['+5215512345678', '5215512345678']));
    expect(equivalentPhoneForms('+5511987654321')).toEqual(
      expect.arrayContaining(['+551187654321', '(11) 98765-4321']),
    );
  });
});

describe('phone normalisation properties', () => {
  const e164 = fc.oneof(
    fc.stringMatching(/^\+52[1-9]\d{9}$/),
    fc.stringMatching(/^\+521[1-9]\d{9}$/),
    fc.stringMatching(/^\+55[1-9][1-9]9?[6-9]\d{7}$/),
    fc.stringMatching(/^\+549?[1-9]\d{9}$/),
    fc.stringMatching(/^\+34[6-9]\d{8}$/),
    fc.stringMatching(/^\+1[2-9]\d{2}[2-9]\d{6}$/),
    fc.stringMatching(/^\+44 ?7\d{3} ?\d{6}$/),
  );

  it('is idempotent', () => {
    fc.assert(
      fc.property(e164, (number) => {
        const once = normalizePhone(number);
        fc.pre(once !== null);
        expect(normalizePhone(once)).toBe(once);
      }),
      { numRuns: 500 },
    );
  });

  it('brings every equivalent form back to the same number or its twin', () => {
    fc.assert(
      fc.property(e164, (number) => {
        const canonical = normalizePhone(number);
        fc.pre(canonical !== null);
        const country = countryOf(canonical);
        for (const form of equivalentPhoneForms(canonical)) {
          const back = normalizePhone(form, country);
          expect([canonical, phoneTwin(canonical)]).toContain(back);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.stringMatching(/^[+0-9 ()-]{0,30}$/)),
        (input) => {
          const result = normalizePhone(input);
          expect(result === null || /^\+\d{4,17}$/.test(result)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('phone search terms', () => {
  it('searches the shortest digit forms, the formatted ones, twins included, then the last digits', () => {
    expect(phoneSearchTerms('+5511987654321')).toEqual([
      '11987654321',
      // The old 8-digit form is no number libphonenumber formats nationally any more.
      '551187654321',
      '+55 11 98765 4321',
      '+55 11 98765-4321',
      '(11) 98765-4321',
      '+55 1187654321',
      '4321',
      '321',
    ]);
  });

  it('finds every equivalent form: each form contains a digit term or is itself a term', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+(52|55|54|34)[1-9]\d{9}$/), (number) => {
        const canonical = normalizePhone(number);
        fc.pre(canonical !== null);
        const terms = phoneSearchTerms(canonical);
        for (const form of equivalentPhoneForms(canonical))
          expect(terms.some((term) => form === term || form.replace(/\D/g, '').includes(term))).toBe(true);
      }),
    );
  });
});
