/**
 * `application/x-www-form-urlencoded` bodies as a Map. RFC 6749 §3.2: request parameters MUST
 * NOT be included more than once, so a repeated name is an error, never "last one wins".
 * Parameters sent without a value are treated as omitted (§3.1).
 */
export class FormBodyError extends Error {
  readonly statusCode = 400;
  constructor(
    readonly code: 'GH_FORM_DUPLICATE_PARAMETER' | 'GH_FORM_MALFORMED',
    message: string,
  ) {
    super(message);
    this.name = 'FormBodyError';
  }
}

const MALFORMED_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

export function parseFormBody(body: string): Map<string, string> {
  if (/[^\x20-\x7e]/.test(body)) throw new FormBodyError('GH_FORM_MALFORMED', 'The form body must be URL-encoded ASCII.');
  // URLSearchParams keeps a malformed escape as text and turns bytes that are not UTF-8 into
  // U+FFFD; the body is ASCII, so either is a malformed form, never data.
  if (MALFORMED_ESCAPE.test(body)) throw new FormBodyError('GH_FORM_MALFORMED', 'The form body is not valid URL encoding.');
  const result = new Map<string, string>();
  const seen = new Set<string>();
  for (const [name, value] of new URLSearchParams(body)) {
    if (name.includes('\uFFFD') || value.includes('\uFFFD')) throw new FormBodyError('GH_FORM_MALFORMED', 'The form body is not valid UTF-8.');
    if (seen.has(name)) throw new FormBodyError('GH_FORM_DUPLICATE_PARAMETER', `Parameter ${name.slice(0, 64)} is included more than once.`);
    seen.add(name);
    if (value !== '') result.set(name, value);
  }
  return result;
}
