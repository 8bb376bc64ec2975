// Public API of the aggpay npm package. Every entry point (Node, workerd/edge, browser) exports
// exactly these names.

/** Bytes in: a string is taken as its UTF-8 bytes. */
export type BytesInput = string | Uint8Array | ArrayBuffer;

/** Where RSA runs: `node` = node:crypto (OpenSSL, Node only), `wasm` = in WebAssembly, `auto` = node when available. */
export type Engine = 'auto' | 'node' | 'wasm';

export type HashName = 'sha256' | 'sha1';

export interface KeyOptions {
  /** Default `auto`. */
  engine?: Engine;
  /** Names the key in error messages, e.g. `"app private key"`. */
  role?: string;
}

/** Stable error codes. */
export type AggpayErrorCode =
  | 'ERR_KEY_INVALID'
  | 'ERR_CERT_INVALID'
  | 'ERR_SIGNATURE_INVALID'
  | 'ERR_BAD_INPUT'
  | 'ERR_DECRYPT_FAILED'
  | 'ERR_ENGINE'
  | (string & {});

/** Every error aggpay throws. Messages never contain key material. */
export class AggpayError extends Error {
  constructor(message: string, details?: Partial<Pick<AggpayError, 'code' | 'provider' | 'providerCode' | 'providerMessage' | 'subCode' | 'subMessage'>>);
  readonly name: 'AggpayError';
  readonly code: AggpayErrorCode;
  /** `alipay`, `wechat` or `useepay` when the error concerns one provider. */
  readonly provider?: string;
  /** The provider's own code (Alipay `code`, WeChat `errcode`, UseePay `errorCode`). */
  readonly providerCode?: string;
  readonly providerMessage?: string;
  /** Alipay `sub_code`. */
  readonly subCode?: string;
  readonly subMessage?: string;
}

/** RSASSA-PKCS1-v1_5 signing with a private key parsed once (PKCS#8 or PKCS#1, PEM or bare base64 DER). */
export class RsaSigner {
  constructor(privateKey: string, options?: KeyOptions);
  /** Signature over `message`; `hash` defaults to `sha256`. */
  sign(message: BytesInput, hash?: HashName): Uint8Array;
  /** RSAES-OAEP (SHA-1, MGF1-SHA-1) decryption. */
  decryptOaep(ciphertext: BytesInput): Uint8Array;
  /** SPKI DER of the matching public key. */
  publicKeySpki(): Uint8Array;
  readonly bits: number;
  readonly engine: 'node' | 'wasm';
  free(): void;
}

/** RSASSA-PKCS1-v1_5 verification with a public key (SPKI, PKCS#1) or a certificate's key. */
export class RsaVerifier {
  constructor(publicKeyOrCertificate: string, options?: KeyOptions);
  /** `true` when valid, `false` when not; malformed arguments throw `AggpayError`. */
  verify(message: BytesInput, signature: BytesInput, hash?: HashName): boolean;
  /** RSAES-OAEP (SHA-1, MGF1-SHA-1) encryption. */
  encryptOaep(plaintext: BytesInput): Uint8Array;
  /** RSAES-PKCS1-v1_5 encryption. */
  encryptPkcs1v15(plaintext: BytesInput): Uint8Array;
  readonly bits: number;
  readonly engine: 'node' | 'wasm';
  free(): void;
}

/** Public facts of an X.509 certificate. */
export class Certificate {
  private constructor();
  /** Exactly one certificate (PEM or bare base64 DER). */
  static parse(text: string): Certificate;
  /** Every certificate in the text, in file order. */
  static parseChain(text: string): Certificate[];
  /** Serial number in base 10. */
  readonly serialDecimal: string;
  /** Serial number in upper-case hex, no leading zero bytes. */
  readonly serialHex: string;
  /** RFC 2253 (Java `X500Principal.getName()`): `CN=…,OU=…,O=…,C=…`. */
  readonly issuer: string;
  readonly subject: string;
  /** Unix seconds. */
  readonly notBefore: number;
  /** Unix seconds. */
  readonly notAfter: number;
  /** Dotted OID, e.g. `1.2.840.113549.1.1.11` (sha256WithRSAEncryption). */
  readonly signatureAlgorithm: string;
  /** Dotted OID, e.g. `1.2.840.113549.1.1.1` (RSA). */
  readonly publicKeyAlgorithm: string;
  readonly der: Uint8Array;
  free(): void;
}

/** Low-level primitives (the provider clients use them internally). */
export const primitives: Readonly<{
  md5(data: BytesInput): Uint8Array;
  sha256(data: BytesInput): Uint8Array;
  hmacSha256(key: BytesInput, data: BytesInput): Uint8Array;
  timingSafeEqual(a: BytesInput, b: BytesInput): boolean;
  /** AES-128/256-GCM; the 16-byte tag is appended to the ciphertext. */
  aesGcmDecrypt(key: BytesInput, nonce: BytesInput, associatedData: BytesInput, ciphertextAndTag: BytesInput): Uint8Array;
  /** AES-128-CBC, PKCS#7. */
  aesCbcEncrypt(key: BytesInput, iv: BytesInput, plaintext: BytesInput): Uint8Array;
  aesCbcDecrypt(key: BytesInput, iv: BytesInput, ciphertext: BytesInput): Uint8Array;
  /** AES-256-ECB, PKCS#7 (decrypt only). */
  aesEcbDecrypt(key: BytesInput, ciphertext: BytesInput): Uint8Array;
}>;
