/** oidc-provider ships no type declarations: the little the tests use of it, loosely typed. */
declare module 'oidc-provider' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const Provider: any;
  export default Provider;
}
