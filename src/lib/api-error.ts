/**
 * Domain errors of the configuration and login services behind the FusionAuth-compatible `/api`
 * endpoints: a list of field errors (`{field, code, message}`) and a list of general errors, with
 * codes in FusionAuth's form (`[blank]application.name`, `[duplicate]tenant.slug`). Codes are
 * stable and never reused for another meaning. `status` says what kind of refusal it is (400
 * invalid, 401 not allowed, 404 unknown); `detail` is private (logs only). The wire JSON
 * (`{fieldErrors, generalErrors}`) is built at the HTTP edge only (`src/http/api-error-body.ts`).
 */
export interface ErrorMessage {
  code: string;
  message: string;
  data?: Record<string, unknown>;
}

/** What is wrong with one field of an input; `field` is its path (`application.roles[0].name`). */
export interface FieldError {
  field: string;
  code: string;
  message: string;
}

/** The kinds of field errors; the code is `[kind]field`. */
export type FieldErrorKind = 'blank' | 'invalid' | 'duplicate' | 'missing' | 'notAllowed' | 'addressNotAllowed' | 'notSupported' | 'tooLong' | 'expired' | 'mismatch' | 'notFound' | 'repeated';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly fieldErrors: readonly FieldError[] = [],
    readonly generalErrors: readonly ErrorMessage[] = [],
    readonly detail?: string,
  ) {
    super(generalErrors[0]?.message ?? fieldErrors[0]?.message ?? `status ${status}`);
    this.name = 'ApiError';
  }

  /** One field error, code `[kind]field`. */
  static field(status: number, field: string, kind: FieldErrorKind, message: string): ApiError {
    return new ApiError(status, [{ field, code: `[${kind}]${field}`, message }]);
  }

  static general(status: number, code: string, message: string, data?: Record<string, unknown>): ApiError {
    return new ApiError(status, [], [{ code, message, ...(data ? { data } : {}) }]);
  }

  static notFound(): ApiError {
    return new ApiError(404);
  }
}

/** Collects field errors while validating an input, then throws them together as a 400. */
export class FieldErrors {
  private readonly errors: FieldError[] = [];

  add(field: string, kind: FieldErrorKind, message: string): void {
    this.errors.push({ field, code: `[${kind}]${field}`, message });
  }

  /** The collected errors by field. */
  get all(): Readonly<Record<string, ErrorMessage[]>> {
    const byField: Record<string, ErrorMessage[]> = {};
    for (const { field, code, message } of this.errors) (byField[field] ??= []).push({ code, message });
    return byField;
  }

  get empty(): boolean {
    return this.errors.length === 0;
  }

  throwIfAny(): void {
    if (!this.empty) throw new ApiError(400, [...this.errors]);
  }
}
