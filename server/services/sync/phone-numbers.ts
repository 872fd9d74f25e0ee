import { parsePhoneNumberFromString, type CountryCode, type PhoneNumber } from 'libphonenumber-js/max';

/**
 * Phone numbers as Parley compares them: E.164, with full libphonenumber metadata.
 *
 * Three countries have numbers that reach WhatsApp in one form and sit in Pipedrive in another; each
 * E.164 number there has a documented **twin**, the same line written the other way:
 * - Mexico: mobiles used to be dialled `+52 1 …`; WhatsApp ids still often carry the `1`
 *   (`521…`, 13 digits). Canonical: without the `1` (`+52` + 10 digits); twin: with it.
 * - Brazil: mobiles gained a ninth digit (`9` before the 8-digit local number); old WhatsApp ids
 *   lack it. Canonical: with the `9` (`+55` + 2-digit area + 9 + 8 digits); twin: without it.
 * - Argentina: international mobile numbers carry a `9` after `+54` (`+54 9 11 …`), which
 *   Pipedrive users often leave out; nationally the same mobile is `0 11 15 …` (trunk `0`, mobile
 *   `15`). Both forms are valid numbers, so the canonical form is the one given; the twin is the
 *   other (with ↔ without the `9`).
 */

const MAX_INPUT_LENGTH = 64;

/** The E.164 number of `input`, or null when it is not a possible phone number. Never throws. */
export function normalizePhone(input: string, defaultCountry?: CountryCode): string | null {
  if (typeof input !== 'string' || input.length > MAX_INPUT_LENGTH) return null;
  const parsed = parseLoosely(input, defaultCountry);
  return parsed === undefined ? null : canonical(parsed.number);
}

/** The same line in its other documented form (see above), or null for numbers without one. */
export function phoneTwin(e164: string): string | null {
  const mexico = /^\+52(1?)(\d{10})$/.exec(e164);
  if (mexico?.[2] !== undefined) return mexico[1] === '1' ? `+52${mexico[2]}` : `+521${mexico[2]}`;
  const brazil = /^\+55(\d{2})(9?)([6-9]\d{7})$/.exec(e164);
  if (brazil?.[1] !== undefined && brazil[3] !== undefined)
    return brazil[2] === '9' ? `+55${brazil[1]}${brazil[3]}` : `+55${brazil[1]}9${brazil[3]}`;
  const argentina = /^\+54(9?)(\d{10})$/.exec(e164);
  if (argentina?.[2] !== undefined) return argentina[1] === '9' ? `+54${argentina[2]}` : `+549${argentina[2]}`;
  return null;
}

/** True when two E.164 numbers are the same line (equal, or each other's twin). */
export function isSamePhone(a: string, b: string): boolean {
  return a === b || phoneTwin(a) === b;
}

/** Where the number is from (ISO country), for parsing the national forms a person may have typed. */
export function countryOf(e164: string): CountryCode | undefined {
  return parseLoosely(e164)?.country;
}

/**
 * The strings to search Pipedrive with, most likely first: E.164, its digits, the international
 * and national formats, the national digits; then the same for the twin. Pipedrive's phone search
 * either compares digits or matches stored text (pipedrive-platform.md §4.2: unconfirmed), so the
 * formatted forms catch numbers people typed with spaces and dashes.
 */
export function equivalentPhoneForms(e164: string): string[] {
  const twin = phoneTwin(e164);
  const forms = [...formsOf(e164), ...(twin === null ? [] : formsOf(twin))];
  return [...new Set(forms.filter((form) => form.trim() !== ''))];
}

/**
 * What to search Pipedrive's phone field with. Searches are substring searches verified locally,
 * so a digit form inside another (the national number inside the E.164 digits) already finds
 * both; formatted forms follow for a search that compares stored text as typed; last, the final
 * 4 and 3 digits, which sit unbroken in most ways people write a number (`+34 600 111 222`,
 * `(415) 555-0101`) when Pipedrive compares text literally.
 */
export function phoneSearchTerms(e164: string): string[] {
  const forms = equivalentPhoneForms(e164);
  const digitForms = forms.filter((form) => /^\d+$/.test(form));
  const minimal = digitForms.filter((form) => !digitForms.some((other) => other !== form && form.includes(other)));
  const formatted = forms.filter((form) => /\D/.test(form.replace(/^\+/, '')));
  const trailing = [e164.slice(-4), e164.slice(-3)];
  return [...new Set([...minimal, ...formatted, ...trailing])];
}

function formsOf(e164: string): string[] {
  const parsed = parseLoosely(e164);
  if (parsed === undefined) return [e164, e164.slice(1)];
  const international = parsed.formatInternational();
  // `+54 9 11 1234-5678`: the same with the local dash libphonenumber leaves out.
  const withDash = international.replace(/ (\d{4,5}) (\d{4})$/, ' $1-$2');
  // National forms only for numbers libphonenumber knows: for unknown ranges they do not read back.
  const national = parsed.isValid() ? [parsed.formatNational(), parsed.nationalNumber] : [];
  return [e164, e164.slice(1), international, withDash, ...national];
}

/** Brazil's 8-digit mobiles gain their ninth digit (Mexico's `1` is dropped while parsing). */
function canonical(e164: string): string {
  if (/^\+55\d{2}[6-9]\d{7}$/.test(e164)) return phoneTwin(e164) ?? e164;
  return e164;
}

/**
 * Parses `+…` and `00…` as international, bare digits as international unless a default country
 * makes them a valid national number. Accepts possible numbers (right length) even when
 * libphonenumber does not know the range yet, because new ranges reach WhatsApp first.
 */
function parseLoosely(input: string, defaultCountry?: CountryCode): PhoneNumber | undefined {
  const trimmed = input.trim();
  const international = trimmed.startsWith('+') || trimmed.startsWith('00');
  const digits = withoutMexicanMobileOne(
    trimmed.replace(/\D/g, '').replace(international && trimmed.startsWith('00') ? /^00/ : /^$/, ''),
  );
  if (digits.length < 4 || digits.length > 17) return undefined;
  const attempts: (() => PhoneNumber | undefined)[] = international
    ? [() => parse(`+${digits}`)]
    : [() => (defaultCountry === undefined ? undefined : parse(trimmed, defaultCountry)), () => parse(`+${digits}`)];
  let possible: PhoneNumber | undefined;
  for (const attempt of attempts) {
    const parsed = attempt();
    if (parsed === undefined) continue;
    if (parsed.isValid()) return parsed;
    possible ??= parsed.isPossible() ? parsed : undefined;
  }
  return possible;
}

/** `521` + 10 digits is not a possible number any more; read it as the `52` + 10 digits it dials. */
function withoutMexicanMobileOne(digits: string): string {
  return /^521\d{10}$/.test(digits) ? `52${digits.slice(3)}` : digits;
}

function parse(text: string, defaultCountry?: CountryCode): PhoneNumber | undefined {
  try {
    return parsePhoneNumberFromString(text, defaultCountry);
  } catch {
    return undefined;
  }
}
