import {
  formatDate,
  formatDateTime,
  formatRecent,
  formatTime,
  UNKNOWN_TIME,
} from '../../extensions/src/format/date-time.ts';

const moment = '2026-11-30T15:40:00Z';

describe('the shared date and time formatter', () => {
  it('prints a moment with the month as a word, in the given locale and time zone', () => {
    expect(formatDateTime(moment, { locale: 'en-GB', timeZone: 'UTC' })).toBe('30 Nov 2026, 15:40');
    expect(formatDateTime(moment, { locale: 'en-GB', timeZone: 'Asia/Tokyo' })).toBe('1 Dec 2026, 00:40');
    const american = formatDateTime(moment, { locale: 'en-US', timeZone: 'America/New_York' });
    expect(american).toContain('Nov 30, 2026');
    expect(american).toContain('10:40');
    expect(formatDateTime(moment, { locale: 'de-DE', timeZone: 'Europe/Berlin' })).toContain('16:40');
  });

  it('never prints an all-numeric date such as 12/30/2026', () => {
    for (const locale of ['en-US', 'en-GB', 'de-DE', 'fr-FR', 'ja-JP', 'pt-BR'])
      for (const print of [formatDateTime, formatDate])
        expect(print('2026-12-30T09:05:00Z', { locale, timeZone: 'UTC' })).not.toMatch(
          /\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}/,
        );
  });

  it('prints days and times on their own', () => {
    expect(formatDate(moment, { locale: 'en-GB', timeZone: 'UTC' })).toBe('30 Nov 2026');
    expect(formatTime(moment, { locale: 'en-GB', timeZone: 'UTC' })).toBe('15:40');
    expect(formatDate(new Date(moment), { locale: 'en-GB', timeZone: 'Pacific/Kiritimati' })).toBe('1 Dec 2026');
  });

  it('shortens recent moments relative to now, in the viewer’s time zone', () => {
    const options = { locale: 'en-GB', timeZone: 'UTC', now: new Date('2026-11-30T23:00:00Z') };
    expect(formatRecent('2026-11-30T08:05:00Z', options)).toBe('08:05');
    expect(formatRecent('2026-11-28T08:05:00Z', options)).toBe('28 Nov, 08:05');
    expect(formatRecent('2025-12-30T08:05:00Z', options)).toBe('30 Dec 2025, 08:05');
    // 23:00 UTC is already the next day in Tokyo: 08:05 UTC on the 30th is "yesterday" there.
    expect(formatRecent('2026-11-30T08:05:00Z', { ...options, timeZone: 'Asia/Tokyo' })).toBe('30 Nov, 17:05');
  });

  it('says so instead of printing "Invalid Date"', () => {
    expect(formatDateTime('not a date')).toBe(UNKNOWN_TIME);
    expect(formatDate(Number.NaN)).toBe(UNKNOWN_TIME);
    expect(formatRecent('')).toBe(UNKNOWN_TIME);
  });
});
