import type { Application, ClientAuthenticationMethod } from '../../store/records.js';

export interface AuthenticatedClient {
  application: Application;
  method: ClientAuthenticationMethod;
}

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
