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
  | 'ERR_KEY_MISMATCH'
  | 'ERR_RESPONSE_MALFORMED'
  | 'ERR_PROVIDER_BUSINESS'
  | 'ERR_PROVIDER_REJECTED'
  | 'ERR_CERT_SN_MISMATCH'
  | 'ERR_CHARSET'
  | 'ERR_LOGIN_CODE_INVALID'
  | 'ERR_LOGIN_CODE_USED'
  | 'ERR_RATE_LIMITED'
  | 'ERR_PROVIDER_BUSY'
  | 'ERR_USER_HIGH_RISK'
  | 'ERR_WATERMARK_MISMATCH'
  | 'ERR_INPUT_TOO_LARGE'
  | 'ERR_TOO_MANY_FIELDS'
  | 'ERR_TOO_DEEP'
  | 'ERR_KEY_SIZE'
  | (string & {});

/**
 * A client's input limits (`limits` in its config); each is optional, absent means the default.
 * Arguments are measured before they are copied into WebAssembly memory: `ERR_INPUT_TOO_LARGE`.
 */
export interface InputLimits {
  /** Largest notification body, response or return query, in bytes: default 1 MiB, at most 64 MiB. */
  maxInputBytes?: number;
  /** Most fields of one message, or members of one JSON object (`ERR_TOO_MANY_FIELDS`): default 1000. */
  maxFields?: number;
  /** Deepest JSON nesting of a response (`ERR_TOO_DEEP`): default 64, at most 128. */
  maxDepth?: number;
  /** Smallest RSA key accepted, in bits (`ERR_KEY_SIZE`): 1024 to 4096, default 1024. */
  minKeyBits?: number;
  /** Largest RSA key accepted, in bits (`ERR_KEY_SIZE`): 1024 to 4096, default 4096. */
  maxKeyBits?: number;
}

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
  /** SPKI DER of the key. */
  publicKeySpki(): Uint8Array;
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
  /** SubjectPublicKeyInfo DER of the subject key (any algorithm). */
  publicKeySpki(): Uint8Array;
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

/** A request to send as is: `fetch(req.url, req)`. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body: string | null;
}

/** What `send` returns: the raw response, unverified. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends a built request with `fetch` (default `globalThis.fetch`) and a timeout (default 15 s). */
/** The part of `fetch` that `send` uses (so the declarations need neither the DOM lib nor @types/node). */
export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body?: string; signal?: unknown }) => Promise<{
  status: number;
  headers: Iterable<[string, string]>;
  text(): Promise<string>;
}>;

export function send(request: HttpRequest, options?: { fetch?: FetchLike; timeoutMs?: number }): Promise<RawResponse>;

/** Money as integer minor units (fen for CNY) — never a float. `minor` may be a string of digits. */
export interface Money {
  minor: number | string;
  currency: string;
}

/** An amount: `{ minor, currency }`, or a decimal string such as `'0.01'` (yuan). */
export type Amount = Money | string;

export interface AlipayConfig {
  appId: string;
  /** App private key (PKCS#8 or PKCS#1, PEM or bare base64). */
  privateKey: string;
  /** Public-key mode: the Alipay public key (支付宝公钥), not your app's. */
  alipayPublicKey?: string;
  /** Certificate mode: appCertPublicKey_<appid>.crt */
  appCert?: string;
  /** Certificate mode: alipayCertPublicKey_RSA2.crt (the first certificate of a chain is used). */
  alipayCert?: string;
  /** Certificate mode: alipayRootCert.crt */
  alipayRootCert?: string;
  /** Default `RSA2`. */
  signType?: 'RSA2' | 'RSA';
  /** `production` (default), `sandbox`, or a gateway.do URL. */
  gateway?: string;
  /** OpenAPI v3 endpoint; default derived from the gateway. */
  endpoint?: string;
  /** AES key (base64 of 16 bytes) for `encrypt_type=AES`. */
  encryptKey?: string;
  /** Default `notify_url` for every request. */
  notifyUrl?: string;
  engine?: Engine;
  limits?: InputLimits;
}

export interface AlipayRequestOptions {
  notifyUrl?: string;
  returnUrl?: string;
  appAuthToken?: string;
  authToken?: string;
  /** Epoch milliseconds; sent as Beijing time. Default `Date.now()`. */
  timestamp?: number;
  /** Encrypt biz_content with `encryptKey` (AES). */
  encrypt?: boolean;
  /** Extra top-level parameters. */
  params?: Record<string, string>;
}

/** biz_content: an object (sent in its own key order, amounts formatted) or a JSON string sent as is. */
export type BizContent = Record<string, unknown> | string;

export interface AlipayNotifyResult {
  /** The notification's parameters, decoded once, verified. */
  event: Record<string, string>;
  /** What to answer Alipay: `{ status: 200, body: 'success' }`. */
  reply: { status: 200; headers: Record<string, string>; body: 'success' };
}

/** An Alipay app (keys parsed once). Every `build…` is sans-IO; send the result with `send` or `fetch`. */
export class Alipay {
  constructor(config: AlipayConfig);
  buildRequest(method: string, bizContent?: BizContent, options?: AlipayRequestOptions): HttpRequest;
  buildOauthToken(args: { code: string } | { refreshToken: string }, options?: AlipayRequestOptions): HttpRequest;
  buildTradeCreate(biz: { out_trade_no: string; total_amount: Amount; subject: string; buyer_id?: string; buyer_open_id?: string; product_code?: string; op_app_id?: string; [field: string]: unknown }, options?: AlipayRequestOptions): HttpRequest;
  buildTradeQuery(biz: { out_trade_no?: string; trade_no?: string; [field: string]: unknown }, options?: AlipayRequestOptions): HttpRequest;
  buildTradeClose(biz: { out_trade_no?: string; trade_no?: string; [field: string]: unknown }, options?: AlipayRequestOptions): HttpRequest;
  buildTradeRefund(biz: { out_trade_no?: string; trade_no?: string; refund_amount: Amount; out_request_no?: string; [field: string]: unknown }, options?: AlipayRequestOptions): HttpRequest;
  buildRefundQuery(biz: { out_trade_no?: string; trade_no?: string; out_request_no: string; [field: string]: unknown }, options?: AlipayRequestOptions): HttpRequest;
  buildTradePrecreate(biz: { out_trade_no: string; total_amount: Amount; subject: string; [field: string]: unknown }, options?: AlipayRequestOptions): HttpRequest;
  /** `alipay.trade.wap.pay`: a signed GET URL and an auto-submitting POST form. */
  buildWapPay(biz: { out_trade_no: string; total_amount: Amount; subject: string; [field: string]: unknown }, options?: AlipayRequestOptions): { url: string; form: string; params: Record<string, string> };
  /** Verifies the raw response text and returns the `<method>_response` node. Throws `AggpayError` otherwise. */
  parseResponse(method: string, raw: string | Uint8Array): Record<string, any>;
  /** Verifies a raw notification body; `rule` `payment` (default), `gateway` or `auto`. */
  verifyNotify(rawBody: string | Uint8Array, options?: { rule?: 'payment' | 'gateway' | 'auto' }): AlipayNotifyResult;
  /** Verifies `return_url` query parameters. */
  verifyReturn(query: string | Uint8Array): Record<string, string>;
  /** `{ tradeNO }` for `my.tradePay(…)` and `AlipayJSBridge.call('tradePay', …)`. */
  tradePayParams(tradeCreateResult: { trade_no: string }): { tradeNO: string };
  /** The QR URL a buyer scanned, from the mini program's launch options (`query.qrCode`), or null. */
  static launchQrCode(launchOptions: unknown): { qrCode: string; params: Record<string, string> } | null;
  /** OpenAPI v3 request with `Authorization: ALIPAY-SHA256withRSA …`. */
  buildV3Request(args: { method?: string; path: string; body?: BizContent; appAuthToken?: string; nonce?: string; timestamp?: number; requestId?: string }): HttpRequest;
  /** Verifies a v3 response over alipay-timestamp, alipay-nonce and the raw body; returns the parsed body. */
  verifyV3Response(response: RawResponse): Record<string, any>;
  readonly appId: string;
  readonly signType: 'RSA2' | 'RSA';
  readonly gateway: string;
  readonly appCertSn: string | undefined;
  readonly alipayCertSn: string | undefined;
  readonly alipayRootCertSn: string | undefined;
  readonly engine: 'node' | 'wasm';
  free(): void;
}

/** WeChat mini-program login (server side only: the app secret and session key never reach a browser). */
export class WechatMiniProgram {
  constructor(config: { appId: string; appSecret: string; /** Default `https://api.weixin.qq.com`. */ apiBase?: string; limits?: InputLimits });
  /** `GET …/sns/jscode2session?appid&secret&js_code&grant_type=authorization_code` for the code from `wx.login`. */
  buildCode2Session(jsCode: string): HttpRequest;
  /**
   * `{ openid, sessionKey, unionid? }`. Errors: `ERR_LOGIN_CODE_INVALID` (40029), `ERR_LOGIN_CODE_USED` (40163),
   * `ERR_RATE_LIMITED` (45011), `ERR_PROVIDER_BUSY` (-1), `ERR_USER_HIGH_RISK` (40226), `ERR_PROVIDER_REJECTED` (others).
   */
  parseCode2Session(raw: string | Uint8Array): { openid: string; sessionKey: string; unionid?: string };
  /** Decrypts `encryptedData` (AES-128-CBC with the session key) and checks `watermark.appid` (`ERR_WATERMARK_MISMATCH`). */
  decryptUserData(args: { sessionKey: string; encryptedData: string; iv: string }): Record<string, any>;
  readonly appId: string;
  free(): void;
}

export interface UseePayConfig {
  merchantNo: string;
  /** The website domain registered in the UseePay portal (not a WeChat AppID). */
  appId: string;
  signType: 'RSA' | 'MD5';
  /** MD5: the portal's MD5 key. */
  md5Key?: string;
  /** RSA: your merchant private key. */
  privateKey?: string;
  /** RSA: UseePay's public key from the portal. */
  useepayPublicKey?: string;
  /** `production` (default), `sandbox`, or a gateway base URL (requests go to `<gateway>/api`). */
  gateway?: string;
  notifyUrl?: string;
  /** Which values the string to sign leaves out: `trim` (default: empty after trimming, as documented) or `exact` (only empty). */
  emptyValues?: 'trim' | 'exact';
  engine?: Engine;
  limits?: InputLimits;
}

/** UseePay's normalized result. Only `paid` (a verified `resultCode` of `succeed`) means paid. */
export interface UseePayResult {
  resultCode: 'received' | 'pending' | 'succeed' | 'failed' | 'cancelled' | 'closed' | (string & {});
  paid: boolean;
  /** `succeed`, `failed`, `cancelled` or `closed`. */
  final: boolean;
  errorCode: string | null;
  errorMsg: string | null;
  transactionType: string | null;
  transactionId: string | null;
  originalTransactionId: string | null;
  reference: string | null;
  amount: { minor: number; currency: string } | null;
}

/** The object for `wx.requestPayment(…)`. */
export interface WxRequestPayment {
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: string;
  paySign: string;
}

/** UseePay V1 gateway (WeChat Pay HK and the other wallets on the same envelope). */
export class UseePay {
  constructor(config: UseePayConfig);
  /** WeChat Pay HK JSAPI order for a mini program (`payerInfo.paymentMethod = wechat_jsapi`). */
  buildJsapiPay(args: { transactionId: string; amount: Money; subAppId: string; subOpenId: string; subject: string; notifyUrl?: string; echoParam?: string; expirationMinutes?: number }): HttpRequest;
  parseJsapiPay(raw: string | Uint8Array): UseePayResult & { requestPayment: WxRequestPayment };
  buildQuery(args: { transactionId: string } | { reference: string }): HttpRequest;
  /** The order's state (from `transactionInfo`), with every `transactionInfo` field under `transaction`. */
  parseQuery(raw: string | Uint8Array): UseePayResult & { transaction: Record<string, unknown> };
  buildRefund(args: { transactionId: string; originalTransactionId: string; amount: Money; notifyUrl?: string; echoParam?: string }): HttpRequest;
  parseRefund(raw: string | Uint8Array): UseePayResult;
  /** Any transaction type / payment method on the envelope (`wechat_native`, `wechat_h5`, `alipay_cn`, `alipay_hk`, …). */
  buildRequest(transactionType: string, fields: Record<string, unknown>, options?: { path?: '/api' | '/cashier' }): HttpRequest;
  /** Any verified response: every field as received, and the normalized result (not judged). */
  parseResponse(raw: string | Uint8Array): { fields: Record<string, string>; result: UseePayResult };
  /** Verifies a raw notification body over every field received. Reply: HTTP 200 `OK`. */
  verifyNotify(rawBody: string | Uint8Array): { event: UseePayResult & { fields: Record<string, string> }; reply: { status: 200; headers: Record<string, string>; body: 'OK' } };
  readonly signType: 'RSA' | 'MD5';
  readonly engine: 'node' | 'wasm' | 'none';
  free(): void;
}
