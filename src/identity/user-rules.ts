import { FieldErrors } from '../lib/api-error.js';
import { isUuid } from '../lib/ids.js';
import type { Registration, User } from '../store/records.js';

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A user's free profile fields (FusionAuth user object): strings the API, claim maps and lambdas may set. */
export const PROFILE_FIELDS = ['firstName', 'middleName', 'lastName', 'fullName', 'birthDate', 'imageUrl', 'mobilePhone', 'timezone'] as const;

/** Format checks of a user's fields (id, email, birth date), shared by the admin API and the login pipeline. */
export function userFieldErrors(user: User): FieldErrors {
  const errors = new FieldErrors();
  if (!isUuid(user.id)) errors.add('user.id', 'invalid', 'The user id must be a UUID.');
  if (user.email && !EMAIL_PATTERN.test(user.email)) errors.add('user.email', 'invalid', 'The email address is not valid.');
  if (user.birthDate && !/^\d{4}-\d{2}-\d{2}$/.test(user.birthDate)) errors.add('user.birthDate', 'invalid', 'Use YYYY-MM-DD.');
  return errors;
}

/** A user as the API returns it: with its registrations (FusionAuth `user.registrations[]`). */
export type UserView = User & { registrations: Registration[] };
