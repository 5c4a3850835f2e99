/**
 * The console's sign-in state. The API key lives in this tab's sessionStorage only (never
 * localStorage, never a cookie): closing the tab signs out, and no other tab or site sees it.
 */
const KEY = 'gatehouse.apiKey';
const TENANT = 'gatehouse.tenantId';

export const session = {
  apiKey: (): string | null => sessionStorage.getItem(KEY),
  tenantId: (): string | null => sessionStorage.getItem(TENANT),
  signIn(apiKey: string): void {
    sessionStorage.setItem(KEY, apiKey);
  },
  chooseTenant(tenantId: string | null): void {
    if (tenantId) sessionStorage.setItem(TENANT, tenantId);
    else sessionStorage.removeItem(TENANT);
  },
  signOut(): void {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(TENANT);
  },
};
