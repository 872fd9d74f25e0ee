import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * A wa_id (digits without '+') as E.164, using libphonenumber's full metadata; null when the digits
 * are not a possible number (Meta may one day send other ids here). The sync engine derives the
 * country-specific equivalent forms (Mexico 521/52, Brazil's ninth digit, Argentina 549) from this.
 */
export function e164FromWaId(waId: string | null): string | null {
  if (waId === null || !/^\d{6,17}$/.test(waId)) return null;
  const parsed = parsePhoneNumberFromString(`+${waId}`);
  return parsed !== undefined && parsed.isPossible() ? parsed.number : null;
}
