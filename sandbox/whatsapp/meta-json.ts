/**
 * JSON the way Meta writes it: every non-ASCII character escaped as \uXXXX (emoji as a surrogate
 * pair) and '/' as '\/'. Meta signs these exact bytes, so a receiver that verifies
 * X-Hub-Signature-256 over re-serialized JSON fails on the first "ä" or emoji (reliability.md §1.5,
 * B4). The escaping of '/' is the PHP-style default Meta's payloads show for URLs.
 */
export function encodeMetaJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\//g, '\\/');
}
