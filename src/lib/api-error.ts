/**
 * Errors of the FusionAuth-compatible `/api` endpoints: `{ fieldErrors, generalErrors }` with
 * codes in FusionAuth's form (`[blank]application.name`, `[duplicate]tenant.slug`). Codes are
 * stable and never reused for another meaning. `detail` is private (logs only).
 */
export interface ErrorMessage {
  code: string;
  message: string;
  data?: Record<string, unknown>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly fieldErrors: Record<string, ErrorMessage[]> = {},
    readonly generalErrors: ErrorMessage[] = [],
    readonly detail?: string,
  ) {
    super(generalErrors[0]?.message ?? Object.values(fieldErrors)[0]?.[0]?.message ?? `status ${status}`);
    this.name = 'ApiError';
  }

  static general(status: number, code: string, message: string, data?: Record<string, unknown>): ApiError {
    return new ApiError(status, {}, [{ code, message, ...(data ? { data } : {}) }]);
  }

  static notFound(): ApiError {
    return new ApiError(404);
  }

  body(): { fieldErrors?: Record<string, ErrorMessage[]>; generalErrors?: ErrorMessage[] } | undefined {
    const hasField = Object.keys(this.fieldErrors).length > 0;
    const hasGeneral = this.generalErrors.length > 0;
    if (!hasField && !hasGeneral) return undefined;
    return { ...(hasField ? { fieldErrors: this.fieldErrors } : {}), ...(hasGeneral ? { generalErrors: this.generalErrors } : {}) };
  }
}

/** Collects field errors while validating a request body, then throws them together as a 400. */
export class FieldErrors {
  private readonly errors: Record<string, ErrorMessage[]> = {};

  add(field: string, kind: 'blank' | 'invalid' | 'duplicate' | 'missing' | 'notAllowed' | 'addressNotAllowed' | 'notSupported' | 'tooLong' | 'expired' | 'mismatch' | 'notFound', message: string): void {
    (this.errors[field] ??= []).push({ code: `[${kind}]${field}`, message });
  }

  /** The collected errors by field. */
  get all(): Readonly<Record<string, ErrorMessage[]>> {
    return this.errors;
  }

  get empty(): boolean {
    return Object.keys(this.errors).length === 0;
  }

  throwIfAny(): void {
    if (!this.empty) throw new ApiError(400, this.errors);
  }
}
