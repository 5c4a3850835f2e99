// README walk-through: check a Gatehouse token the way a FHIR service would.
//   node examples/guard-check.mjs "$TOKEN"
import { createResourceGuard } from '../dist/src/smart/resource-guard.js'; // `gatehouse/guard` when installed as a package

const guard = createResourceGuard({
  smartConfigurationUrl: 'http://localhost:9011/t/domeinzorgafnemer/fhir/.well-known/smart-configuration',
  audience: 'fhir-server',
  allowHttp: true,
});
const principal = await guard.authenticate(`Bearer ${process.argv[2]}`);
console.log('client', principal.clientId, 'scopes', principal.scope);
for (const request of [
  { resourceType: 'Patient', interaction: 'search' },
  { resourceType: 'Task', interaction: 'search' },
  { resourceType: 'Task', interaction: 'update', resourceOrigin: 'Device/module-a' },
  { resourceType: 'Task', interaction: 'update', resourceOrigin: 'Device/portal-b' },
]) {
  console.log(JSON.stringify(request), '→', JSON.stringify(guard.authorize(principal, request)));
}
