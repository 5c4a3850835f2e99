/** The label value that stands for every value past a label's bound. */
export const OTHER = 'other';

/** Code-like values: letters, digits and `_ . : - [ ]`, at most 64 characters (an e-mail address or a URL is not one). */
export const CODE_LIKE = /^[A-Za-z0-9_.:[\]-]{1,64}$/;

/**
 * A label whose values are not a closed enum in the code (route templates, grant types, a
 * lambda's own reject codes): the first `max` distinct values of the expected form are kept,
 * every later or malformed value is `other`. This bounds the metric's series for good,
 * whatever a client sends or a lambda author writes.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(
    private readonly max: number,
    private readonly form: RegExp = CODE_LIKE,
  ) {}

  value(raw: string): string {
    if (this.seen.has(raw)) return raw;
    if (this.seen.size >= this.max || !this.form.test(raw)) return OTHER;
    this.seen.add(raw);
    return raw;
  }
}
