import type { KeyObject } from 'node:crypto';
import { createPublicKey } from 'node:crypto';
import type { Clock } from '../lib/clock.js';
import type { Store } from '../store/store.js';

/** How long the set of Gatehouse's own keys is trusted before it is read again. */
const OWN_KEYS_TTL_MS = 5_000;

const spkiOf = new WeakMap<KeyObject, string>();

function spki(key: KeyObject): string {
  let der = spkiOf.get(key);
  if (der === undefined) {
    der = key.export({ type: 'spki', format: 'der' }).toString('base64');
    spkiOf.set(key, der);
  }
  return der;
}

/**
 * The public halves of every key Gatehouse holds a private part of (its tenants' signing keys,
 * current and retired, and any imported key pair). A token verified with one of them could be
 * Gatehouse's own — the FusionAuth #2585 class of confusion — so an identity provider may never
 * verify with them, whether it lists such a key or its JWKS URL serves one.
 */
export class OwnSigningKeys {
  private cached: { keys: Set<string>; until: number } | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async includes(key: KeyObject): Promise<boolean> {
    if (key.type !== 'public') return false;
    return (await this.current()).has(spki(key));
  }

  /** Drops the cached set (after a key is generated or imported on this node). */
  clear(): void {
    this.cached = undefined;
  }

  private async current(): Promise<Set<string>> {
    const now = this.clock.now();
    if (this.cached && this.cached.until > now) return this.cached.keys;
    const stored = await this.store.keys.list();
    const keys = new Set(stored.filter((k) => k.hasPrivateKey && k.publicKey).map((k) => spki(createPublicKey(k.publicKey!))));
    this.cached = { keys, until: now + OWN_KEYS_TTL_MS };
    return keys;
  }
}
