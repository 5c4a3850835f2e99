import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OnboardingFieldError, parseOnboardingFields, validateOnboardingInput } from '../../../src/login/onboarding-fields.js';
import type { OnboardingField } from '../../../src/login/onboarding-fields.js';

describe('onboarding fields a lambda describes', () => {
  it('takes plain names as required text fields and descriptions with their type, label and required', () => {
    assert.deepEqual(parseOnboardingFields(['email', { name: 'birthDate', label: 'Geboortedatum', type: 'date', required: false }, { name: 'terms', type: 'checkbox' }]), [
      { name: 'email', type: 'text', required: true },
      { name: 'birthDate', label: 'Geboortedatum', type: 'date', required: false },
      { name: 'terms', type: 'checkbox', required: true },
    ]);
  });

  it('refuses descriptions it cannot show, naming the entry', () => {
    const refused: [unknown, RegExp][] = [
      [{ label: 'no name' }, /missing\[0\]\.name/],
      [{ name: '1st' }, /missing\[0\]\.name/],
      [{ name: 'a b' }, /missing\[0\]\.name/],
      [{ name: 'x', type: 'password' }, /missing\[0\]\.type/],
      [{ name: 'x', type: 'file' }, /missing\[0\]\.type/],
      [{ name: 'x', label: 'x'.repeat(129) }, /missing\[0\]\.label/],
      [{ name: 'x', label: 'a\u0000b' }, /missing\[0\]\.label/],
      [{ name: 'x', label: '   ' }, /missing\[0\]\.label/],
      [{ name: 'x', required: 'yes' }, /missing\[0\]\.required/],
      [{ name: 'x', type: null }, /missing\[0\]\.type/],
      [{ name: 'x', label: 42 }, /missing\[0\]\.label/],
    ];
    for (const [entry, message] of refused) {
      assert.throws(() => parseOnboardingFields([entry as never]), (error: unknown) => error instanceof OnboardingFieldError && message.test(error.message), JSON.stringify(entry));
    }
    assert.throws(() => parseOnboardingFields(['email', { name: 'email', type: 'email' }]), /listed twice/);
    assert.throws(() => parseOnboardingFields(Array.from({ length: 33 }, (_, i) => `f${i}`)), /at most 32/);
  });

  const fields: OnboardingField[] = [
    { name: 'firstName', type: 'text', required: true },
    { name: 'email', type: 'email', required: true },
    { name: 'birthDate', type: 'date', required: false },
    { name: 'phone', type: 'tel', required: false },
    { name: 'terms', type: 'checkbox', required: true },
    { name: 'news', type: 'checkbox', required: false },
  ];

  it('turns a valid form into the lambda input: trimmed texts, checkboxes as booleans, empty optional fields left out', () => {
    const form = new Map([['firstName', '  Anne '], ['email', 'anne@example.nl'], ['birthDate', '2000-02-29'], ['terms', 'on'], ['extra', 'ignored']]);
    assert.deepEqual(validateOnboardingInput(fields, form), { input: { firstName: 'Anne', email: 'anne@example.nl', birthDate: '2000-02-29', terms: true, news: false } });
  });

  it('names each refused field with a stable problem code', () => {
    const form = new Map([['firstName', ' '], ['email', 'not-an-email'], ['birthDate', '2001-02-29'], ['phone', 'call me']]);
    assert.deepEqual(validateOnboardingInput(fields, form), { problems: { firstName: 'required', email: 'invalidEmail', birthDate: 'invalidDate', phone: 'invalidTel', terms: 'required' } });
    const long = validateOnboardingInput([{ name: 'firstName', type: 'text', required: true }], new Map([['firstName', 'x'.repeat(257)]]));
    assert.deepEqual(long, { problems: { firstName: 'tooLong' } });
    const nul = validateOnboardingInput([{ name: 'firstName', type: 'text', required: true }], new Map([['firstName', 'An\u0000ne']]));
    assert.deepEqual(nul, { problems: { firstName: 'invalidText' } });
  });
});
