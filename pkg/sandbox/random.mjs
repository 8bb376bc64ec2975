// Random identifiers for the stand-ins (node:crypto).
import crypto from 'node:crypto';

export const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` random characters from `alphabet`. */
export function randomText(length, alphabet = BASE62) {
  return Array.from(crypto.randomBytes(length), (b) => alphabet[b % alphabet.length]).join('');
}

/** `length` random decimal digits. */
export const randomDigits = (length) => randomText(length, '0123456789');
