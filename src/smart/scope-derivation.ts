import type { CrudOperation, SmartRole } from '../store/records.js';

/**
 * Scopes of a Koppeltaal role, exactly as the reference authorization service writes them
 * (Koppeltaal 2.0 RI `ScopeService.get_scopes`, TOP-KT-005c):
 * - letters in the order c r u d, then `s` whenever READ is granted (search comes with read);
 * - ALL → `system/<Type>.<letters>`; OWN → `…?resource-origin=Device/<own device>`;
 *   GRANTED → `…?resource-origin=Device/<a>,Device/<b>`, left out when it grants nobody;
 * - ALL and OWN permissions of one type merge; each GRANTED permission stands alone;
 * - order of first appearance in the role.
 */
export function deriveScopes(role: SmartRole, ownDeviceId: string, deviceIdOf: (applicationId: string) => string | undefined): string[] {
  const groups = new Map<string, { resourceType: string; operations: Set<CrudOperation>; origins: string | null }>();
  role.permissions.forEach((permission, index) => {
    let key: string;
    let origins: string | null;
    if (permission.origin === 'granted') {
      key = `${permission.resourceType}\u0000granted\u0000${index}`;
      const devices = permission.grantedApplicationIds.map(deviceIdOf).filter((id): id is string => id !== undefined);
      origins = devices.map((id) => `Device/${id}`).join(',');
    } else {
      key = `${permission.resourceType}\u0000${permission.origin}`;
      origins = permission.origin === 'own' ? `Device/${ownDeviceId}` : null;
    }
    const group = groups.get(key) ?? { resourceType: permission.resourceType, operations: new Set<CrudOperation>(), origins };
    for (const operation of permission.operations) group.operations.add(operation);
    groups.set(key, group);
  });
  const scopes: string[] = [];
  for (const { resourceType, operations, origins } of groups.values()) {
    if (origins === '') continue;
    let letters = '';
    if (operations.has('create')) letters += 'c';
    if (operations.has('read')) letters += 'r';
    if (operations.has('update')) letters += 'u';
    if (operations.has('delete')) letters += 'd';
    if (operations.has('read')) letters += 's';
    scopes.push(`system/${resourceType}${letters ? `.${letters}` : ''}${origins ? `?resource-origin=${origins}` : ''}`);
  }
  return scopes;
}
