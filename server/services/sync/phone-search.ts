import type { FoundPerson, IdentityRecords } from './identity-records.ts';
import { countryOf, isSamePhone, normalizePhone, phoneSearchTerms, phoneTwin } from './phone-numbers.ts';

/** Persons among `found` who really have this number (the search is a substring search). */
export function holdersOf(found: FoundPerson[], e164: string): FoundPerson[] {
  const country = countryOf(e164);
  const twin = phoneTwin(e164);
  const holders = new Map<number, FoundPerson>();
  for (const person of found) {
    const matches = person.phones.some((phone) => {
      const number = normalizePhone(phone, country);
      return number !== null && (isSamePhone(number, e164) || (twin !== null && isSamePhone(number, twin)));
    });
    if (matches) holders.set(person.id, person);
  }
  return [...holders.values()];
}

/**
 * Every person holding the number: all search terms are tried (a first hit may not be the only
 * holder, and Pipedrive may compare digits or stored text), each result verified by its phones.
 */
export async function searchByPhone(records: IdentityRecords, e164: string): Promise<FoundPerson[]> {
  const holders = new Map<number, FoundPerson>();
  for (const term of phoneSearchTerms(e164))
    for (const person of holdersOf(await records.searchPersonsByPhone(term), e164)) holders.set(person.id, person);
  return [...holders.values()];
}
