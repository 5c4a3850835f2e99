/** The records of SMART / Koppeltaal roles: what an application may do with which FHIR resources. */

export type CrudOperation = 'create' | 'read' | 'update' | 'delete';
export type PermissionOrigin = 'all' | 'own' | 'granted';

/** Koppeltaal permission: what a role may do with one resource type (or `*`), from which origins. */
export interface SmartPermission {
  resourceType: string;
  operations: CrudOperation[];
  origin: PermissionOrigin;
  /** For `granted`: the applications whose resources are covered. */
  grantedApplicationIds: string[];
}

/** Gatehouse: a role of a SMART tenant (Koppeltaal domain); each application has at most one. */
export interface SmartRole {
  id: string;
  tenantId: string;
  name: string;
  permissions: SmartPermission[];
  insertInstant: number;
  lastUpdateInstant: number;
}
