// aggpay/sandbox: local emulations of Alipay (OpenAPI v2 and v3, public-key and certificate mode), WeChat login / OAuth, WeChat Pay and
// UseePay for a merchant's tests (Node only).

/** The emulations startSandbox can start. */
export type SandboxProvider = 'alipay' | 'wechat-login' | 'wechatpay' | 'useepay';
/** The emulations that take payments (and notify). */
export type PaymentProvider = 'alipay' | 'wechatpay' | 'useepay';
/** How a notification is delivered to the merchant's notify URL. */
export type DeliveryMode = 'now' | 'late' | 'twice' | 'retry' | 'none';

export const PROVIDERS: readonly SandboxProvider[];
export const DELIVERY_MODES: readonly DeliveryMode[];
/** The providers' intervals between notification attempts, in milliseconds. */
export const RETRY_SCHEDULES: { readonly alipay: readonly number[]; readonly wechatpay: readonly number[]; readonly useepay: readonly number[] };

export interface DeliveryOptions {
  /** Default `now`: once, right away. `late`: once after `delayMs`. `twice`: the identical notification twice. `retry`: on the provider's schedule until accepted. `none`: not at all. */
  delivery?: DeliveryMode;
  /** For `late`: default 1000. */
  delayMs?: number;
  /** Multiplies the retry schedule (e.g. 1/10000 makes Alipay's 4 minutes 24 ms). Default 1. */
  timeScale?: number;
  /** Retry each copy until the merchant's reply is accepted (implied by `retry`). */
  retry?: boolean;
  /** Resolve the control call after the deliveries (default: every mode but `late`). */
  wait?: boolean;
}

/** One notification attempt. */
export interface Delivery {
  provider: PaymentProvider;
  kind: 'payment' | 'close' | 'refund' | 'probe';
  /** Alipay's trade_status, WeChat Pay's event_type, UseePay's resultCode. */
  event: string;
  /** The merchant's id: out_trade_no, or UseePay's transactionId (a refund's own). */
  id: string | null;
  refundId?: string;
  url: string;
  copy: number;
  attempt: number;
  probe: boolean;
  /** ISO time of the attempt. */
  at: string;
  sent: { headers: Record<string, string>; body: string };
  /** The merchant's HTTP status, null when it could not be reached. */
  status: number | null;
  replyBody: string | null;
  /** Whether the provider takes the reply as received (Alipay: body `success`; WeChat Pay: 200/204; UseePay: 200). */
  accepted: boolean;
  error?: string;
}

/** What a control call on a trade resolves. */
export interface ControlResult {
  provider: PaymentProvider;
  /** The merchant's id (out_trade_no; UseePay's transactionId). */
  outTradeNo: string;
  /** The provider's id (Alipay trade_no, WeChat Pay transaction_id, UseePay reference), when there is one. */
  providerId: string | null;
  /** The trade's state afterwards, in the provider's words (TRADE_SUCCESS, SUCCESS, succeed, …). */
  status: string;
  deliveries: Delivery[];
  /** `fail` only: what the wallet's payment call returns to the app. */
  clientResult?: Record<string, string>;
}

export interface TradeControl extends DeliveryOptions {
  /** Which emulation; may be left out when only one is started or only one knows `id`. */
  provider?: PaymentProvider;
  /** The merchant's out_trade_no / transactionId, or the provider's id. */
  id: string;
}

/**
 * The Alipay app as registered: public-key mode (default), or certificate mode (`certMode: true`), where the sandbox
 * issues the app certificate for `appPublicKeyPem` unless you give `appCertPem`. `{ certMode: true }` alone: a
 * generated app (returned in `merchant.alipay`, with its certificate).
 */
export type AlipayRegistration =
  | { appId: string; appPublicKeyPem: string; certMode?: false }
  | { appId: string; certMode: true; appPublicKeyPem: string; appCertPem?: string }
  | { appId: string; certMode: true; appCertPem: string; appPublicKeyPem?: string }
  | { certMode: true };

/** The merchant's credentials as registered with each provider. PEMs are SPKI (public) or PKCS#8 (private). */
export interface MerchantRegistration {
  alipay?: AlipayRegistration;
  wechat?: { apps: { appId: string; appSecret: string }[] };
  wechatpay?: { mchid: string; appId: string; merchantSerial: string; merchantPublicKeyPem: string; apiV3Key: string };
  useepay?: { merchantNo: string; appId?: string; signType?: 'RSA' | 'MD5'; md5Key?: string; merchantPublicKeyPem?: string };
}

/** Credentials generated the way each console hands them out (generateMerchantKeys, or `merchant` of a sandbox). */
export interface GeneratedMerchantKeys {
  /** `appCertPem`: in certificate mode, the app certificate the sandbox issued for it (appCertPublicKey_<appId>.crt). */
  alipay: { appId: string; privateKeyPem: string; publicKeyPem: string; appCertPem?: string };
  wechat: { apps: { appId: string; appSecret: string }[] };
  wechatpay: { mchid: string; appId: string; merchantSerial: string; apiV3Key: string; privateKeyPem: string; publicKeyPem: string };
  useepay: { merchantNo: string; appId: string; signType: 'RSA'; md5Key: string; privateKeyPem: string; publicKeyPem: string };
}

export interface SandboxOptions extends MerchantRegistration {
  /** Default: all of PROVIDERS. */
  providers?: SandboxProvider[];
  /** The default delivery of notifications no control call started (refunds), and of control calls' defaults. */
  delivery?: DeliveryOptions;
  /** The control server's port on 127.0.0.1 (default: a free one). */
  controlPort?: number;
  /** Gets one line per request and notification. */
  log?: (line: string) => void;
}

/** The public description (sandbox.json). */
export interface SandboxDescription {
  control: string;
  alipay?: {
    gateway: string; endpoint: string; appId: string; certMode: boolean; alipayPublicKeyPem: string;
    /** Certificate mode only: the certificate files and their SNs (alipayCert… and alipayCertSn as of the description). */
    alipayCertPem?: string; alipayCertSn?: string; alipayRootCertPem?: string; alipayRootCertSn?: string; appCertPem?: string; appCertSn?: string;
  };
  wechat?: { apiBase: string; oauthBase: string; appIds: string[] };
  wechatpay?: {
    baseUrl: string; mchid: string; appId: string; merchantSerial: string; platformSerial: string; platformCertificatePem: string;
    wechatpayPublicKeyId: string; wechatpayPublicKeyPem: string;
  };
  useepay?: { gateway: string; gatewayUrl: string; merchantNo: string; appId: string; signType: 'RSA' | 'MD5'; useepayPublicKeyPem: string };
  retrySchedulesMs: { alipay: readonly number[]; wechatpay: readonly number[]; useepay: readonly number[] };
}

/** An emulation's own server object (the start… functions'); its extra test hooks are not part of the stable API. */
export interface EmulationServer {
  readonly deliveries: Delivery[];
  idle(): Promise<void>;
  close(): Promise<void>;
  [hook: string]: unknown;
}

interface SandboxAlipayCommon {
  /** The v2 gateway (`…/gateway.do`), and the v3 endpoint on the same host (`POST /v3/alipay/…`). */
  gateway: string; endpoint: string; appId: string; server: EmulationServer;
  /** The Alipay public key that signs now (certificate mode: the current certificate's; it changes on rotation). */
  readonly alipayPublicKeyPem: string;
}
/** The Alipay emulation in public-key mode. */
export interface SandboxAlipayPublicKeyMode extends SandboxAlipayCommon {
  certMode: false;
  /** Spread into `new Alipay({ ...clientConfig, privateKey, notifyUrl })`. */
  clientConfig: { appId: string; gateway: string; alipayPublicKey: string };
}
/** The Alipay emulation in certificate mode: the files as Alipay's console hands them out, and their SNs. */
export interface SandboxAlipayCertMode extends SandboxAlipayCommon {
  certMode: true;
  /** Alipay's current certificate file (the leaf, then its CA) and SN; both change on rotateCertificate({ provider: 'alipay' }). */
  readonly alipayCertPem: string; readonly alipayCertSn: string;
  alipayRootCertPem: string; alipayRootCertSn: string;
  /** The app certificate: yours as registered, or the one the sandbox issued for your app public key. */
  appCertPem: string; appCertSn: string;
  /** Spread into `new Alipay({ ...clientConfig, privateKey, notifyUrl })`; `alipayCert` is the current one. */
  clientConfig: { appId: string; gateway: string; appCert: string; readonly alipayCert: string; alipayRootCert: string };
}

export interface Sandbox {
  /** The control server, e.g. `http://127.0.0.1:41234`: `POST /control/<op>` with the same JSON as the methods below. */
  readonly controlUrl: string;
  /** Credentials the sandbox generated for providers started without the merchant's (private keys included). */
  readonly merchant: Partial<GeneratedMerchantKeys>;
  readonly alipay?: SandboxAlipayPublicKeyMode | SandboxAlipayCertMode;
  readonly wechat?: { apiBase: string; oauthBase: string; appIds: string[]; server: EmulationServer };
  readonly wechatpay?: {
    baseUrl: string; mchid: string; appId: string; merchantSerial: string;
    /** The platform certificate that signs now, and its serial (they change on rotateCertificate). */
    readonly platformSerial: string; readonly platformCertificatePem: string;
    wechatpayPublicKeyId: string; wechatpayPublicKeyPem: string; server: EmulationServer;
    /** Spread into `new WechatPay({ ...clientConfig, privateKey, notifyUrl })`. */
    clientConfig: { mchid: string; appId: string; merchantSerialNo: string; apiV3Key: string; baseUrl: string; wechatpayPublicKey: string; wechatpayPublicKeyId: string };
  };
  readonly useepay?: {
    /** The base URL (UseePay client's `gateway`); `gatewayUrl` is the `/api` endpoint. */
    gateway: string; gatewayUrl: string; merchantNo: string; appId: string; signType: 'RSA' | 'MD5'; useepayPublicKeyPem: string; server: EmulationServer;
    /** Spread into `new UseePay({ ...clientConfig, privateKey | md5Key, notifyUrl })`. */
    clientConfig: { merchantNo: string; appId: string; signType: 'RSA' | 'MD5'; gateway: string; useepayPublicKey?: string };
  };

  /** The buyer pays; the payment notification is delivered as asked. */
  pay(args: TradeControl): Promise<ControlResult>;
  /** The unpaid trade closes (Alipay TRADE_CLOSED and UseePay `closed` notify; WeChat Pay does not). */
  cancel(args: TradeControl): Promise<ControlResult>;
  /** The payment fails (UseePay `failed` notifies; Alipay and WeChat Pay do not). */
  fail(args: TradeControl): Promise<ControlResult>;
  /** A trade's state as the emulation holds it. */
  trade(args: { provider?: PaymentProvider; id: string }): Promise<{ provider: PaymentProvider } & Record<string, unknown>>;
  /** The default delivery of notifications no control call started (refunds), for one provider or all. */
  configure(args: DeliveryOptions & { provider?: PaymentProvider }): Promise<{ ok: true }>;
  /**
   * WeChat Pay (the default): a new platform certificate signs from now on; the previous one stays listed by /v3/certificates.
   * `{ provider: 'alipay' }` (certificate mode): Alipay's new certificate signs answers and notifications from now on;
   * `serial` is its SN (alipay_cert_sn), `pem` the file alipay.open.app.alipaycert.download hands out.
   */
  rotateCertificate(args?: { provider?: 'wechatpay' | 'alipay' }): Promise<{ provider: 'wechatpay' | 'alipay'; serial: string; previousSerial: string; pem: string }>;
  /** WeChat Pay: a `WECHATPAY/SIGNTEST/` probe notification to `url` (default: the notify_url of order `id`, or of the latest order). */
  probe(args?: { provider?: 'wechatpay'; url?: string; id?: string }): Promise<{ provider: 'wechatpay'; deliveries: Delivery[] }>;
  /** A code from wx.login (`kind: 'login'`) or an official account's snsapi_base redirect (`kind: 'oauth'`). */
  issueCode(args?: { kind?: 'login' | 'oauth'; appId?: string; openid?: string; unionid?: boolean; scope?: string; snapshot?: boolean }): Promise<{ code: string }>;
  /** Every notification attempt so far, oldest first. */
  deliveries(args?: { provider?: PaymentProvider }): Promise<Delivery[]>;
  /** Resolves when no notification is under way (late and retried ones included). */
  idle(): Promise<{ ok: true }>;
  /** The public description: URLs, ids, the sandbox's public keys and certificates. */
  describe(): SandboxDescription;
  /** Stops every emulation (cancelling scheduled notifications) and the control server. */
  close(): Promise<void>;
}

export function startSandbox(options?: SandboxOptions): Promise<Sandbox>;
export function generateMerchantKeys(): Promise<GeneratedMerchantKeys>;

/** The individual emulations (what startSandbox starts); see the module comments in pkg/sandbox/. */
export function startAlipayGateway(options: {
  appId: string; appPublicKeyPem?: string; certMode?: boolean; appCertPem?: string; delivery?: DeliveryOptions; log?: (line: string) => void;
}): Promise<
  EmulationServer & {
    url: string; endpoint: string; certMode: boolean; readonly alipayPublicKeyPem: string;
    /** Certificate mode only (undefined otherwise). */
    readonly alipayCertPem?: string; readonly alipayCertSn?: string; alipayRootCertPem?: string; alipayRootCertSn?: string; appCertPem?: string; appCertSn?: string;
    rotateCertificate(): Promise<{ serial: string; previousSerial: string; pem: string }>;
  }
>;
export function startWechatLogin(options: { appId?: string; appSecret?: string; apps?: { appId: string; appSecret: string }[]; log?: (line: string) => void }): Promise<{
  apiBase: string;
  issueCode(openid?: string, options?: { unionid?: boolean; appId?: string }): string;
  issueOauthCode(openid?: string, options?: { unionid?: boolean; appId?: string; scope?: string; snapshot?: boolean }): string;
  expireCode(code: string): void;
  encryptUserData(sessionKey: string, object: Record<string, unknown>): { encryptedData: string; iv: string };
  close(): Promise<void>;
}>;
export function startWechatPayGateway(options: {
  /** `appIds`: more apps bound to the merchant id (a JSAPI order may be for `appId` or any of them). */
  mchid: string; appId: string; appIds?: string[]; apiV3Key: string; merchantSerialNo: string; merchantPublicKey: string | object; delivery?: DeliveryOptions; log?: (line: string) => void;
}): Promise<EmulationServer & { apiBase: string; platformCertificatePem: string; platformSerial: string; publicKeyPem: string; publicKeyId: string }>;
export function startUseePayGateway(options: {
  merchantNo: string; appId: string; signType?: 'RSA' | 'MD5'; md5Key?: string; merchantPublicKeyPem?: string; useDocsSpelling?: boolean;
  delivery?: DeliveryOptions; log?: (line: string) => void;
}): Promise<EmulationServer & { gateway: string; useepayPublicKeyPem: string; wechatPayPublicKeyPem: string }>;

/** A bounded HTTP server on 127.0.0.1 (a free port): handy for a test's notify endpoint. `body` is null when over `maxBody`. */
export function startServer(
  handler: (req: { method?: string; url?: string; headers: Record<string, string | string[] | undefined> }, body: Uint8Array | null) =>
    | { status: number; headers?: Record<string, string>; body?: string | Uint8Array | null }
    | Promise<{ status: number; headers?: Record<string, string>; body?: string | Uint8Array | null }>,
  options?: { maxBody?: number; timeoutMs?: number; port?: number },
): Promise<{ url: string; port: number; close(): Promise<void> }>;
