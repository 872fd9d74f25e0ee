import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * The digits of a phone number as WhatsApp ids write them (no '+'), or null when the text is not a
 * phone number at all. Accepts the punctuation people type: spaces, dashes, dots, parentheses.
 */
export function toDigits(input: string): string | null {
  if (!/^\+?[\d\s().-]+$/.test(input.trim())) return null;
  const digits = input.replace(/\D/g, '');
  return digits.length >= 8 && digits.length <= 15 ? digits : null;
}

/**
 * The forms under which one WhatsApp account may be addressed (whatsapp-cloud-api.md §4.3): Brazil
 * with and without the mobile 9, Mexico 52/521, Argentina 54/549. Meta accepts either form in `to`
 * and answers with the account's own wa_id, which is how `contacts[0].wa_id` comes to differ from
 * `input`.
 */
export function whatsAppVariants(digits: string): string[] {
  const variants = [digits];
  const brazil = /^55(\d{2})(\d{8,9})$/.exec(digits);
  if (brazil) {
    const [, area = '', local = ''] = brazil;
    if (local.length === 9 && local.startsWith('9')) variants.push(`55${area}${local.slice(1)}`);
    if (local.length === 8 && /^[6-9]/.test(local)) variants.push(`55${area}9${local}`);
  }
  const mexico = /^52(1?)(\d{10})$/.exec(digits);
  if (mexico) variants.push(mexico[1] ? `52${mexico[2]}` : `521${mexico[2]}`);
  const argentina = /^54(9?)(\d{10})$/.exec(digits);
  if (argentina) variants.push(argentina[1] ? `54${argentina[2]}` : `549${argentina[2]}`);
  return variants;
}

/** The display form of the phone-number API ("+1 555-078-3881" for North America, else international). */
export function formatDisplayNumber(digits: string): string {
  const nanp = /^1(\d{3})(\d{3})(\d{4})$/.exec(digits);
  if (nanp) return `+1 ${nanp[1]}-${nanp[2]}-${nanp[3]}`;
  return parsePhoneNumberFromString(`+${digits}`)?.formatInternational() ?? `+${digits}`;
}
