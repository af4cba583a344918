import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** API keys are stored and looked up only as their SHA-512 hex digest. */
export const sha512Hex = (value: string): string => createHash('sha512').update(value, 'utf8').digest('hex');
export const sha256Hex = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

/** Constant-time string equality (lengths are not secret here: both sides are fixed-size digests). */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** 24 bytes from the CSPRNG → 48 lowercase hex characters (192 bits). */
export const newExternalId = (): string => randomBytes(24).toString('hex');

/** A stack registration token: 32 bytes from the CSPRNG, base64url (43 characters). */
export const newRegistrationToken = (): string => randomBytes(32).toString('base64url');
