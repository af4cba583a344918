/** Random identifiers shaped like the ones AWS hands out, so the relay's parsing sees real formats. */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

function randomChars(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

export const requestId = (): string => randomUUID();

/** Role unique id, e.g. AROA3XFRBF23EXAMPLE1 */
export const roleId = (): string => `AROA${randomChars(UPPER_ALNUM, 17)}`;

/** Temporary credentials from STS start with ASIA. */
export const temporaryAccessKeyId = (): string => `ASIA${randomChars(UPPER_ALNUM, 16)}`;

export const secretAccessKey = (): string => randomBytes(30).toString('base64');

/** Real session tokens are long opaque base64 blobs; this one starts the way theirs do. */
export const sessionToken = (): string => `IQoJb3JpZ2luX2Vj${randomBytes(240).toString('base64')}`;

/** The TXT record value of `_amazonses.<domain>`: 32 random bytes, base64. */
export const verificationToken = (): string => randomBytes(32).toString('base64');

/** One Easy DKIM token: the `<token>._domainkey.<domain>` CNAME label. */
export const dkimToken = (): string => randomChars(LOWER_ALNUM, 32);

/** SES message ids: 0102 + the send time in ms as 12 hex digits, a UUID, and a -000000 suffix. */
export const messageId = (sentAtMs: number): string =>
  `0102${sentAtMs.toString(16).padStart(12, '0')}-${randomUUID()}-000000`;
