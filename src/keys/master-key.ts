import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Encryption at rest for private keys and secrets: AES-256-GCM under a 32-byte master key.
 * Ciphertext format: `v1.<iv>.<tag>.<ciphertext>` (base64url parts).
 */
export class MasterKey {
  private constructor(private readonly key: Buffer) {}

  static fromBase64url(value: string): MasterKey {
    const key = Buffer.from(value, 'base64url');
    if (key.length !== 32) throw new Error('master key must be 32 bytes');
    return new MasterKey(key);
  }

  /** Reads `{dataDir}/master.key`, creating it (mode 0600) on first start. */
  static loadOrCreate(dataDir: string): MasterKey {
    const file = join(dataDir, 'master.key');
    if (existsSync(file)) return MasterKey.fromBase64url(readFileSync(file, 'utf8').trim());
    mkdirSync(dataDir, { recursive: true });
    const value = randomBytes(32).toString('base64url');
    writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
    return MasterKey.fromBase64url(value);
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  /** Throws when the value was not encrypted under this master key. */
  decrypt(value: string): string {
    const [version, iv, tag, ciphertext] = value.split('.');
    if (version !== 'v1' || !iv || !tag || ciphertext === undefined) throw new Error('not a Gatehouse ciphertext');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }
}
