// Public API of the aggpay npm package. Every entry point (Node, workerd/edge, browser) exports
// exactly these names.
//
// Every method that needs RSA exists twice: `name(…)` returns its result (answered by the
// synchronous engine, `engine`), `nameAsync(…)` returns a Promise of the same result (answered by
// the asynchronous engine, `asyncEngine`: node:crypto on Node.js, WebCrypto elsewhere, by default).
// The `…Async` forms never throw: they reject with the same `AggpayError`s.

/** Bytes in: a string is taken as its UTF-8 bytes. */
export type BytesInput = string | Uint8Array | ArrayBuffer;

/**
 * Where RSA runs (`engine` option). `auto` (default): `node` on Node.js; elsewhere `wasm` for synchronous
 * calls and `webcrypto` for `…Async` calls (`wasm` without `crypto.subtle`). `node`: node:crypto for both
 * (Node.js only, else `ERR_ENGINE`). `wasm`: in WebAssembly for both. `webcrypto`: `crypto.subtle` for
 * `…Async` calls (`ERR_ENGINE` without it), synchronous calls as `auto`. Any other value: `ERR_BAD_INPUT`.
 */
export type Engine = 'auto' | 'node' | 'wasm' | 'webcrypto';

/** The engine that answers synchronous calls (the `engine` getter). */
export type SyncEngineName = 'node' | 'wasm';

/** The engine that answers `…Async` calls (the `asyncEngine` getter). */
export type AsyncEngineName = 'node' | 'wasm' | 'webcrypto';

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
  /** A `build…` method on a client without `privateKey` (verify-only). */
  | 'ERR_VERIFY_ONLY'
  /** A verification on a client without the provider's key or certificate (sign-only). */
  | 'ERR_NO_PROVIDER_KEY'
  /** WeChat Pay: `Wechatpay-Timestamp` is 5 minutes or more from `now` (a replay, or a clock that is off). */
  | 'ERR_CLOCK_SKEW'
  /** WeChat Pay: a probe signature (`WECHATPAY/SIGNTEST/…`), refused like any bad signature; its own code for logs. */
  | 'ERR_SIGNATURE_PROBE'
  /** Router: an OAuth `state` this router did not issue for that wallet and binding (forged, altered, another secret). */
  | 'ERR_STATE_INVALID'
  /** Router: an OAuth `state` older than `stateTtlSeconds` (or dated over a minute ahead): authorize again. */
  | 'ERR_STATE_EXPIRED'
  /** `send`: the request failed before a reply (DNS, connection, TLS, or the `fetch` threw). */
  | 'ERR_NETWORK'
  /** `send`: no reply within `timeoutMs`. */
  | 'ERR_TIMEOUT'
  /** `send`: a non-2xx reply that is not the provider speaking (its body is not JSON); see `status`. */
  | 'ERR_HTTP_STATUS'
  /** `new AggpayError(message)` without a `code` (aggpay itself always sets one). */
  | 'ERR_UNKNOWN'
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
  constructor(message: string, details?: Partial<Pick<AggpayError, 'code' | 'provider' | 'providerCode' | 'providerMessage' | 'subCode' | 'subMessage' | 'detail' | 'signedMessage' | 'serial' | 'status'>>);
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
  /** WeChat Pay: the `detail` member of its error reply, as received (JSON text): the field at fault, or `sign_information`. */
  readonly detail?: string;
  /** WeChat Pay `SIGN_ERROR`: its view of the message your request signed (`truncated_sign_message`), to compare with yours. */
  readonly signedMessage?: string;
  /** `ERR_CERT_SN_MISMATCH`: the key the message named that is not configured (WeChat Pay's `Wechatpay-Serial`, a certificate serial or `PUB_KEY_ID_…`). */
  readonly serial?: string;
  /** The HTTP status of the reply: only on `ERR_HTTP_STATUS` (from `send`). */
  readonly status?: number;
}

/** RSASSA-PKCS1-v1_5 signing with a private key parsed once (PKCS#8 or PKCS#1, PEM or bare base64 DER). */
export class RsaSigner {
  constructor(privateKey: string, options?: KeyOptions);
  /** Signature over `message`; `hash` defaults to `sha256`. */
  sign(message: BytesInput, hash?: HashName): Uint8Array;
  /** `sign` on the asynchronous engine. */
  signAsync(message: BytesInput, hash?: HashName): Promise<Uint8Array>;
  /** The same signature as standard base64 text (what providers send and expect). */
  signBase64(message: BytesInput, hash?: HashName): string;
  /** `signBase64` on the asynchronous engine. */
  signBase64Async(message: BytesInput, hash?: HashName): Promise<string>;
  /** RSAES-OAEP (SHA-1, MGF1-SHA-1) decryption. */
  decryptOaep(ciphertext: BytesInput): Uint8Array;
  /** SPKI DER of the matching public key. */
  publicKeySpki(): Uint8Array;
  readonly bits: number;
  /** The engine of `sign` and `signBase64`. */
  readonly engine: SyncEngineName;
  /** The engine of `signAsync` and `signBase64Async`. */
  readonly asyncEngine: AsyncEngineName;
  free(): void;
}

/** RSASSA-PKCS1-v1_5 verification with a public key (SPKI, PKCS#1) or a certificate's key. */
export class RsaVerifier {
  constructor(publicKeyOrCertificate: string, options?: KeyOptions);
  /** `true` when valid, `false` when not; malformed arguments throw `AggpayError` (a string signature: `ERR_BAD_INPUT`, use `verifyBase64`). */
  verify(message: BytesInput, signature: Uint8Array | ArrayBuffer, hash?: HashName): boolean;
  /** `verify` on the asynchronous engine. */
  verifyAsync(message: BytesInput, signature: Uint8Array | ArrayBuffer, hash?: HashName): Promise<boolean>;
  /** `verify` with the signature as standard base64 text, as providers send it (text that is not base64: `false`). */
  verifyBase64(message: BytesInput, signatureBase64: string, hash?: HashName): boolean;
  /** `verifyBase64` on the asynchronous engine. */
  verifyBase64Async(message: BytesInput, signatureBase64: string, hash?: HashName): Promise<boolean>;
  /** RSAES-OAEP (SHA-1, MGF1-SHA-1) encryption. */
  encryptOaep(plaintext: BytesInput): Uint8Array;
  /** RSAES-PKCS1-v1_5 encryption. */
  encryptPkcs1v15(plaintext: BytesInput): Uint8Array;
  /** SPKI DER of the key. */
  publicKeySpki(): Uint8Array;
  readonly bits: number;
  /** The engine of `verify` and `verifyBase64`. */
  readonly engine: SyncEngineName;
  /** The engine of `verifyAsync` and `verifyBase64Async`. */
  readonly asyncEngine: AsyncEngineName;
  free(): void;
  /** What `signature` (base64 text), opened with this key, says it signs — `{ hash, digest }` (hex) — or `null` when it was not made with the matching private key. For diagnosis ("a field changed" vs "another key"); validity is `verify`'s to say. */
  signedDigest(signature: string): { hash: 'sha256' | 'sha1'; digest: string } | null;
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
  /** Alipay's certificate SN (`alipay_cert_sn`, `app_cert_sn`): MD5 of `issuer` and `serialDecimal`, in hex. */
  readonly alipayCertSn: string;
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

/** The runtime's `AbortSignal` where the consumer's lib declares one as a global (DOM, @types/node), else `any`. */
export type FetchSignal = typeof globalThis extends { AbortSignal: { prototype: infer S } } ? S : any;

/** Response headers as `send` reads them: any iterable of `[name, value]`, or the runtime's `Headers` (iterable at runtime even where the lib omits `dom.iterable`). */
export type FetchHeaders = Iterable<[string, string]> | (typeof globalThis extends { Headers: { prototype: infer H } } ? H : never);

/** What `send` passes to `fetch`: `body` is absent for a request without one; `signal` aborts at `timeoutMs`. */
export interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** A `fetch` that ignores it cannot be timed out: `send` waits for it. */
  signal?: FetchSignal;
}

/** The part of a `fetch` response that `send` reads. */
export interface FetchResponse {
  status: number;
  headers: FetchHeaders;
  text(): Promise<string>;
}

/** The part of `fetch` that `send` uses: the runtime's own `fetch` is one (the declarations need neither the DOM lib nor @types/node). */
export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponse>;

/** Options of `send`. */
export interface SendOptions {
  /** Default `globalThis.fetch` (none: `ERR_BAD_INPUT`). */
  fetch?: FetchLike;
  /** Default 15000; no reply in time: `ERR_TIMEOUT`. */
  timeoutMs?: number;
  /** `true`: return a non-2xx reply whose body is not JSON instead of throwing `ERR_HTTP_STATUS`. Default `false`. */
  raw?: boolean;
}

/**
 * Sends a built request with `fetch` and returns the raw response, unverified (pass it to the client's
 * `parse…`/`verify…` method). Rejects with `ERR_BAD_INPUT`, `ERR_NETWORK`, `ERR_TIMEOUT` or
 * `ERR_HTTP_STATUS` (with `status`); a non-2xx reply with a JSON body resolves (the provider's error).
 */
export function send(request: HttpRequest, options?: SendOptions): Promise<RawResponse>;

/** Money as integer minor units (fen for CNY) — never a float. `minor` may be a string of digits. */
export interface Money {
  minor: number | string;
  currency: string;
}

/** An amount: `{ minor, currency }`, or a decimal string such as `'0.01'` (yuan). */
export type Amount = Money | string;

/**
 * An Alipay client's configuration: at least one of `privateKey` (to build requests) and
 * `alipayPublicKey` / `alipayCert` (to verify). Public-key mode and certificate mode exclude each other.
 */
export interface AlipayConfig {
  appId: string;
  /** App private key (PKCS#8 or PKCS#1, PEM or bare base64). Without it the client is verify-only: `build…` throw `ERR_VERIFY_ONLY`. */
  privateKey?: string;
  /** Public-key mode: the Alipay public key (支付宝公钥), not your app's. Without it (or `alipayCert`) verifications throw `ERR_NO_PROVIDER_KEY`. */
  alipayPublicKey?: string;
  /** Certificate mode, needed with `privateKey`: appCertPublicKey_<appid>.crt */
  appCert?: string;
  /** Certificate mode: alipayCertPublicKey_RSA2.crt, or a list of them while Alipay rotates (current first); the first certificate of each chain is used. */
  alipayCert?: string | string[];
  /** Certificate mode, needed with `privateKey`: alipayRootCert.crt */
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
  /** Default `auto`. */
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

/** An amount a result carries: integer minor units (fen, cents) of an ISO 4217 currency. Never a float. */
export interface MinorAmount {
  minor: number;
  currency: string;
}

/** A verified Alipay notification as a typed event. */
export interface AlipayNotification {
  /** `trade_status` is `TRADE_SUCCESS` or `TRADE_FINISHED`: the buyer has paid. */
  paid: boolean;
  /** `trade_status` as sent, or null (gateway events carry none). */
  tradeStatus: 'WAIT_BUYER_PAY' | 'TRADE_CLOSED' | 'TRADE_SUCCESS' | 'TRADE_FINISHED' | (string & {}) | null;
  /** `total_amount` in minor units of `trans_currency`, or CNY; a paid event always has one. Compare it with your order. */
  amount: MinorAmount | null;
  /** `out_trade_no`: your order id. */
  outTradeNo: string | null;
  /** `trade_no`: Alipay's trade id. */
  tradeNo: string | null;
  /** `app_id`: check it is your app. */
  appId: string | null;
  /** `seller_id`: check it is your account. */
  sellerId: string | null;
  /** `buyer_id` (apps in user_id mode). */
  buyerId: string | null;
  /** `buyer_open_id` (apps in OpenID mode). */
  buyerOpenId: string | null;
  /** `notify_id`: a notification sent again carries the same one. */
  notifyId: string | null;
  /** `notify_type` (`trade_status_sync`, …). */
  notifyType: string | null;
  /** Every parameter as received (`sign` and `sign_type` included), decoded once in the declared charset. */
  params: Record<string, string>;
}

export interface AlipayNotifyResult {
  /** The verified notification. */
  event: AlipayNotification;
  /** What to answer Alipay: `{ status: 200, body: 'success' }`. */
  reply: { status: 200; headers: Record<string, string>; body: 'success' };
}

/** Fields every Alipay v2 response node carries. `code` is `10000` for a success (a failure throws). */
export interface AlipayResponseNode {
  code: string;
  msg: string;
}

/** `alipay.system.oauth.token`. */
export interface AlipayOauthToken extends AlipayResponseNode {
  /** The buyer, for apps in user_id mode. */
  user_id?: string;
  /** The buyer, for apps in OpenID mode. */
  open_id?: string;
  access_token: string;
  expires_in: string | number;
  refresh_token: string;
  re_expires_in: string | number;
  auth_start?: string;
}

/** `alipay.trade.create`: hand `trade_no` to `my.tradePay` (see `tradePayParams`). */
export interface AlipayTradeCreateResult extends AlipayResponseNode {
  out_trade_no: string;
  trade_no: string;
}

/** `alipay.trade.query`. Amounts are yuan strings as Alipay sends them. */
export interface AlipayTradeQueryResult extends AlipayResponseNode {
  trade_no: string;
  out_trade_no: string;
  trade_status: 'WAIT_BUYER_PAY' | 'TRADE_CLOSED' | 'TRADE_SUCCESS' | 'TRADE_FINISHED';
  total_amount: string;
  buyer_logon_id?: string;
  buyer_user_id?: string;
  buyer_open_id?: string;
  buyer_pay_amount?: string;
  receipt_amount?: string;
  invoice_amount?: string;
  point_amount?: string;
  send_pay_date?: string;
}

/** `alipay.trade.close`. */
export interface AlipayTradeCloseResult extends AlipayResponseNode {
  trade_no?: string;
  out_trade_no?: string;
}

/** `alipay.trade.refund`. `fund_change` `Y`: money moved by this call. */
export interface AlipayTradeRefundResult extends AlipayResponseNode {
  trade_no: string;
  out_trade_no: string;
  refund_fee: string;
  fund_change?: 'Y' | 'N';
  buyer_logon_id?: string;
  gmt_refund_pay?: string;
}

/** `alipay.trade.fastpay.refund.query`. `refund_status` `REFUND_SUCCESS` once refunded. */
export interface AlipayRefundQueryResult extends AlipayResponseNode {
  trade_no?: string;
  out_trade_no?: string;
  out_request_no?: string;
  refund_amount?: string;
  total_amount?: string;
  refund_status?: string;
}

/** `alipay.trade.precreate`: `qr_code` for the buyer to scan. */
export interface AlipayTradePrecreateResult extends AlipayResponseNode {
  out_trade_no: string;
  qr_code: string;
}

/** `alipay.trade.cancel`: `action` says what Alipay did (`close` an unpaid trade, `refund` a paid one); retry while `retry_flag` is `Y`. */
export interface AlipayTradeCancelResult extends AlipayResponseNode {
  trade_no?: string;
  out_trade_no?: string;
  retry_flag: 'Y' | 'N';
  action?: 'close' | 'refund' | (string & {});
  gmt_refund_pay?: string;
}

/** `alipay.data.dataservice.bill.downloadurl.query`: fetch `bill_download_url` within 30 seconds (a zip of CSV files). */
export interface AlipayBillDownloadUrlResult extends AlipayResponseNode {
  bill_download_url: string;
}

/** What `parseResponse` returns for the methods aggpay has typed builders for. */
export interface AlipayResponses {
  'alipay.system.oauth.token': AlipayOauthToken;
  'alipay.trade.create': AlipayTradeCreateResult;
  'alipay.trade.query': AlipayTradeQueryResult;
  'alipay.trade.close': AlipayTradeCloseResult;
  'alipay.trade.refund': AlipayTradeRefundResult;
  'alipay.trade.fastpay.refund.query': AlipayRefundQueryResult;
  'alipay.trade.precreate': AlipayTradePrecreateResult;
  'alipay.trade.cancel': AlipayTradeCancelResult;
  'alipay.data.dataservice.bill.downloadurl.query': AlipayBillDownloadUrlResult;
}

/** `buildOauthToken` arguments: the auth code from the mini program, or a refresh token. */
export type AlipayOauthTokenArgs = { code: string } | { refreshToken: string };

/** `alipay.trade.create` biz_content. */
export type AlipayTradeCreateBiz = { out_trade_no: string; total_amount: Amount; subject: string; buyer_id?: string; buyer_open_id?: string; product_code?: string; op_app_id?: string; [field: string]: unknown };

/** `alipay.trade.query` biz_content. */
export type AlipayTradeQueryBiz = { out_trade_no?: string; trade_no?: string; [field: string]: unknown };

/** `alipay.trade.close` biz_content. */
export type AlipayTradeCloseBiz = { out_trade_no?: string; trade_no?: string; [field: string]: unknown };

/** `alipay.trade.refund` biz_content. */
export type AlipayTradeRefundBiz = { out_trade_no?: string; trade_no?: string; refund_amount: Amount; out_request_no?: string; [field: string]: unknown };

/** `alipay.trade.fastpay.refund.query` biz_content. */
export type AlipayRefundQueryBiz = { out_trade_no?: string; trade_no?: string; out_request_no: string; [field: string]: unknown };

/** `alipay.trade.precreate` biz_content. */
export type AlipayTradePrecreateBiz = { out_trade_no: string; total_amount: Amount; subject: string; [field: string]: unknown };

/** `alipay.trade.wap.pay` biz_content. */
export type AlipayWapPayBiz = { out_trade_no: string; total_amount: Amount; subject: string; [field: string]: unknown };

/** What `buildWapPay` returns: a signed GET URL, an auto-submitting POST form and the signed parameters. */
export type AlipayWapPayPage = { url: string; form: string; params: Record<string, string> };

/** `alipay.trade.page.pay` biz_content (`product_code` defaults to `FAST_INSTANT_TRADE_PAY`). */
export type AlipayPagePayBiz = { out_trade_no: string; total_amount: Amount; subject: string; product_code?: string; [field: string]: unknown };

/** `alipay.trade.app.pay` biz_content (`product_code` defaults to `QUICK_MSECURITY_PAY`). */
export type AlipayAppPayBiz = { out_trade_no: string; total_amount: Amount; subject: string; product_code?: string; [field: string]: unknown };

/** What `buildAppPay` and `buildSdkOrder` return: the signed order string the Alipay App SDK takes (`payV2(orderStr)`), and its parameters. */
export type AlipaySdkOrder = { orderStr: string; params: Record<string, string> };

/** `alipay.trade.cancel` biz_content. */
export type AlipayTradeCancelBiz = { out_trade_no?: string; trade_no?: string; [field: string]: unknown };

/** `alipay.data.dataservice.bill.downloadurl.query` biz_content: `bill_date` is `yyyy-MM-dd` (a day) or `yyyy-MM` (a month). */
export type AlipayBillDownloadUrlBiz = { bill_type: 'trade' | 'signcustomer' | (string & {}); bill_date: string; [field: string]: unknown };

/** `alipay.open.app.alipaycert.download` biz_content: the SN a response named that is not configured. */
export type AlipayCertDownloadBiz = { alipay_cert_sn: string };

/** `addAlipayCertFromDownload` options: the SN asked for, and when the certificates must be valid (epoch ms, default `Date.now()`). */
export type AlipayCertCheckOptions = { alipayCertSn: string; now?: number };

/** A downloaded Alipay certificate, checked and added: store `pem` and add it to `alipayCert` (first) in your config. */
export type AlipayDownloadedCert = { alipayCertSn: string; pem: string; notBefore: number; notAfter: number };

/** `verifyNotify` options: `rule` `payment` (default), `gateway` or `auto`. */
export type AlipayNotifyOptions = { rule?: 'payment' | 'gateway' | 'auto' };

/** `buildV3Request` arguments (`method` defaults to POST; `nonce`, `timestamp` default to fresh values). */
export type AlipayV3RequestArgs = { method?: string; path: string; body?: BizContent; appAuthToken?: string; nonce?: string; timestamp?: number; requestId?: string };

/**
 * An Alipay app (keys parsed once). Every `build…` is sans-IO; send the result with `send` or `fetch`.
 * `build…` need `privateKey` (else `ERR_VERIFY_ONLY`); `parse…`/`verify…` need `alipayPublicKey` or
 * `alipayCert` (else `ERR_NO_PROVIDER_KEY`). Each `…Async` method returns a Promise of its synchronous twin's result.
 */
export class Alipay {
  constructor(config: AlipayConfig);
  /** Any v2 method: `bizContent` is an object, a JSON string (sent exactly as given), or absent. */
  buildRequest(method: string, bizContent?: BizContent, options?: AlipayRequestOptions): HttpRequest;
  /** `buildRequest` on the asynchronous engine. */
  buildRequestAsync(method: string, bizContent?: BizContent, options?: AlipayRequestOptions): Promise<HttpRequest>;
  /** `alipay.system.oauth.token`. */
  buildOauthToken(args: AlipayOauthTokenArgs, options?: AlipayRequestOptions): HttpRequest;
  /** `buildOauthToken` on the asynchronous engine. */
  buildOauthTokenAsync(args: AlipayOauthTokenArgs, options?: AlipayRequestOptions): Promise<HttpRequest>;
  /** `alipay.trade.create`. */
  buildTradeCreate(biz: AlipayTradeCreateBiz, options?: AlipayRequestOptions): HttpRequest;
  /** `buildTradeCreate` on the asynchronous engine. */
  buildTradeCreateAsync(biz: AlipayTradeCreateBiz, options?: AlipayRequestOptions): Promise<HttpRequest>;
  /** `alipay.trade.query`. */
  buildTradeQuery(biz: AlipayTradeQueryBiz, options?: AlipayRequestOptions): HttpRequest;
  /** `buildTradeQuery` on the asynchronous engine. */
  buildTradeQueryAsync(biz: AlipayTradeQueryBiz, options?: AlipayRequestOptions): Promise<HttpRequest>;
  /** `alipay.trade.close`. */
  buildTradeClose(biz: AlipayTradeCloseBiz, options?: AlipayRequestOptions): HttpRequest;
  /** `buildTradeClose` on the asynchronous engine. */
  buildTradeCloseAsync(biz: AlipayTradeCloseBiz, options?: AlipayRequestOptions): Promise<HttpRequest>;
  /** `alipay.trade.refund`. */
  buildTradeRefund(biz: AlipayTradeRefundBiz, options?: AlipayRequestOptions): HttpRequest;
  /** `buildTradeRefund` on the asynchronous engine. */
  buildTradeRefundAsync(biz: AlipayTradeRefundBiz, options?: AlipayRequestOptions): Promise<HttpRequest>;
  /** `alipay.trade.fastpay.refund.query`. */
  buildRefundQuery(biz: AlipayRefundQueryBiz, options?: AlipayRequestOptions): HttpRequest;
  /** `buildRefundQuery` on the asynchronous engine. */
  buildRefundQueryAsync(biz: AlipayRefundQueryBiz, options?: AlipayRequestOptions): Promise<HttpRequest>;
  /** `alipay.trade.precreate`. */
  buildTradePrecreate(biz: AlipayTradePrecreateBiz, options?: AlipayRequestOptions): HttpRequest;
  /** `buildTradePrecreate` on the asynchronous engine. */
  buildTradePrecreateAsync(biz: AlipayTradePrecreateBiz, options?: AlipayRequestOptions): Promise<HttpRequest>;
  /** `alipay.trade.wap.pay`: a signed GET URL and an auto-submitting POST form. */
  buildWapPay(biz: AlipayWapPayBiz, options?: AlipayRequestOptions): AlipayWapPayPage;
  /** `buildWapPay` on the asynchronous engine. */
  buildWapPayAsync(biz: AlipayWapPayBiz, options?: AlipayRequestOptions): Promise<AlipayWapPayPage>;
  /** `alipay.trade.page.pay` (desktop website): a signed GET URL and an auto-submitting POST form. */
  buildPagePay(biz: AlipayPagePayBiz, options?: AlipayRequestOptions): AlipayWapPayPage;
  /** `buildPagePay` on the asynchronous engine. */
  buildPagePayAsync(biz: AlipayPagePayBiz, options?: AlipayRequestOptions): Promise<AlipayWapPayPage>;
  /** `alipay.trade.app.pay`: the signed order string for the Alipay App SDK (as alipay-sdk's `sdkExec` returns it). */
  buildAppPay(biz: AlipayAppPayBiz, options?: AlipayRequestOptions): AlipaySdkOrder;
  /** `buildAppPay` on the asynchronous engine. */
  buildAppPayAsync(biz: AlipayAppPayBiz, options?: AlipayRequestOptions): Promise<AlipaySdkOrder>;
  /** Any App SDK method (`alipay.fund.auth.order.app.freeze`, …): the signed order string. */
  buildSdkOrder(method: string, bizContent: BizContent, options?: AlipayRequestOptions): AlipaySdkOrder;
  /** `buildSdkOrder` on the asynchronous engine. */
  buildSdkOrderAsync(method: string, bizContent: BizContent, options?: AlipayRequestOptions): Promise<AlipaySdkOrder>;
  /** `alipay.trade.cancel`. */
  buildTradeCancel(biz: AlipayTradeCancelBiz, options?: AlipayRequestOptions): HttpRequest;
  /** `buildTradeCancel` on the asynchronous engine. */
  buildTradeCancelAsync(biz: AlipayTradeCancelBiz, options?: AlipayRequestOptions): Promise<HttpRequest>;
  /** `alipay.data.dataservice.bill.downloadurl.query`. */
  buildBillDownloadUrlQuery(biz: AlipayBillDownloadUrlBiz, options?: AlipayRequestOptions): HttpRequest;
  /** `buildBillDownloadUrlQuery` on the asynchronous engine. */
  buildBillDownloadUrlQueryAsync(biz: AlipayBillDownloadUrlBiz, options?: AlipayRequestOptions): Promise<HttpRequest>;
  /** `alipay.open.app.alipaycert.download`: the certificate a response named by an SN not configured (`ERR_CERT_SN_MISMATCH`). */
  buildAlipayCertDownload(biz: AlipayCertDownloadBiz, options?: AlipayRequestOptions): HttpRequest;
  /** `buildAlipayCertDownload` on the asynchronous engine. */
  buildAlipayCertDownloadAsync(biz: AlipayCertDownloadBiz, options?: AlipayRequestOptions): Promise<HttpRequest>;
  /**
   * Decodes the raw `alipay.open.app.alipaycert.download` reply, checks its certificate (the SN asked for; chains to
   * `alipayRootCert`, valid at `now`; the subject of a configured Alipay certificate; the reply's signature when
   * signed) and adds it to this client's key ring as the current one. Failures: `ERR_CERT_INVALID`,
   * `ERR_RESPONSE_MALFORMED`, `ERR_PROVIDER_REJECTED`, `ERR_SIGNATURE_INVALID`, `ERR_INPUT_TOO_LARGE`. RSA runs in the core.
   */
  addAlipayCertFromDownload(raw: string | Uint8Array, options: AlipayCertCheckOptions): AlipayDownloadedCert;
  /** Verifies the raw response text and returns the `<method>_response` node. Throws `AggpayError` otherwise. */
  parseResponse<M extends keyof AlipayResponses>(method: M, raw: string | Uint8Array): AlipayResponses[M];
  parseResponse(method: string, raw: string | Uint8Array): AlipayResponseNode & Record<string, unknown>;
  /** `parseResponse` on the asynchronous engine. */
  parseResponseAsync<M extends keyof AlipayResponses>(method: M, raw: string | Uint8Array): Promise<AlipayResponses[M]>;
  parseResponseAsync(method: string, raw: string | Uint8Array): Promise<AlipayResponseNode & Record<string, unknown>>;
  /** Verifies a raw notification body; `rule` `payment` (default), `gateway` or `auto`. */
  verifyNotify(rawBody: string | Uint8Array, options?: AlipayNotifyOptions): AlipayNotifyResult;
  /** `verifyNotify` on the asynchronous engine. */
  verifyNotifyAsync(rawBody: string | Uint8Array, options?: AlipayNotifyOptions): Promise<AlipayNotifyResult>;
  /** Checkout (see `Checkout`): the signed request that creates the order. */
  buildCheckout(order: CheckoutOrder, options?: AlipayRequestOptions): HttpRequest;
  buildCheckoutAsync(order: CheckoutOrder, options?: AlipayRequestOptions): Promise<HttpRequest>;
  /** Checkout: the verified reply, and what the buyer's client calls to pay. */
  parseCheckout(order: CheckoutOrder, response: CheckoutResponse | string): CheckoutResult;
  parseCheckoutAsync(order: CheckoutOrder, response: CheckoutResponse | string): Promise<CheckoutResult>;
  /** Checkout: a notification, verified, as the one event, with the exact reply. */
  verifyEvent(notification: IncomingNotification | string | Uint8Array): PaymentEventResult<AlipayNotification>;
  verifyEventAsync(notification: IncomingNotification | string | Uint8Array): Promise<PaymentEventResult<AlipayNotification>>;
  /** Checkout: the order query. */
  buildStatusQuery(query: CheckoutQuery, options?: AlipayRequestOptions): HttpRequest;
  buildStatusQueryAsync(query: CheckoutQuery, options?: AlipayRequestOptions): Promise<HttpRequest>;
  /** Checkout: the verified query reply as the one event. */
  parseStatusQuery(query: CheckoutQuery, response: CheckoutResponse | string): PaymentEvent;
  parseStatusQueryAsync(query: CheckoutQuery, response: CheckoutResponse | string): Promise<PaymentEvent>;
  /** Checkout: the refund. */
  buildCheckoutRefund(refund: CheckoutRefund, options?: AlipayRequestOptions): HttpRequest;
  buildCheckoutRefundAsync(refund: CheckoutRefund, options?: AlipayRequestOptions): Promise<HttpRequest>;
  /** Checkout: the verified refund reply as the one event. */
  parseCheckoutRefund(refund: CheckoutRefund, response: CheckoutResponse | string): PaymentEvent;
  parseCheckoutRefundAsync(refund: CheckoutRefund, response: CheckoutResponse | string): Promise<PaymentEvent>;
  /** Verifies `return_url` query parameters; returns them as received. */
  verifyReturn(query: string | Uint8Array): Record<string, string>;
  /** `verifyReturn` on the asynchronous engine. */
  verifyReturnAsync(query: string | Uint8Array): Promise<Record<string, string>>;
  /** `{ tradeNO }` for `my.tradePay(…)` and `AlipayJSBridge.call('tradePay', …)`, from the verified `alipay.trade.create` result (`parseResponse`'s): its `trade_no` (missing or empty: `ERR_BAD_INPUT`). */
  tradePayParams(tradeCreateResult: { trade_no: string }): { tradeNO: string };
  /** The QR URL a buyer scanned, from the mini program's launch options (`query.qrCode`), or null. */
  static launchQrCode(launchOptions: unknown): { qrCode: string; params: Record<string, string>; scene?: number } | null;
  /** OpenAPI v3 request with `Authorization: ALIPAY-SHA256withRSA …`. */
  buildV3Request(args: AlipayV3RequestArgs): HttpRequest;
  /** `buildV3Request` on the asynchronous engine. */
  buildV3RequestAsync(args: AlipayV3RequestArgs): Promise<HttpRequest>;
  /** Verifies a v3 response over alipay-timestamp, alipay-nonce and the raw body; returns the parsed body. */
  verifyV3Response(response: RawResponse): Record<string, any>;
  /** `verifyV3Response` on the asynchronous engine. */
  verifyV3ResponseAsync(response: RawResponse): Promise<Record<string, any>>;
  readonly appId: string;
  readonly signType: 'RSA2' | 'RSA';
  readonly gateway: string;
  /** Certificate mode: the SN of `appCert` (undefined without it). */
  readonly appCertSn: string | undefined;
  /** Certificate mode: the SN of the current Alipay certificate (the first of `alipayCert`). */
  readonly alipayCertSn: string | undefined;
  /** Certificate mode: the SNs of every Alipay certificate configured, current first (`[]` in public-key mode). */
  readonly alipayCertSns: string[];
  /** Certificate mode: the SN of `alipayRootCert` (undefined without it). */
  readonly alipayRootCertSn: string | undefined;
  /** Whether this client can build signed requests (it holds `privateKey`). */
  readonly canSign: boolean;
  /** Whether this client can verify what Alipay sends (it holds `alipayPublicKey` or `alipayCert`). */
  readonly canVerify: boolean;
  /** The engine of the synchronous methods. */
  readonly engine: SyncEngineName;
  /** The engine of the `…Async` methods. */
  readonly asyncEngine: AsyncEngineName;
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
  /**
   * The printed URL a buyer scanned (扫普通链接二维码打开小程序), from `App.onLaunch` / `wx.getLaunchOptionsSync()` options
   * (`{ query: { q, scancode_time } }`) or `Page.onLoad`'s query (`{ q, scancode_time }`): `q` URL-decoded once, its query
   * parameters, and `scancode_time` (Unix seconds) when given — `Alipay.launchQrCode`'s shape. `null` without `q`.
   */
  static launchQrCode(launchOptions: unknown): { qrCode: string; params: Record<string, string>; scancodeTime?: number; scene?: number } | null;
  readonly appId: string;
  free(): void;
}

/** WeChat official-account web authorization (网页授权), the WeChat H5 path: the `code` of an `snsapi_base` redirect for the buyer's `openid`. Server side only. */
export class WechatOfficialAccount {
  constructor(config: { appId: string; appSecret: string; /** Default `https://api.weixin.qq.com`. */ apiBase?: string; limits?: InputLimits });
  /** `GET …/sns/oauth2/access_token?appid&secret&code&grant_type=authorization_code`. */
  buildOauthAccessToken(code: string): HttpRequest;
  /**
   * The reply. `isSnapshotUser`: WeChat's `is_snapshotuser` = 1 (a Moments snapshot page: the openid is virtual).
   * Errors as `WechatMiniProgram.parseCode2Session`'s: `ERR_LOGIN_CODE_INVALID` (40029), `ERR_LOGIN_CODE_USED` (40163),
   * `ERR_RATE_LIMITED` (45011), `ERR_PROVIDER_BUSY` (-1), `ERR_USER_HIGH_RISK` (40226), `ERR_PROVIDER_REJECTED` (others).
   */
  parseOauthAccessToken(raw: string | Uint8Array): {
    accessToken: string; expiresIn: number; refreshToken: string; openid: string; scope: string; isSnapshotUser: boolean; unionid?: string;
  };
  readonly appId: string;
  free(): void;
}

/** The wallet that can pay on a client. */
export type Wallet = 'alipay' | 'wechat' | 'other';

/**
 * The kind of client a `User-Agent` names: Alipay's or WeChat's in-app browser, a `web-view` in a WeChat mini program,
 * WeChat Work (`wxwork`) and DingTalk (not wallets), a crawler, any other browser, or no User-Agent.
 */
export type RouteClient = 'alipay-app' | 'wechat-app' | 'wechat-mini-program' | 'wechat-work' | 'dingtalk' | 'crawler' | 'browser' | 'unknown';

/** A `Router`'s configuration. */
export interface RouterConfig {
  /** The secret `state`s are signed with (HMAC-SHA256): at least 32 bytes, random, kept on the server. */
  stateSecret: string;
  /** How long a `state` is valid: 1 to 86400 seconds, default 600. */
  stateTtlSeconds?: number;
  /** The Alipay app whose `auth_base` authorization the H5 page uses; `sandbox: true` for an app of Alipay's sandbox (its authorization page is `openauth-sandbox.dl.alipaydev.com`). */
  alipay?: { appId: string; sandbox?: boolean };
  /** The official account whose `snsapi_base` authorization the H5 page uses. */
  wechat?: { appId: string };
  limits?: InputLimits;
}

/**
 * One printed code, many wallets: which wallet scanned it, the code's own parameters, and the H5 authorization
 * with a signed, expiring `state`. No secrets besides `stateSecret`; the code exchanges are `Alipay.buildOauthToken`,
 * `WechatOfficialAccount.buildOauthAccessToken` and `WechatMiniProgram.buildCode2Session`.
 */
export class Router {
  constructor(config: RouterConfig);
  /**
   * A request: its `User-Agent` (absent: `'unknown'`) and its URL (absolute, or the path and query a server sees).
   * `path` as received; `params`: the query, decoded once (a name given twice: `ERR_BAD_INPUT`).
   */
  route(request: { userAgent?: string; url: string }): { wallet: Wallet; client: RouteClient; path: string; params: Record<string, string> };
  /** A mini program's launch options: Alipay's `query.qrCode` or WeChat's `query.q` (decoded once). `null` when not opened by a scanned URL. */
  /** The wallet's redirect back in one call: the state checked against `bind` (and `wallet`), then `{ wallet, code, path, params, issuedAt }` — `code` is Alipay's `auth_code` or WeChat's `code`; `params` the code's own, without what the wallet added. */
  verifyCallback(args: { url: string; bind?: string; wallet?: 'alipay' | 'wechat'; now?: number }): { wallet: 'alipay' | 'wechat'; code: string; path: string; params: Record<string, string>; issuedAt: number };
  routeLaunch(launchOptions: unknown): { wallet: 'alipay' | 'wechat'; qrCode: string; path: string; params: Record<string, string>; scancodeTime?: number; scene?: number } | null;
  /**
   * The H5 authorization URL — Alipay `publicAppAuthorize.htm?app_id&scope=auth_base&redirect_uri&state`, WeChat
   * `connect/oauth2/authorize?appid&redirect_uri&response_type=code&scope=snsapi_base&state#wechat_redirect` — and its
   * `state` (91 characters of `[a-z0-9]`). `bind` (default `''`): what the state is bound to (the buyer's session id, the
   * code's store and table); give it again to `verifyState`. `now` (ms) and `nonce` (16 of `[A-Za-z0-9]`) are for tests.
   */
  authorizeUrl(args: { wallet: 'alipay' | 'wechat'; redirectUri: string; bind?: string; now?: number; nonce?: string }): { url: string; state: string };
  /** The `state` that came back: `ERR_STATE_INVALID` (forged, altered, other wallet or binding) or `ERR_STATE_EXPIRED`; `issuedAt` in ms. */
  verifyState(state: string, options?: { wallet?: 'alipay' | 'wechat'; bind?: string; now?: number }): { wallet: 'alipay' | 'wechat'; issuedAt: number };
  /** How long a `state` is valid, in seconds. */
  readonly stateTtlSeconds: number;
  free(): void;
}

/** A UseePay client's configuration: MD5 takes `md5Key`; RSA takes `privateKey`, `useepayPublicKey`, or both (at least one). */
export interface UseePayConfig {
  merchantNo: string;
  /** The website domain registered in the UseePay portal (not a WeChat AppID). */
  appId: string;
  signType: 'RSA' | 'MD5';
  /** MD5: the portal's MD5 key (required with MD5, refused with RSA). */
  md5Key?: string;
  /** RSA: your merchant private key, to build requests (without it: verify-only, `build…` throw `ERR_VERIFY_ONLY`). */
  privateKey?: string;
  /** RSA: UseePay's public key from the portal, to verify (without it: `parse…`/`verifyNotify` throw `ERR_NO_PROVIDER_KEY`). */
  useepayPublicKey?: string;
  /** `production` (default), `sandbox`, or a gateway base URL (requests go to `<gateway>/api`). */
  gateway?: string;
  notifyUrl?: string;
  /** Which values the string to sign leaves out: `trim` (default: empty after trimming, as documented) or `exact` (only empty). */
  emptyValues?: 'trim' | 'exact';
  /** Default `auto` (MD5 needs no engine). */
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
  amount: MinorAmount | null;
}

/** The object for `wx.requestPayment(…)`. */
export interface WxRequestPayment {
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: string;
  paySign: string;
}

/** `buildJsapiPay` arguments. */
export type UseePayJsapiPayArgs = { transactionId: string; amount: Money; subAppId: string; subOpenId: string; subject: string; notifyUrl?: string; echoParam?: string; expirationMinutes?: number };

/** What `parseJsapiPay` returns: the result and the object for `wx.requestPayment(…)`. */
export type UseePayJsapiPayResult = UseePayResult & { requestPayment: WxRequestPayment };

/** `buildQuery` arguments: your transaction id, or UseePay's reference. */
export type UseePayQueryArgs = { transactionId: string } | { reference: string };

/** What `parseQuery` returns: the order's state, with every `transactionInfo` field under `transaction`. */
export type UseePayQueryResult = UseePayResult & { transaction: Record<string, unknown> };

/** `buildRefund` arguments. */
export type UseePayRefundArgs = { transactionId: string; originalTransactionId: string; amount: Money; notifyUrl?: string; echoParam?: string };

/** `buildRequest` options: `path` `/api` (default) or `/cashier`. */
export type UseePayRequestOptions = { path?: '/api' | '/cashier' };

/** What `parseResponse` returns: every field as received, and the normalized result (not judged). */
export type UseePayResponse = { fields: Record<string, string>; result: UseePayResult };

/** What `verifyNotify` returns: the verified event, and the reply (HTTP 200 `OK`). */
export type UseePayNotifyResult = { event: UseePayResult & { fields: Record<string, string> }; reply: { status: 200; headers: Record<string, string>; body: 'OK' } };

/**
 * UseePay V1 gateway (WeChat Pay HK and the other wallets on the same envelope). In RSA mode `build…`
 * need `privateKey` (else `ERR_VERIFY_ONLY`) and `parse…`/`verify…` need `useepayPublicKey` (else
 * `ERR_NO_PROVIDER_KEY`). Each `…Async` method returns a Promise of its synchronous twin's result.
 */
export class UseePay {
  constructor(config: UseePayConfig);
  /** WeChat Pay HK JSAPI order for a mini program (`payerInfo.paymentMethod = wechat_jsapi`). */
  buildJsapiPay(args: UseePayJsapiPayArgs): HttpRequest;
  /** `buildJsapiPay` on the asynchronous engine. */
  buildJsapiPayAsync(args: UseePayJsapiPayArgs): Promise<HttpRequest>;
  /** Verifies the JSAPI order response; `requestPayment` is the object for `wx.requestPayment(…)`. */
  parseJsapiPay(raw: string | Uint8Array): UseePayJsapiPayResult;
  /** `parseJsapiPay` on the asynchronous engine. */
  parseJsapiPayAsync(raw: string | Uint8Array): Promise<UseePayJsapiPayResult>;
  /** An order query. */
  buildQuery(args: UseePayQueryArgs): HttpRequest;
  /** `buildQuery` on the asynchronous engine. */
  buildQueryAsync(args: UseePayQueryArgs): Promise<HttpRequest>;
  /** The order's state (from `transactionInfo`), with every `transactionInfo` field under `transaction`. */
  parseQuery(raw: string | Uint8Array): UseePayQueryResult;
  /** `parseQuery` on the asynchronous engine. */
  parseQueryAsync(raw: string | Uint8Array): Promise<UseePayQueryResult>;
  /** A refund of an earlier transaction. */
  buildRefund(args: UseePayRefundArgs): HttpRequest;
  /** `buildRefund` on the asynchronous engine. */
  buildRefundAsync(args: UseePayRefundArgs): Promise<HttpRequest>;
  /** Verifies the refund response. */
  parseRefund(raw: string | Uint8Array): UseePayResult;
  /** `parseRefund` on the asynchronous engine. */
  parseRefundAsync(raw: string | Uint8Array): Promise<UseePayResult>;
  /** Any transaction type / payment method on the envelope (`wechat_native`, `wechat_h5`, `alipay_cn`, `alipay_hk`, …). */
  buildRequest(transactionType: string, fields: Record<string, unknown>, options?: UseePayRequestOptions): HttpRequest;
  /** `buildRequest` on the asynchronous engine. */
  buildRequestAsync(transactionType: string, fields: Record<string, unknown>, options?: UseePayRequestOptions): Promise<HttpRequest>;
  /** Any verified response: every field as received, and the normalized result (not judged). */
  parseResponse(raw: string | Uint8Array): UseePayResponse;
  /** `parseResponse` on the asynchronous engine. */
  parseResponseAsync(raw: string | Uint8Array): Promise<UseePayResponse>;
  /** Verifies a raw notification body over every field received. Reply: HTTP 200 `OK`. */
  verifyNotify(rawBody: string | Uint8Array): UseePayNotifyResult;
  /** `verifyNotify` on the asynchronous engine. */
  verifyNotifyAsync(rawBody: string | Uint8Array): Promise<UseePayNotifyResult>;
  /** Checkout (see `Checkout`): the signed request that creates the order. */
  buildCheckout(order: CheckoutOrder): HttpRequest;
  buildCheckoutAsync(order: CheckoutOrder): Promise<HttpRequest>;
  /** Checkout: the verified reply, and what the buyer's client calls to pay. */
  parseCheckout(order: CheckoutOrder, response: CheckoutResponse | string): CheckoutResult;
  parseCheckoutAsync(order: CheckoutOrder, response: CheckoutResponse | string): Promise<CheckoutResult>;
  /** Checkout: a notification, verified, as the one event, with the exact reply. */
  verifyEvent(notification: IncomingNotification | string | Uint8Array): PaymentEventResult<UseePayNotifyResult['event']>;
  verifyEventAsync(notification: IncomingNotification | string | Uint8Array): Promise<PaymentEventResult<UseePayNotifyResult['event']>>;
  /** Checkout: the order query. */
  buildStatusQuery(query: CheckoutQuery): HttpRequest;
  buildStatusQueryAsync(query: CheckoutQuery): Promise<HttpRequest>;
  /** Checkout: the verified query reply as the one event. */
  parseStatusQuery(query: CheckoutQuery, response: CheckoutResponse | string): PaymentEvent;
  parseStatusQueryAsync(query: CheckoutQuery, response: CheckoutResponse | string): Promise<PaymentEvent>;
  /** Checkout: the refund. */
  buildCheckoutRefund(refund: CheckoutRefund): HttpRequest;
  buildCheckoutRefundAsync(refund: CheckoutRefund): Promise<HttpRequest>;
  /** Checkout: the verified refund reply as the one event. */
  parseCheckoutRefund(refund: CheckoutRefund, response: CheckoutResponse | string): PaymentEvent;
  parseCheckoutRefundAsync(refund: CheckoutRefund, response: CheckoutResponse | string): Promise<PaymentEvent>;
  readonly signType: 'RSA' | 'MD5';
  /** Whether this client can build signed requests (MD5, or RSA with `privateKey`). */
  readonly canSign: boolean;
  /** Whether this client can verify what UseePay sends (MD5, or RSA with `useepayPublicKey`). */
  readonly canVerify: boolean;
  /** The engine of the synchronous methods; `none` with MD5 (no RSA). */
  readonly engine: SyncEngineName | 'none';
  /** The engine of the `…Async` methods; `none` with MD5 (no RSA). */
  readonly asyncEngine: AsyncEngineName | 'none';
  free(): void;
}

/**
 * A WeChat Pay client's configuration. `privateKey` + `merchantSerialNo` sign requests and payment
 * parameters; `platformCertificates` and/or `wechatpayPublicKey` + `wechatpayPublicKeyId` verify (both at
 * once during WeChat's migration to the public key); `apiV3Key` decrypts notifications and certificates.
 * At least one of signing and verifying.
 */
export interface WechatPayConfig {
  /** The merchant id requests are signed as (a service provider's `sp_mchid` in partner mode). */
  mchid: string;
  /** The merchant API private key (`apiclient_key.pem`). Without it the client is verify-only: `build…` and `…Params` throw `ERR_VERIFY_ONLY`. */
  privateKey?: string;
  /** The serial of the merchant API certificate (hex, as the merchant platform shows it); goes with `privateKey`. */
  merchantSerialNo?: string;
  /** The APIv3 key (32 characters): decrypts notifications and downloaded certificates. */
  apiV3Key?: string;
  /** WeChat Pay platform certificate(s): one PEM text (a chain allowed) or a list. */
  platformCertificates?: string | string[];
  /** The WeChat Pay public key (微信支付公钥, SPKI PEM), with its id. */
  wechatpayPublicKey?: string;
  /** The id shown beside the public key: `PUB_KEY_ID_…` (sent as `Wechatpay-Serial` on every request). */
  wechatpayPublicKeyId?: string;
  /** Default `appid` of orders and payment parameters (`sp_appid` in partner mode). */
  appId?: string;
  /** Default `notify_url` of orders and refunds. */
  notifyUrl?: string;
  /** Service-provider (服务商) mode: orders name `sub_mchid`; bodies use `sp_appid`/`sp_mchid`. Default `false`. */
  partner?: boolean;
  /** `mainland` (default, `/v3/…`), `global` (cross-border `/v3/global/…` on apihk; fields encrypted with PKCS#1 v1.5) or `hk` (`/hk/v3/…`). The typed builders cover the mainland API; `buildRequest` any path. */
  api?: 'mainland' | 'global' | 'hk';
  /** Another origin, e.g. the backup `https://api2.mch.weixin.qq.com`. */
  baseUrl?: string;
  /** Default `aggpay/<version>` (WeChat Pay refuses requests without one). */
  userAgent?: string;
  /** Default `auto`. */
  engine?: Engine;
  limits?: InputLimits;
}

/** Options of every WeChat Pay build method: the clock and nonce signed. */
export interface WechatPayStampOptions {
  /** Epoch milliseconds (sent as whole seconds). Default `Date.now()`. */
  now?: number;
  /** 1 to 64 ASCII letters and digits. Default 32 random hex characters (`crypto.getRandomValues`). */
  nonce?: string;
}

/** Options of every WeChat Pay verification. */
export interface WechatPayVerifyOptions {
  /** Epoch milliseconds the 5-minute window is measured from. Default `Date.now()`. */
  now?: number;
}

/** Received headers: a plain object (a list of values for a repeated name), a `Headers`, or `[name, value]` pairs. Names in any case. */
export type WechatPayHeaders = Record<string, string | string[] | undefined> | ReadonlyArray<readonly [string, string]> | (typeof globalThis extends { Headers: { prototype: infer H } } ? H : never);

/** A reply as received (what `send` returns): the exact body, never re-serialized. */
export interface WechatPayResponse {
  status: number;
  headers: WechatPayHeaders;
  /** The exact bytes received ('' for none). */
  body: string | Uint8Array | ArrayBuffer;
}

/** A notification as received: the `Wechatpay-*` headers and the exact raw body. */
export interface WechatPayIncoming {
  headers: WechatPayHeaders;
  /** The raw request body, before any JSON parsing. */
  body: string | Uint8Array | ArrayBuffer;
}

/** Fields of an order (WeChat Pay's own names, sent as given after `appid`/`mchid`); `amount` is `{ minor, currency }` (integer fen). */
export type WechatPayOrder = {
  description: string;
  out_trade_no: string;
  amount: Money;
  /** Default `config.appId` (`sp_appid` in partner mode). */
  appid?: string;
  sp_appid?: string;
  sub_appid?: string;
  /** Partner mode: required. */
  sub_mchid?: string;
  /** Default `config.notifyUrl`. */
  notify_url?: string;
  time_expire?: string;
  attach?: string;
  goods_tag?: string;
  /** JSAPI: `{ openid }` (partner: `{ sp_openid }` or `{ sub_openid }` with `sub_appid`). */
  payer?: { openid?: string; sp_openid?: string; sub_openid?: string };
  /** H5: `{ payer_client_ip, h5_info: { type } }`. */
  scene_info?: Record<string, unknown>;
  [field: string]: unknown;
};

/** A refund (WeChat Pay's names): exactly one of `transaction_id` and `out_trade_no`; amounts as `{ minor, currency }`. */
export type WechatPayRefund = {
  transaction_id?: string;
  out_trade_no?: string;
  out_refund_no: string;
  amount: { refund: Money; total: Money; [field: string]: unknown };
  reason?: string;
  /** Default `config.notifyUrl` when it has one. */
  notify_url?: string;
  /** Partner mode: required. */
  sub_mchid?: string;
  [field: string]: unknown;
};

/** `buildQuery` arguments: WeChat Pay's order id or yours. */
export type WechatPayQueryArgs = ({ transactionId: string; outTradeNo?: undefined } | { outTradeNo: string; transactionId?: undefined }) & { subMchid?: string };

/** `buildRequest` arguments: any APIv3 call. */
export interface WechatPayRequestArgs {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path and query exactly as sent (already percent-encoded), e.g. `/v3/pay/transactions/id/4200…?mchid=…`. */
  path: string;
  /** An object (serialized in its own order; integers only) or JSON text (sent and signed exactly). */
  body?: Record<string, unknown> | unknown[] | string;
  /** The key a field of the body was encrypted with (`encryptField`'s `serial`). */
  wechatpaySerial?: string;
}

/** `buildTradeBill` / `buildFundFlowBill` arguments. */
export interface WechatPayBillArgs {
  /** `YYYY-MM-DD`. */
  billDate: string;
  /** Trade bill: `ALL`, `SUCCESS` or `REFUND`. */
  billType?: string;
  /** Fund-flow bill: `BASIC`, `OPERATION` or `FEES`. */
  accountType?: string;
  /** `GZIP` to compress. */
  tarType?: string;
  /** A service provider's trade bill. */
  subMchid?: string;
}

/** What the bill requests answer (after `verifyResponse`): hand `download_url` to `buildBillDownload`, the file and this to `checkBill`. */
export interface WechatPayBillReply {
  hash_type: string;
  hash_value: string;
  download_url: string;
}

/** A verified WeChat Pay notification as a typed event: the shape of the Alipay and UseePay events. */
export interface WechatPayNotification {
  /** `trade_state` is `SUCCESS`: the buyer has paid. */
  paid: boolean;
  /** `trade_state` as sent; null in refund events. */
  tradeStatus: 'SUCCESS' | 'REFUND' | 'NOTPAY' | 'CLOSED' | 'REVOKED' | 'USERPAYING' | 'PAYERROR' | (string & {}) | null;
  /** `amount.total` in fen of `amount.currency` (CNY when it names none); a paid event always has one. Compare it with your order. */
  amount: MinorAmount | null;
  /** `out_trade_no`: your order id. */
  outTradeNo: string | null;
  /** `transaction_id`: WeChat Pay's order id. */
  tradeNo: string | null;
  /** `appid` (`sp_appid`): check it is yours. */
  appId: string | null;
  /** `mchid` (`sp_mchid`): check it is yours. */
  mchid: string | null;
  /** `sub_mchid` of a service provider's order. */
  subMchid: string | null;
  /** The buyer: `payer.openid` (`sub_openid`, else `sp_openid`). */
  openid: string | null;
  /** The notification's `id`: a notification sent again carries the same one. */
  notifyId: string | null;
  /** `event_type`: `TRANSACTION.SUCCESS`, `REFUND.SUCCESS`, `REFUND.ABNORMAL`, `REFUND.CLOSED`, … */
  notifyType: string | null;
  /** `success_time` (RFC 3339): when the order was paid, or the refund done. */
  successTime: string | null;
  /** The refund, in refund events. */
  refund: WechatPayRefundEvent | null;
  /** The decrypted `resource`, exactly as WeChat Pay sent it (JSON text). */
  plaintext: string;
}

/** The refund a refund notification reports. */
export interface WechatPayRefundEvent {
  /** `SUCCESS`, `CLOSED` (failed, final) or `ABNORMAL` (stuck, not final). */
  refundStatus: 'SUCCESS' | 'CLOSED' | 'ABNORMAL' | (string & {});
  /** `SUCCESS` or `CLOSED`. */
  final: boolean;
  /** `amount.refund`. */
  refunded: MinorAmount;
  outRefundNo: string | null;
  refundId: string | null;
}

/** The answer to a notification: send it as is (`new Response(reply.body, reply)`). */
export interface WechatPayNotifyReply {
  /** 204 once handled; 401 (did not verify) or 500 (anything else) to have WeChat Pay send it again. */
  status: number;
  headers: Record<string, string>;
  /** None for 204; WeChat Pay's failure JSON otherwise. */
  body: string | null;
}

/** What `verifyNotify` returns: the verified event, and the reply (204, no body). */
export interface WechatPayNotifyResult {
  event: WechatPayNotification;
  reply: { status: 204; headers: Record<string, never>; body: null };
}

/** `wx.requestPayment(…)` takes all but `appId`; `WeixinJSBridge.invoke('getBrandWCPayRequest', …)` takes all. */
export interface WechatPayRequestPayment extends WxRequestPayment {
  appId: string;
  signType: 'RSA';
}

/** The App SDK's `PayReq`. */
export interface WechatPayAppPayment {
  appid: string;
  partnerid: string;
  prepayid: string;
  package: 'Sign=WXPay';
  noncestr: string;
  timestamp: string;
  sign: string;
}

/** A platform certificate from `/v3/certificates`, decrypted and checked. */
export interface WechatPayPlatformCertificate {
  /** Upper-case hex: the `Wechatpay-Serial` of what it signs. */
  serialNo: string;
  /** Unix seconds. */
  notBefore: number;
  /** Unix seconds. */
  notAfter: number;
  /** PEM: store it, and configure it as `platformCertificates`. */
  pem: string;
}

/**
 * WeChat Pay APIv3 (direct merchants and service providers; mainland, global and HK APIs). Every `build…`
 * is sans-IO: send the result with `send` or `fetch`, then pass the raw reply to `verifyResponse`. Build and
 * `…Params` methods need `privateKey` (else `ERR_VERIFY_ONLY`); verifications need a platform certificate or
 * the public key (else `ERR_NO_PROVIDER_KEY`). Each `…Async` method returns a Promise of its synchronous twin's result.
 */
export class WechatPay {
  constructor(config: WechatPayConfig);
  /** `POST /v3/pay/transactions/jsapi` (mini programs, official-account pages); partner: `/v3/pay/partner/transactions/jsapi`. */
  buildJsapiPrepay(order: WechatPayOrder, options?: WechatPayStampOptions): HttpRequest;
  /** `buildJsapiPrepay` on the asynchronous engine. */
  buildJsapiPrepayAsync(order: WechatPayOrder, options?: WechatPayStampOptions): Promise<HttpRequest>;
  /** `POST …/transactions/native`: answers `{ code_url }`. */
  buildNativePrepay(order: WechatPayOrder, options?: WechatPayStampOptions): HttpRequest;
  /** `buildNativePrepay` on the asynchronous engine. */
  buildNativePrepayAsync(order: WechatPayOrder, options?: WechatPayStampOptions): Promise<HttpRequest>;
  /** `POST …/transactions/h5` (needs `scene_info.payer_client_ip` and `scene_info.h5_info.type`): answers `{ h5_url }`. */
  buildH5Prepay(order: WechatPayOrder, options?: WechatPayStampOptions): HttpRequest;
  /** `buildH5Prepay` on the asynchronous engine. */
  buildH5PrepayAsync(order: WechatPayOrder, options?: WechatPayStampOptions): Promise<HttpRequest>;
  /** `POST …/transactions/app`: answers `{ prepay_id }` for `appPaymentParams`. */
  buildAppPrepay(order: WechatPayOrder, options?: WechatPayStampOptions): HttpRequest;
  /** `buildAppPrepay` on the asynchronous engine. */
  buildAppPrepayAsync(order: WechatPayOrder, options?: WechatPayStampOptions): Promise<HttpRequest>;
  /** `GET …/transactions/id/{transactionId}` or `…/out-trade-no/{outTradeNo}` with `mchid` (partner: `sp_mchid`, `sub_mchid`). */
  buildQuery(args: WechatPayQueryArgs, options?: WechatPayStampOptions): HttpRequest;
  /** `buildQuery` on the asynchronous engine. */
  buildQueryAsync(args: WechatPayQueryArgs, options?: WechatPayStampOptions): Promise<HttpRequest>;
  /** `POST …/out-trade-no/{outTradeNo}/close`: WeChat Pay answers 204. */
  buildClose(args: { outTradeNo: string; subMchid?: string }, options?: WechatPayStampOptions): HttpRequest;
  /** `buildClose` on the asynchronous engine. */
  buildCloseAsync(args: { outTradeNo: string; subMchid?: string }, options?: WechatPayStampOptions): Promise<HttpRequest>;
  /** `POST /v3/refund/domestic/refunds`. */
  buildRefund(refund: WechatPayRefund, options?: WechatPayStampOptions): HttpRequest;
  /** `buildRefund` on the asynchronous engine. */
  buildRefundAsync(refund: WechatPayRefund, options?: WechatPayStampOptions): Promise<HttpRequest>;
  /** `GET /v3/refund/domestic/refunds/{outRefundNo}`. */
  buildRefundQuery(args: { outRefundNo: string; subMchid?: string }, options?: WechatPayStampOptions): HttpRequest;
  /** `buildRefundQuery` on the asynchronous engine. */
  buildRefundQueryAsync(args: { outRefundNo: string; subMchid?: string }, options?: WechatPayStampOptions): Promise<HttpRequest>;
  /** `GET /v3/certificates` (`/v3/global/certificates`, `/hk/v3/certificates`). */
  buildCertificatesRequest(options?: WechatPayStampOptions): HttpRequest;
  /** `buildCertificatesRequest` on the asynchronous engine. */
  buildCertificatesRequestAsync(options?: WechatPayStampOptions): Promise<HttpRequest>;
  /** Any APIv3 call, signed over the exact path and body. */
  buildRequest(args: WechatPayRequestArgs, options?: WechatPayStampOptions): HttpRequest;
  /** `buildRequest` on the asynchronous engine. */
  buildRequestAsync(args: WechatPayRequestArgs, options?: WechatPayStampOptions): Promise<HttpRequest>;
  /** `GET /v3/bill/tradebill`. */
  buildTradeBill(args: WechatPayBillArgs, options?: WechatPayStampOptions): HttpRequest;
  /** `buildTradeBill` on the asynchronous engine. */
  buildTradeBillAsync(args: WechatPayBillArgs, options?: WechatPayStampOptions): Promise<HttpRequest>;
  /** `GET /v3/bill/fundflowbill`. */
  buildFundFlowBill(args: WechatPayBillArgs, options?: WechatPayStampOptions): HttpRequest;
  /** `buildFundFlowBill` on the asynchronous engine. */
  buildFundFlowBillAsync(args: WechatPayBillArgs, options?: WechatPayStampOptions): Promise<HttpRequest>;
  /** The signed download of the verified bill reply's `download_url` (only on this client's host). Its reply is not signed: send it with `raw: true` and pass the bytes to `checkBill`. */
  buildBillDownload(downloadUrl: string, options?: WechatPayStampOptions): HttpRequest;
  /** `buildBillDownload` on the asynchronous engine. */
  buildBillDownloadAsync(downloadUrl: string, options?: WechatPayStampOptions): Promise<HttpRequest>;
  /** Checks a downloaded bill (the bytes as received) against the verified bill reply's SHA-1: `ERR_SIGNATURE_INVALID` when they differ. */
  checkBill(billReply: WechatPayBillReply, file: BytesInput): void;
  /**
   * Verifies a reply over its raw body and the four `Wechatpay-*` headers (5-minute window, key by serial) and
   * returns the parsed body (`{}` for 204). A 2xx without a signature is `ERR_SIGNATURE_INVALID`; a failure
   * is `ERR_PROVIDER_BUSINESS` (signed) or `ERR_PROVIDER_REJECTED` (unsigned) with WeChat Pay's `code` in
   * `providerCode`, `detail` and, for `SIGN_ERROR`, `signedMessage`.
   */
  verifyResponse(response: WechatPayResponse, options?: WechatPayVerifyOptions): Record<string, any>;
  /** `verifyResponse` on the asynchronous engine. */
  verifyResponseAsync(response: WechatPayResponse, options?: WechatPayVerifyOptions): Promise<Record<string, any>>;
  /** Verifies a notification over its raw body, then decrypts its resource: the event and the reply (204). */
  verifyNotify(notification: WechatPayIncoming, options?: WechatPayVerifyOptions): WechatPayNotifyResult;
  /** `verifyNotify` on the asynchronous engine. */
  verifyNotifyAsync(notification: WechatPayIncoming, options?: WechatPayVerifyOptions): Promise<WechatPayNotifyResult>;
  /** Checkout (see `Checkout`): the signed request that creates the order. */
  buildCheckout(order: CheckoutOrder, options?: WechatPayStampOptions): HttpRequest;
  buildCheckoutAsync(order: CheckoutOrder, options?: WechatPayStampOptions): Promise<HttpRequest>;
  /** Checkout: the verified reply, and what the buyer's client calls to pay. */
  parseCheckout(order: CheckoutOrder, response: CheckoutResponse | string, options?: WechatPayStampOptions): CheckoutResult;
  parseCheckoutAsync(order: CheckoutOrder, response: CheckoutResponse | string, options?: WechatPayStampOptions): Promise<CheckoutResult>;
  /** Checkout: a notification, verified, as the one event, with the exact reply. */
  verifyEvent(notification: IncomingNotification | string | Uint8Array, options?: WechatPayVerifyOptions): PaymentEventResult<WechatPayNotification>;
  verifyEventAsync(notification: IncomingNotification | string | Uint8Array, options?: WechatPayVerifyOptions): Promise<PaymentEventResult<WechatPayNotification>>;
  /** Checkout: the order query. */
  buildStatusQuery(query: CheckoutQuery, options?: WechatPayStampOptions): HttpRequest;
  buildStatusQueryAsync(query: CheckoutQuery, options?: WechatPayStampOptions): Promise<HttpRequest>;
  /** Checkout: the verified query reply as the one event. */
  parseStatusQuery(query: CheckoutQuery, response: CheckoutResponse | string, options?: WechatPayVerifyOptions): PaymentEvent;
  parseStatusQueryAsync(query: CheckoutQuery, response: CheckoutResponse | string, options?: WechatPayVerifyOptions): Promise<PaymentEvent>;
  /** Checkout: the refund. */
  buildCheckoutRefund(refund: CheckoutRefund, options?: WechatPayStampOptions): HttpRequest;
  buildCheckoutRefundAsync(refund: CheckoutRefund, options?: WechatPayStampOptions): Promise<HttpRequest>;
  /** Checkout: the verified refund reply as the one event. */
  parseCheckoutRefund(refund: CheckoutRefund, response: CheckoutResponse | string, options?: WechatPayVerifyOptions): PaymentEvent;
  parseCheckoutRefundAsync(refund: CheckoutRefund, response: CheckoutResponse | string, options?: WechatPayVerifyOptions): Promise<PaymentEvent>;
  /** The reply to a notification that failed, from what was caught: 401 for one that did not verify (bad, probe or stale signature, unknown serial), 500 otherwise. Never throws. */
  static failureReply(error: unknown): WechatPayNotifyReply;
  /** `wx.requestPayment` / `WeixinJSBridge` parameters; `appId` is the app the buyer's openid belongs to (default `config.appId`). */
  requestPaymentParams(args: { prepayId: string; appId?: string }, options?: WechatPayStampOptions): WechatPayRequestPayment;
  /** `requestPaymentParams` on the asynchronous engine. */
  requestPaymentParamsAsync(args: { prepayId: string; appId?: string }, options?: WechatPayStampOptions): Promise<WechatPayRequestPayment>;
  /** App SDK parameters (`partnerid`: `mchid`, or `subMchid` for a service provider). */
  appPaymentParams(args: { prepayId: string; appId?: string; subMchid?: string }, options?: WechatPayStampOptions): WechatPayAppPayment;
  /** `appPaymentParams` on the asynchronous engine. */
  appPaymentParamsAsync(args: { prepayId: string; appId?: string; subMchid?: string }, options?: WechatPayStampOptions): Promise<WechatPayAppPayment>;
  /** Encrypts a sensitive field for WeChat Pay (OAEP-SHA1; PKCS#1 v1.5 on the global API) with the key `serial` names (default: the public key, else the one platform certificate). Send `serial` as `wechatpaySerial`. */
  encryptField(plaintext: string, options?: { serial?: string }): { serial: string; ciphertext: string };
  /** Decrypts a field WeChat Pay encrypted for you (base64 OAEP-SHA1) with the merchant key. */
  decryptField(ciphertext: string): string;
  /** The certificates of a `/v3/certificates` reply, decrypted and checked (serial, validity) but the reply not verified: prefer `verifyCertificates`. */
  decryptCertificates(response: { status: number; body: string | Uint8Array | ArrayBuffer; headers?: WechatPayHeaders }, options?: WechatPayVerifyOptions): WechatPayPlatformCertificate[];
  /** The certificates of a `/v3/certificates` reply, decrypted, checked, and the reply verified with the certificate whose serial signed it (a first download needs no key yet). The client is unchanged: `addPlatformCertificates` adds them. */
  verifyCertificates(response: WechatPayResponse, options?: WechatPayVerifyOptions): WechatPayPlatformCertificate[];
  /** `verifyCertificates` on the asynchronous engine. */
  verifyCertificatesAsync(response: WechatPayResponse, options?: WechatPayVerifyOptions): Promise<WechatPayPlatformCertificate[]>;
  /** Adds platform certificates (PEM texts, or `verifyCertificates`' results) to the key ring; returns their serials. A serial already configured with another key: `ERR_KEY_MISMATCH`, nothing added. */
  addPlatformCertificates(certificates: string | (string | { pem: string })[]): string[];
  readonly mchid: string;
  readonly api: 'mainland' | 'global' | 'hk';
  readonly baseUrl: string;
  readonly partner: boolean;
  /** `PUB_KEY_ID_…` when the public key is configured. */
  readonly publicKeyId: string | undefined;
  /** The WeChat Pay keys in the ring: certificate serials and the public key id, in the order added. */
  readonly wechatpaySerials: string[];
  /** Whether this client can build signed requests and payment parameters (it holds `privateKey`). */
  readonly canSign: boolean;
  /** Whether this client can verify what WeChat Pay sends (a platform certificate or the public key). */
  readonly canVerify: boolean;
  /** Whether this client can decrypt notifications and certificates (it holds `apiV3Key`). */
  readonly canDecrypt: boolean;
  /** The engine of the synchronous methods. */
  readonly engine: SyncEngineName;
  /** The engine of the `…Async` methods. */
  readonly asyncEngine: AsyncEngineName;
  free(): void;
}

// ---------------------------------------------------------------------------------------------
// One order, one event: the checkout model every provider client implements.

/** A wallet an order is paid with. */
export type PayingWallet = Exclude<Wallet, 'other'>;
/** A provider that sends payment messages. */
export type PaymentProvider = 'alipay' | 'wechatpay' | 'useepay';

/** Who pays: an Alipay buyer (`user_id` or OpenID from `alipay.system.oauth.token`), or a WeChat buyer (the `openid` under `appId`: the mini program's, or the official account's for H5). */
export type CheckoutBuyer =
  | { wallet: 'alipay'; userId: string; openId?: never }
  | { wallet: 'alipay'; openId: string; userId?: never }
  | { wallet: 'wechat'; openid: string; appId: string };

/** An order, described once for every provider. */
export interface CheckoutOrder {
  /** Your order id (`out_trade_no`; UseePay's `transactionId`). */
  outTradeNo: string;
  /** Integer minor units, more than zero (Alipay: CNY). */
  amount: Money;
  /** What is bought, as the buyer sees it. */
  subject: string;
  buyer: CheckoutBuyer;
  /** Where the buyer pays: the wallet's mini program or its in-app browser. */
  client: 'mini-program' | 'h5';
  /** Where the provider posts notifications (default: the client's `notifyUrl`). */
  notifyUrl?: string;
}

/** What the buyer's client calls to pay, with exactly the parameters it takes. */
export type CheckoutLaunch =
  | { api: 'my.tradePay' | 'AlipayJSBridge.tradePay'; params: { tradeNO: string } }
  | { api: 'wx.requestPayment'; params: WxRequestPayment }
  | { api: 'WeixinJSBridge.getBrandWCPayRequest'; params: WechatPayRequestPayment };

/** An order the provider accepted. */
export interface CheckoutResult {
  wallet: PayingWallet;
  provider: PaymentProvider;
  outTradeNo: string;
  /** The provider's order id when it gives one now (Alipay `trade_no`, UseePay `reference`); WeChat Pay's comes once paid. */
  tradeNo: string | null;
  launch: CheckoutLaunch;
}

/** A status query: the order, and the wallet that paid (the `Checkout` picks the client by it). */
export interface CheckoutQuery {
  outTradeNo: string;
  wallet?: PayingWallet;
}

/** A refund. `outRefundNo` is its idempotency key with every provider. */
export interface CheckoutRefund {
  outTradeNo: string;
  outRefundNo: string;
  /** More than zero, at most `total`. */
  amount: Money;
  /** The order's total (WeChat Pay requires it), in the same currency. */
  total: Money;
  /** As the buyer sees it (UseePay takes none). */
  reason?: string;
  /** Where refund notifications go (WeChat Pay, UseePay). */
  notifyUrl?: string;
  wallet?: PayingWallet;
}

/** Where a payment or a refund stands, in one vocabulary for every provider. */
export type PaymentStatus = 'pending' | 'paid' | 'failed' | 'closed' | 'refunded';

/** A notification, query result or refund result, from any provider, in one shape. */
export interface PaymentEvent<Raw = unknown> {
  provider: PaymentProvider;
  kind: 'payment' | 'refund';
  /** For a refund: `refunded` (done), `pending`, `failed`. */
  status: PaymentStatus;
  /** Nothing more happens to it (a paid order may still be refunded: false then). */
  final: boolean;
  outTradeNo: string | null;
  /** The provider's order id. */
  tradeNo: string | null;
  outRefundNo: string | null;
  refundId: string | null;
  /** A payment: the order's total (compare it with your order). A refund: this refund's amount, where the provider says it. */
  amount: MinorAmount | null;
  /** The order's refunded total so far, where the provider says it (Alipay `refund_fee`). */
  refundedTotal: MinorAmount | null;
  /** RFC 3339. */
  time: string | null;
  /** The same notification delivered again carries the same id (UseePay: `{transactionType}:{transactionId}:{resultCode}`); null for queries. */
  notifyId: string | null;
  /** The provider's own status word. */
  providerStatus: string | null;
  /** The provider's own event or result. */
  raw: Raw;
}

/** What `verifyEvent` returns: the event, and the provider's exact reply. */
export interface PaymentEventResult<Raw = unknown> {
  event: PaymentEvent<Raw>;
  reply: NotifyReply;
}

/** The answer to a notification: send it as is. */
export interface NotifyReply {
  status: number;
  headers: Record<string, string>;
  body: string | null;
}

/** A notification as received: its headers and exact body (Alipay and UseePay read only the body; the raw body alone is taken too). */
export interface IncomingNotification {
  headers?: WechatPayHeaders;
  body: string | Uint8Array;
}

/** A reply as `send` returns it (Alipay and UseePay read only the body; the raw body alone is taken too). */
export type CheckoutResponse = RawResponse | { status: number; headers: WechatPayHeaders; body: string | Uint8Array };

/**
 * The one-code checkout: the client configured for each wallet (`alipay`: an `Alipay`; `wechat`: a
 * `WechatPay` or a `UseePay`), and each provider's client by name. `options` go to the client
 * (Alipay request options; WeChat Pay `{ now, nonce }`).
 */
export class Checkout {
  constructor(config: { alipay?: Alipay; wechat?: WechatPay | UseePay });
  /** The provider that serves `wallet`. */
  providerFor(wallet: PayingWallet): PaymentProvider;
  /** The signed request that creates the order with the buyer's wallet's provider. */
  buildOrder(order: CheckoutOrder, options?: AlipayRequestOptions | WechatPayStampOptions): HttpRequest;
  buildOrderAsync(order: CheckoutOrder, options?: AlipayRequestOptions | WechatPayStampOptions): Promise<HttpRequest>;
  /** The verified reply, and what the buyer's client calls to pay. */
  parseOrder(order: CheckoutOrder, response: CheckoutResponse | string, options?: WechatPayStampOptions): CheckoutResult;
  parseOrderAsync(order: CheckoutOrder, response: CheckoutResponse | string, options?: WechatPayStampOptions): Promise<CheckoutResult>;
  /** A notification from `provider`, verified, as the one event, with the provider's exact reply. */
  verifyEvent(provider: PaymentProvider, notification: IncomingNotification, options?: WechatPayVerifyOptions): PaymentEventResult;
  verifyEventAsync(provider: PaymentProvider, notification: IncomingNotification, options?: WechatPayVerifyOptions): Promise<PaymentEventResult>;
  /** The reply to a notification that could not be accepted (the error caught). Never throws for the error. */
  failureReply(provider: PaymentProvider, error: unknown): NotifyReply;
  buildQuery(query: CheckoutQuery & { wallet: PayingWallet }, options?: AlipayRequestOptions | WechatPayStampOptions): HttpRequest;
  buildQueryAsync(query: CheckoutQuery & { wallet: PayingWallet }, options?: AlipayRequestOptions | WechatPayStampOptions): Promise<HttpRequest>;
  /** The verified query reply as the one event (a payment). */
  parseQuery(query: CheckoutQuery & { wallet: PayingWallet }, response: CheckoutResponse | string, options?: WechatPayVerifyOptions): PaymentEvent;
  parseQueryAsync(query: CheckoutQuery & { wallet: PayingWallet }, response: CheckoutResponse | string, options?: WechatPayVerifyOptions): Promise<PaymentEvent>;
  buildRefund(refund: CheckoutRefund & { wallet: PayingWallet }, options?: AlipayRequestOptions | WechatPayStampOptions): HttpRequest;
  buildRefundAsync(refund: CheckoutRefund & { wallet: PayingWallet }, options?: AlipayRequestOptions | WechatPayStampOptions): Promise<HttpRequest>;
  /** The verified refund reply as the one event (a refund). */
  parseRefund(refund: CheckoutRefund & { wallet: PayingWallet }, response: CheckoutResponse | string, options?: WechatPayVerifyOptions): PaymentEvent;
  parseRefundAsync(refund: CheckoutRefund & { wallet: PayingWallet }, response: CheckoutResponse | string, options?: WechatPayVerifyOptions): Promise<PaymentEvent>;
}

// ---------------------------------------------------------------------------------------------
// What a signature covers ("签名错误" support).

/** A message to explain: one provider's request, response or notification, as sent or received. */
export type ExplainInput =
  | { provider: 'alipay'; request: { url: string; body?: string }; reported?: string }
  | { provider: 'alipay'; notification: string; rule?: 'payment' | 'gateway'; reported?: string }
  | { provider: 'alipay'; response: string; method: string; reported?: string }
  | { provider: 'wechatpay'; request: { method: string; url: string; body?: string; authorization: string }; reported?: string }
  | { provider: 'wechatpay'; response: { headers: WechatPayHeaders; body: string }; reported?: string }
  | { provider: 'wechatpay'; notification: { headers: WechatPayHeaders; body: string }; reported?: string }
  | { provider: 'useepay'; request: string; emptyValues?: 'trim' | 'exact'; reported?: string }
  | { provider: 'useepay'; response: string; emptyValues?: 'trim' | 'exact'; reported?: string }
  | { provider: 'useepay'; notification: string; emptyValues?: 'trim' | 'exact'; reported?: string };

/** Where a provider's report of the signed text first differs from ours. */
export interface SignedDifference {
  /** Character index of the first difference. */
  index: number;
  /** Up to 40 characters of ours from a little before it. */
  ours: string;
  /** The same stretch of theirs. */
  theirs: string;
  /** Theirs stops where ours goes on (a truncated report). */
  theirsEnds: boolean;
}

/** What a message's signature covers. */
export interface Explained {
  provider: PaymentProvider;
  message: 'request' | 'response' | 'notification';
  /** `RSA2`, `RSA`, `WECHATPAY2-SHA256-RSA2048`, `MD5`, as the message declares it. */
  scheme: string;
  /** The texts the signature may be over, in the order a verifier tries them. */
  signed: string[];
  signature: string | null;
  /** The key the message names (Alipay certificate SN, WeChat Pay serial). */
  key: string | null;
  /** What else the signature covers that is not shown (an MD5 key). */
  note: string | null;
  /** The signed text taken from `reported` (Alipay's 验签字符串 in its error, WeChat Pay's `truncated_sign_message`, or the text itself). */
  reported: string | null;
  /** Where `reported` first differs from the closest of `signed`; null when it is one of them. */
  difference: SignedDifference | null;
}

/** What a message's signature covers, built by the same code that signs and verifies; no key needed. */
export function explain(input: ExplainInput): Explained;
/** Where `theirs` first differs from `ours`, or null when they are the same. */
export function firstDifference(ours: string, theirs: string): SignedDifference | null;
