import type { WebhookOutbox } from '../events/webhook-outbox.js';
import { ApiError, FieldErrors } from '../lib/api-error.js';
import { PROFILE_FIELDS, userFieldErrors } from '../identity/user-rules.js';
import type { UserView } from '../identity/user-rules.js';
import type { Clock } from '../lib/clock.js';
import { newId } from '../lib/ids.js';
import type { JsonObject, Registration, User, UserProfile } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { TenantRegistration } from '../store/repositories/registration-repository.js';
import { fieldsOf, optionalObject, optionalString } from './input-values.js';
import { userSearchQuery } from './user-search-input.js';
import type { UserSearchInput } from './user-search-input.js';

export type { UserView } from '../identity/user-rules.js';
export type { UserSearchInput } from './user-search-input.js';

/** What a user is created or replaced from (FusionAuth's user object; unknown fields are ignored). */
export interface UserInput extends UserProfile {
  id?: string;
  /** Refused: there is no password login. */
  password?: unknown;
  active?: boolean;
  verified?: boolean;
  data?: JsonObject;
}

/** A registration of a user for an application. */
export interface RegistrationInput {
  applicationId?: string;
  roles?: string[];
  username?: string;
  verified?: boolean;
  data?: JsonObject;
}


/**
 * Users and registrations (FusionAuth `/api/user`, `/api/user/registration`). Gatehouse has no
 * password login: a `password` in a request is refused rather than silently dropped.
 */
export class UserService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    /** The webhook outbox: events are written in the transaction of their change. */
    private readonly webhooks?: WebhookOutbox,
  ) {}

  async get(tenantId: string, id: string): Promise<UserView> {
    const user = await this.store.users.findById(id);
    if (!user || user.tenantId !== tenantId) throw ApiError.notFound();
    return this.view(this.store, user);
  }

  async findByLogin(tenantId: string, query: { email?: string; username?: string }): Promise<UserView> {
    const user = query.email
      ? await this.store.users.findByEmail(tenantId, query.email)
      : query.username
        ? await this.store.users.findByUsername(tenantId, query.username)
        : undefined;
    if (!user) throw ApiError.notFound();
    return this.view(this.store, user);
  }

  /** FusionAuth `POST|GET /api/user/search`: the page of matching users (with registrations) and the total. */
  async search(tenantId: string, input: UserSearchInput): Promise<{ users: UserView[]; total: number }> {
    const { users, total } = await this.store.users.search(userSearchQuery(tenantId, input));
    return { users: await Promise.all(users.map((user) => this.view(this.store, user))), total };
  }

  create(tenantId: string, input: UserInput, id?: string): Promise<UserView> {
    return this.store.transaction(async (store) => {
      const user = await this.insert(store, tenantId, input, id);
      await this.webhooks?.emit(store, [this.webhooks.event('user.create', tenantId, { user })]);
      return user;
    });
  }

  /** Replaces the user's fields (PUT; a PATCH arrives here merged). */
  async update(tenantId: string, id: string, input: UserInput): Promise<UserView> {
    const existing = await this.get(tenantId, id);
    const user = this.build(tenantId, fieldsOf(input), id, existing);
    await this.validate(this.store, user, fieldsOf(input), false);
    return this.store.transaction(async (store) => {
      await store.users.update(user);
      const updated = await this.view(store, user);
      await this.webhooks?.emit(store, [this.webhooks.event('user.update', tenantId, { user: updated, original: existing })]);
      return updated;
    });
  }

  async delete(tenantId: string, id: string): Promise<void> {
    const user = await this.get(tenantId, id);
    await this.store.transaction(async (store) => {
      await store.db.deleteFrom('registrations').where('user_id', '=', id).execute();
      await store.users.delete(id);
      await this.webhooks?.emit(store, [this.webhooks.event('user.delete', tenantId, { user })]);
    });
  }

  /** `POST /api/user/registration[/{userId}]`: registers an existing user, or creates user and registration together. */
  async register(tenantId: string, input: { registration: RegistrationInput; user?: UserInput }, userId?: string): Promise<{ user: UserView; registration: Registration }> {
    const registrationInput = fieldsOf(input.registration);
    return this.store.transaction(async (store) => {
      let user: User | undefined;
      if (userId) {
        user = await store.users.findById(userId);
        if (!user || user.tenantId !== tenantId) throw ApiError.notFound();
      } else {
        if (!input.user) throw ApiError.field(400, 'user', 'missing', 'The request body must hold a [user] object.');
        user = await this.insert(store, tenantId, input.user, undefined);
      }
      const registration = await this.buildRegistration(store, tenantId, user.id, registrationInput);
      if (await store.registrations.find(user.id, registration.applicationId)) {
        throw ApiError.field(400, 'registration.applicationId', 'duplicate', 'The user is already registered for this application.');
      }
      await store.registrations.insert(registration);
      const { tenantId: _t, ...view } = registration;
      const userView = await this.view(store, user);
      const events = [this.webhooks?.event('user.registration.create', tenantId, { user: userView, applicationId: view.applicationId, registration: view })];
      if (!userId) events.unshift(this.webhooks?.event('user.create', tenantId, { user: userView }));
      await this.webhooks?.emit(store, events.filter((e) => e !== undefined));
      return { user: userView, registration: view };
    });
  }

  async getRegistration(tenantId: string, userId: string, applicationId: string): Promise<Registration> {
    const registration = await this.store.registrations.find(userId, applicationId);
    if (!registration || registration.tenantId !== tenantId) throw ApiError.notFound();
    const { tenantId: _t, ...view } = registration;
    return view;
  }

  async updateRegistration(tenantId: string, userId: string, registrationInput: RegistrationInput): Promise<Registration> {
    const input = fieldsOf(registrationInput);
    const existing = await this.store.registrations.find(userId, String(input.applicationId ?? ''));
    if (!existing || existing.tenantId !== tenantId) throw ApiError.notFound();
    const registration = await this.buildRegistration(this.store, tenantId, userId, input, existing);
    await this.store.registrations.update(registration);
    const { tenantId: _t, ...view } = registration;
    return view;
  }

  async deleteRegistration(tenantId: string, userId: string, applicationId: string): Promise<void> {
    const existing = await this.store.registrations.find(userId, applicationId);
    if (!existing || existing.tenantId !== tenantId) throw ApiError.notFound();
    await this.store.registrations.delete(existing.id);
  }

  /** Validates and inserts a new user through `store` (the root store, or the caller's transaction). */
  private async insert(store: Store, tenantId: string, userInput: UserInput, id: string | undefined): Promise<UserView> {
    const input = fieldsOf(userInput);
    const user = this.build(tenantId, input, id ?? optionalString(input.id) ?? newId());
    await this.validate(store, user, input, true);
    await store.users.insert(user);
    return { ...user, registrations: [] };
  }

  private async view(store: Store, user: User): Promise<UserView> {
    const registrations = await store.registrations.listByUser(user.id);
    return { ...user, registrations: registrations.map(({ tenantId: _t, ...r }) => r) };
  }

  private build(tenantId: string, input: JsonObject, id: string, existing?: User): User {
    const now = this.clock.now();
    const user: User = {
      id,
      tenantId,
      ...(optionalString(input.email) ? { email: (input.email as string).trim() } : {}),
      ...(optionalString(input.username) ? { username: (input.username as string).trim() } : {}),
      data: optionalObject(input.data),
      active: input.active !== false,
      verified: input.verified === true,
      insertInstant: existing?.insertInstant ?? now,
      lastUpdateInstant: now,
      ...(existing?.lastLoginInstant ? { lastLoginInstant: existing.lastLoginInstant } : {}),
    };
    for (const field of PROFILE_FIELDS) if (typeof input[field] === 'string') user[field] = input[field] as string;
    if (Array.isArray(input.preferredLanguages)) user.preferredLanguages = input.preferredLanguages.filter((l): l is string => typeof l === 'string');
    return user;
  }

  private async validate(store: Store, user: User, input: JsonObject, creating: boolean): Promise<void> {
    const errors = userFieldErrors(user);
    if ('password' in input) errors.add('user.password', 'notSupported', 'Gatehouse has no password login; users authenticate through identity providers.');
    if (!user.email && !user.username) errors.add('user.email', 'blank', 'You must specify either the [user.email] or [user.username] property.');
    errors.throwIfAny();
    if (creating && (await store.users.findById(user.id))) errors.add('user.id', 'duplicate', 'A user with this id exists.');
    if (user.email) {
      const same = await store.users.findByEmail(user.tenantId, user.email);
      if (same && same.id !== user.id) errors.add('user.email', 'duplicate', 'A user with this email exists.');
    }
    if (user.username) {
      const same = await store.users.findByUsername(user.tenantId, user.username);
      if (same && same.id !== user.id) errors.add('user.username', 'duplicate', 'A user with this username exists.');
    }
    errors.throwIfAny();
  }

  private async buildRegistration(store: Store, tenantId: string, userId: string, input: JsonObject, existing?: TenantRegistration): Promise<TenantRegistration> {
    const errors = new FieldErrors();
    const applicationId = optionalString(input.applicationId);
    const application = applicationId ? await store.applications.findById(applicationId) : undefined;
    if (!application || application.tenantId !== tenantId) {
      errors.add('registration.applicationId', applicationId ? 'invalid' : 'blank', 'The registration needs the id of an application of this tenant.');
      errors.throwIfAny();
    }
    const known = new Set(application!.roles.map((r) => r.name));
    const roles = Array.isArray(input.roles) ? input.roles.filter((r): r is string => typeof r === 'string') : application!.roles.filter((r) => r.isDefault).map((r) => r.name);
    for (const role of roles) if (!known.has(role)) errors.add('registration.roles', 'invalid', `The application has no role ${role}.`);
    errors.throwIfAny();
    const now = this.clock.now();
    return {
      id: existing?.id ?? newId(),
      tenantId,
      userId,
      applicationId: application!.id,
      roles: [...new Set(roles)],
      ...(optionalString(input.username) ? { username: input.username as string } : {}),
      data: optionalObject(input.data),
      verified: input.verified === true,
      insertInstant: existing?.insertInstant ?? now,
      lastUpdateInstant: now,
    };
  }
}
