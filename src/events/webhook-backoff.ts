/** Longest wait between two attempts, whatever the base. */
export const BACKOFF_CAP_MS = 3_600_000;

/**
 * The wait before attempt `failedAttempts + 1`: exponential (`base · 2^(n-1)`), capped, with
 * "equal jitter" (half fixed, half random) so receivers that come back are not hit by every
 * node's retries at the same instant.
 */
export function backoffDelayMs(failedAttempts: number, baseMs: number, random: () => number = Math.random, capMs = BACKOFF_CAP_MS): number {
  const exponential = Math.min(capMs, baseMs * 2 ** Math.min(Math.max(failedAttempts - 1, 0), 40));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}
