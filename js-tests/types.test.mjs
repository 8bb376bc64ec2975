// pkg/types/index.d.ts: a strict TypeScript consumer type-checks against it (node16 and bundler
// resolution, ESM and CommonJS consumers), the real global `fetch` is a FetchLike (DOM, webworker and
// @types/node-style globals), and every runtime export (and every method, getter and primitive) is
// declared, and every declared value exists at runtime.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import ts from 'typescript';
import * as runtime from 'aggpay';
import { makeLinkedProject, pkgDir, removeDir, repoRoot, run } from './helpers.mjs';

const TSC = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
const DTS = path.join(pkgDir, 'types', 'index.d.ts');

/** Uses the API the way an application would; the @ts-expect-error lines must stay errors. */
const CONSUMER = `
import { AggpayError, Alipay, Certificate, RsaSigner, RsaVerifier, UseePay, WechatPay, primitives, send } from 'aggpay';
import type {
  AggpayErrorCode, AlipayConfig, AlipaySdkOrder, AlipayWapPayPage, AlipayNotification, AlipayNotifyResult, AlipayOauthToken, AlipayTradeQueryResult, AsyncEngineName, BytesInput, Engine, FetchLike, HashName,
  HttpRequest, KeyOptions, MinorAmount, RawResponse, SendOptions, SyncEngineName, UseePayConfig, UseePayResult, WechatPayAppPayment, WechatPayBillReply, WechatPayConfig,
  WechatPayIncoming, WechatPayNotification, WechatPayNotifyReply, WechatPayNotifyResult, WechatPayOrder, WechatPayPlatformCertificate, WechatPayRequestPayment,
  WechatPayStampOptions, WxRequestPayment,
} from 'aggpay';

const options: KeyOptions = { engine: 'wasm', role: 'app private key' };
const signer = new RsaSigner('-----BEGIN PRIVATE KEY-----', options);
const hash: HashName = 'sha1';
const signature: Uint8Array = signer.sign('message', hash);
const signatureOfBytes: Uint8Array = signer.sign(new Uint8Array([1, 2, 3]));
const signatureOfBuffer: Uint8Array = signer.sign(new ArrayBuffer(3));
const signatureBase64: string = signer.signBase64('message', 'sha256');
const plaintext: Uint8Array = signer.decryptOaep(signature);
const spki: Uint8Array = signer.publicKeySpki();
const bits: number = signer.bits;
const where: 'node' | 'wasm' = signer.engine;
const whereAsync: 'node' | 'wasm' | 'webcrypto' = signer.asyncEngine;
signer.free();

const engine: Engine = 'auto';
const engines: Engine[] = ['auto', 'node', 'wasm', 'webcrypto'];
const verifier = new RsaVerifier('-----BEGIN PUBLIC KEY-----', { engine });
const valid: boolean = verifier.verify('message', signature, 'sha256');
const validOfBuffer: boolean = verifier.verify(new Uint8Array(1), new ArrayBuffer(256));
const validBase64: boolean = verifier.verifyBase64('message', signatureBase64, 'sha1');
const oaep: Uint8Array = verifier.encryptOaep('secret');
const pkcs1: Uint8Array = verifier.encryptPkcs1v15(new Uint8Array(4));
const verifierBits: number = verifier.bits;
const verifierEngines: [SyncEngineName, AsyncEngineName] = [verifier.engine, verifier.asyncEngine];

const certificate: Certificate = Certificate.parse('-----BEGIN CERTIFICATE-----');
const chain: Certificate[] = Certificate.parseChain('-----BEGIN CERTIFICATE-----');
const facts: [string, string, string, string, number, number, string, string, Uint8Array] = [
  certificate.serialDecimal, certificate.serialHex, certificate.issuer, certificate.subject,
  certificate.notBefore, certificate.notAfter, certificate.signatureAlgorithm, certificate.publicKeyAlgorithm, certificate.der,
];

const input: BytesInput = 'text';
const digests: Uint8Array[] = [
  primitives.md5(input), primitives.sha256(input), primitives.hmacSha256('key', input),
  primitives.aesGcmDecrypt('k', 'n', 'aad', input), primitives.aesCbcEncrypt('k', 'iv', input),
  primitives.aesCbcDecrypt('k', 'iv', input), primitives.aesEcbDecrypt('k', input),
];
const same: boolean = primitives.timingSafeEqual('a', 'b');

// RSA on the asynchronous engine: every …Async method returns a Promise of its twin's result.
async function rsaAsync(): Promise<void> {
  const web = new RsaSigner('-----BEGIN PRIVATE KEY-----', { engine: 'webcrypto' });
  const asyncEngine: AsyncEngineName = web.asyncEngine;
  const isWebCrypto: boolean = web.asyncEngine === 'webcrypto';
  const pending: Promise<Uint8Array> = web.signAsync('message');
  const bytes: Uint8Array = await pending;
  const sha1: Uint8Array = await web.signAsync(new Uint8Array(2), 'sha1');
  const text: string = await web.signBase64Async('message');
  const checker = new RsaVerifier('-----BEGIN PUBLIC KEY-----', { engine: 'webcrypto', role: 'Alipay public key' });
  const checks: boolean[] = [
    await checker.verifyAsync('message', bytes),
    await checker.verifyAsync('message', sha1.slice(), 'sha1'),
    await checker.verifyBase64Async('message', text),
    await checker.verifyBase64Async(new Uint8Array(1), text, 'sha256'),
  ];
  void [asyncEngine, isWebCrypto, checks];
}

// Alipay: a full client, a verify-only one (no privateKey), a rotated-certificate one.
const alipayConfig: AlipayConfig = {
  appId: '2021000000000000',
  privateKey: '-----BEGIN PRIVATE KEY-----',
  appCert: '-----BEGIN CERTIFICATE-----',
  alipayCert: '-----BEGIN CERTIFICATE-----',
  alipayRootCert: '-----BEGIN CERTIFICATE-----',
  engine: 'webcrypto',
};
const alipay = new Alipay(alipayConfig);
const verifyOnlyConfig: AlipayConfig = { appId: '2021000000000000', alipayPublicKey: 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA' };
const verifyOnly = new Alipay(verifyOnlyConfig);
const rotating = new Alipay({ appId: '2021000000000000', alipayCert: ['-----BEGIN CERTIFICATE-----', '-----BEGIN CERTIFICATE-----'] });
const signOnly = new Alipay({ appId: '2021000000000000', privateKey: '-----BEGIN PRIVATE KEY-----', engine: 'node' });
const sns: string[] = rotating.alipayCertSns;
const sn: string | undefined = rotating.alipayCertSn;
const snsOfApp: [string | undefined, string | undefined] = [alipay.appCertSn, alipay.alipayRootCertSn];
const abilities: boolean[] = [verifyOnly.canSign, verifyOnly.canVerify, signOnly.canSign, signOnly.canVerify];
const alipayEngines: [SyncEngineName, AsyncEngineName] = [alipay.engine, alipay.asyncEngine];
const facade: [string, 'RSA2' | 'RSA', string] = [alipay.appId, alipay.signType, alipay.gateway];

const trade = { out_trade_no: 'T1', total_amount: { minor: 1, currency: 'CNY' }, subject: 'Tea' };
const builtSync: HttpRequest[] = [
  alipay.buildRequest('alipay.trade.query', { out_trade_no: 'T1' }, { appAuthToken: 't' }),
  alipay.buildOauthToken({ code: 'c' }),
  alipay.buildTradeCreate({ ...trade, buyer_open_id: 'o' }),
  alipay.buildTradeQuery({ out_trade_no: 'T1' }),
  alipay.buildTradeClose({ trade_no: '2024' }),
  alipay.buildTradeRefund({ out_trade_no: 'T1', refund_amount: '0.01' }),
  alipay.buildRefundQuery({ out_trade_no: 'T1', out_request_no: 'R1' }),
  alipay.buildTradePrecreate(trade),
  alipay.buildV3Request({ path: '/v3/alipay/trade/query', body: { out_trade_no: 'T1' } }),
];
const wapSync: { url: string; form: string; params: Record<string, string> } = alipay.buildWapPay(trade, { returnUrl: 'https://shop.example/r' });
const pageSync: { url: string; form: string; params: Record<string, string> } = alipay.buildPagePay(trade, { returnUrl: 'https://shop.example/r' });
const appOrder: string = alipay.buildAppPay(trade).orderStr;
const sdkOrder: Record<string, string> = alipay.buildSdkOrder('alipay.fund.auth.order.app.freeze', { out_order_no: 'F1' }).params;
const moreSync: HttpRequest[] = [
  alipay.buildTradeCancel({ out_trade_no: 'T1' }),
  alipay.buildBillDownloadUrlQuery({ bill_type: 'trade', bill_date: '2026-01' }),
  alipay.buildAlipayCertDownload({ alipay_cert_sn: 'abc' }),
];
const rotated: { alipayCertSn: string; pem: string; notBefore: number; notAfter: number } = alipay.addAlipayCertFromDownload('{}', { alipayCertSn: 'abc', now: 0 });
// @ts-expect-error the SN asked for is required
alipay.addAlipayCertFromDownload('{}', {});
const cancelAction: string | undefined = verifyOnly.parseResponse('alipay.trade.cancel', '{}').action;
const billUrl: string = verifyOnly.parseResponse('alipay.data.dataservice.bill.downloadurl.query', '{}').bill_download_url;
void [pageSync, appOrder, sdkOrder, moreSync, rotated, cancelAction, billUrl];
const nodeSync: AlipayTradeQueryResult = verifyOnly.parseResponse('alipay.trade.query', '{}');
const status: 'WAIT_BUYER_PAY' | 'TRADE_CLOSED' | 'TRADE_SUCCESS' | 'TRADE_FINISHED' = nodeSync.trade_status;
const token: AlipayOauthToken = verifyOnly.parseResponse('alipay.system.oauth.token', '{}');
const buyer: string | undefined = token.open_id ?? token.user_id;
// @ts-expect-error a misspelt field of a typed result is an error
void token.opne_id;
const anyMethod: unknown = verifyOnly.parseResponse('alipay.data.bill.downloadurl.query', '{}').bill_download_url;
const qrCode: string = verifyOnly.parseResponse('alipay.trade.precreate', '{}').qr_code;
const refundFee: string = verifyOnly.parseResponse('alipay.trade.refund', '{}').refund_fee;
void [status, buyer, anyMethod, qrCode, refundFee];
const notifySync: AlipayNotifyResult = verifyOnly.verifyNotify('a=b', { rule: 'gateway' });
const returnSync: Record<string, string> = verifyOnly.verifyReturn('a=b');
const v3Sync: Record<string, any> = verifyOnly.verifyV3Response({ status: 200, headers: {}, body: '{}' });
const payParams: { tradeNO: string } = alipay.tradePayParams({ trade_no: '2024' });
const payParamsOfResult: { tradeNO: string } = alipay.tradePayParams(alipay.parseResponse('alipay.trade.create', '{}'));
const qr: { qrCode: string; params: Record<string, string> } | null = Alipay.launchQrCode({ query: {} });

async function alipayAsync(): Promise<void> {
  const built: HttpRequest[] = [
    await alipay.buildRequestAsync('alipay.trade.query', '{"out_trade_no":"T1"}'),
    await alipay.buildOauthTokenAsync({ refreshToken: 'r' }, { timestamp: 0 }),
    await alipay.buildTradeCreateAsync(trade),
    await alipay.buildTradeQueryAsync({ trade_no: '2024' }),
    await alipay.buildTradeCloseAsync({ out_trade_no: 'T1' }),
    await alipay.buildTradeRefundAsync({ trade_no: '2024', refund_amount: { minor: 1, currency: 'CNY' } }),
    await alipay.buildRefundQueryAsync({ trade_no: '2024', out_request_no: 'R1' }),
    await alipay.buildTradePrecreateAsync(trade),
    await alipay.buildV3RequestAsync({ method: 'GET', path: '/v3/alipay/trade/query' }),
  ];
  const wap: { url: string; form: string; params: Record<string, string> } = await alipay.buildWapPayAsync(trade);
  const more: [AlipaySdkOrder, AlipayWapPayPage, HttpRequest, HttpRequest, HttpRequest, AlipaySdkOrder] = [
    await alipay.buildAppPayAsync(trade), await alipay.buildPagePayAsync(trade), await alipay.buildTradeCancelAsync({ trade_no: '2024' }),
    await alipay.buildBillDownloadUrlQueryAsync({ bill_type: 'signcustomer', bill_date: '2026-01-01' }),
    await alipay.buildAlipayCertDownloadAsync({ alipay_cert_sn: 'abc' }), await alipay.buildSdkOrderAsync('alipay.trade.app.pay', '{}'),
  ];
  void more;
  const node: Record<string, any> = await verifyOnly.parseResponseAsync('alipay.trade.query', new Uint8Array(2));
  const notify: AlipayNotifyResult = await verifyOnly.verifyNotifyAsync('a=b');
  const event: AlipayNotification = notify.event;
  const paid: boolean = event.paid;
  const amount: { minor: number; currency: string } | null = event.amount;
  const ids: (string | null)[] = [event.outTradeNo, event.tradeNo, event.appId, event.sellerId, event.buyerId, event.buyerOpenId, event.notifyId, event.notifyType, event.tradeStatus];
  const raw: Record<string, string> = event.params;
  // @ts-expect-error amounts are Money, never a string to compare by hand
  const amountText: string = event.amount;
  void [paid, amount, ids, raw, amountText];
  const reply: 'success' = notify.reply.body;
  const returned: Record<string, string> = await verifyOnly.verifyReturnAsync('a=b');
  const v3: Record<string, any> = await verifyOnly.verifyV3ResponseAsync({ status: 200, headers: {}, body: '{}' });
  void [built, wap, node, event, reply, returned, v3];
}

// UseePay: RSA verify-only and sign-only clients, and MD5 (no RSA engine: 'none').
const useepayBase = { merchantNo: '500000000000001', appId: 'shop.example.com' };
const verifyOnlyUseePayConfig: UseePayConfig = { ...useepayBase, signType: 'RSA', useepayPublicKey: 'MIIBIjAN', engine: 'webcrypto' };
const useepayVerifyOnly = new UseePay(verifyOnlyUseePayConfig);
const useepay = new UseePay({ ...useepayBase, signType: 'RSA', privateKey: '-----BEGIN PRIVATE KEY-----' });
const useepayMd5 = new UseePay({ ...useepayBase, signType: 'MD5', md5Key: 'key' });
const useepayEngines: [SyncEngineName | 'none', AsyncEngineName | 'none'] = [useepayMd5.engine, useepayMd5.asyncEngine];
const useepayAbilities: boolean[] = [useepayVerifyOnly.canSign, useepayVerifyOnly.canVerify, useepay.canSign, useepay.canVerify];
const useepaySignType: 'RSA' | 'MD5' = useepay.signType;
const amount = { minor: 100, currency: 'HKD' };
const jsapiArgs = { transactionId: 'T1', amount, subAppId: 'wx1', subOpenId: 'o1', subject: 'Tea' };
const useepayBuiltSync: HttpRequest[] = [
  useepay.buildJsapiPay(jsapiArgs),
  useepay.buildQuery({ reference: 'U1' }),
  useepay.buildRefund({ transactionId: 'R1', originalTransactionId: 'T1', amount }),
  useepay.buildRequest('pay', { amount: '100' }, { path: '/cashier' }),
];
const jsapiSync: UseePayResult & { requestPayment: WxRequestPayment } = useepayVerifyOnly.parseJsapiPay('{}');
const querySync: UseePayResult & { transaction: Record<string, unknown> } = useepayVerifyOnly.parseQuery('{}');
const refundSync: UseePayResult = useepayVerifyOnly.parseRefund('{}');
const responseSync: { fields: Record<string, string>; result: UseePayResult } = useepayVerifyOnly.parseResponse('{}');
const useepayNotifySync: 'OK' = useepayVerifyOnly.verifyNotify('a=b').reply.body;

async function useepayAsync(): Promise<void> {
  const built: HttpRequest[] = [
    await useepay.buildJsapiPayAsync(jsapiArgs),
    await useepay.buildQueryAsync({ transactionId: 'T1' }),
    await useepay.buildRefundAsync({ transactionId: 'R1', originalTransactionId: 'T1', amount, echoParam: 'e' }),
    await useepay.buildRequestAsync('pay', {}),
  ];
  const jsapi: WxRequestPayment = (await useepayVerifyOnly.parseJsapiPayAsync('{}')).requestPayment;
  const query: Record<string, unknown> = (await useepayVerifyOnly.parseQueryAsync(new Uint8Array(2))).transaction;
  const refund: boolean = (await useepayVerifyOnly.parseRefundAsync('{}')).paid;
  const response: Record<string, string> = (await useepayVerifyOnly.parseResponseAsync('{}')).fields;
  const notify = await useepayVerifyOnly.verifyNotifyAsync('a=b');
  const event: UseePayResult & { fields: Record<string, string> } = notify.event;
  const reply: { status: 200; headers: Record<string, string>; body: 'OK' } = notify.reply;
  void [built, jsapi, query, refund, response, event, reply];
}

// send() with the real global fetch, a stand-in, and its errors.
async function sending(request: HttpRequest): Promise<void> {
  const viaGlobal: RawResponse = await send(request, { fetch });
  const viaGlobalThis: RawResponse = await send(request, { fetch: globalThis.fetch, timeoutMs: 5000, raw: true });
  const fetchLike: FetchLike = fetch;
  const standIn: FetchLike = async (url, init) => {
    const target: string = url;
    const method: string = init.method;
    const headers: Record<string, string> = init.headers;
    const body: string | undefined = init.body;
    init.signal?.addEventListener('abort', () => {});
    void [target, method, headers, body];
    return { status: 200, headers: new Map([['content-type', 'application/json']]), text: async () => '{}' };
  };
  const sendOptions: SendOptions = { fetch: standIn, timeoutMs: 1000 };
  const byDefault: RawResponse = await send(request);
  const viaStandIn: RawResponse = await send(request, sendOptions);
  try {
    await send(request, { fetch: fetchLike });
  } catch (error) {
    if (error instanceof AggpayError && error.code === 'ERR_HTTP_STATUS') {
      const status: number | undefined = error.status;
      void status;
    }
  }
  void [viaGlobal, viaGlobalThis, byDefault, viaStandIn];
}

try {
  new RsaSigner('x');
} catch (error) {
  if (error instanceof AggpayError) {
    const code: AggpayErrorCode = error.code;
    const name: 'AggpayError' = error.name;
    const message: string = error.message;
    const sub: string | undefined = error.subCode;
    const status: number | undefined = error.status;
    const isError: Error = error;
    void [code, name, message, sub, status, isError];
  }
}
const made = new AggpayError('upstream', { code: 'ERR_HTTP_STATUS', status: 502 });

/** The codes AggpayErrorCode names (without its open-ended string member). */
type NamedCode<T> = T extends string ? (string extends T ? never : T) : never;
const newCodes: NamedCode<AggpayErrorCode>[] = ['ERR_VERIFY_ONLY', 'ERR_NO_PROVIDER_KEY', 'ERR_NETWORK', 'ERR_TIMEOUT', 'ERR_HTTP_STATUS', 'ERR_CLOCK_SKEW', 'ERR_SIGNATURE_PROBE'];

// WeChat Pay: a full client, a verify-only one (public key + APIv3 key), every method in both forms.
const wechatpayConfig: WechatPayConfig = {
  mchid: '1230000109', merchantSerialNo: '5F1C72E2', privateKey: '-----BEGIN PRIVATE KEY-----', apiV3Key: 'k',
  platformCertificates: ['-----BEGIN CERTIFICATE-----'], wechatpayPublicKey: '-----BEGIN PUBLIC KEY-----', wechatpayPublicKeyId: 'PUB_KEY_ID_1',
  appId: 'wx1', notifyUrl: 'https://shop.example/n', partner: false, api: 'mainland', engine: 'webcrypto',
};
const wx = new WechatPay(wechatpayConfig);
const wxVerifyOnly = new WechatPay({ mchid: '1230000109', wechatpayPublicKey: 'MIIB', wechatpayPublicKeyId: 'PUB_KEY_ID_1', apiV3Key: 'k' });
const stamp: WechatPayStampOptions = { now: Date.now(), nonce: 'n' };
const wxOrder: WechatPayOrder = { description: '咖啡', out_trade_no: 'T1', amount: { minor: 1, currency: 'CNY' }, payer: { openid: 'o' } };
function wechatpaySync(): void {
  const built: HttpRequest[] = [
    wx.buildJsapiPrepay(wxOrder, stamp), wx.buildNativePrepay(wxOrder), wx.buildH5Prepay({ ...wxOrder, scene_info: { payer_client_ip: '1.2.3.4', h5_info: { type: 'Wap' } } }),
    wx.buildAppPrepay(wxOrder), wx.buildQuery({ transactionId: '4200' }), wx.buildQuery({ outTradeNo: 'T1', subMchid: '1' }, stamp),
    wx.buildClose({ outTradeNo: 'T1' }), wx.buildRefund({ out_trade_no: 'T1', out_refund_no: 'R1', amount: { refund: { minor: 1, currency: 'CNY' }, total: { minor: 2, currency: 'CNY' } } }),
    wx.buildRefundQuery({ outRefundNo: 'R1' }), wx.buildCertificatesRequest(), wx.buildRequest({ method: 'GET', path: '/v3/x?y=1' }),
    wx.buildRequest({ method: 'POST', path: '/v3/x', body: '{"a":1}', wechatpaySerial: 'PUB_KEY_ID_1' }, { now: 0 }),
    wx.buildTradeBill({ billDate: '2026-01-02', billType: 'ALL' }), wx.buildFundFlowBill({ billDate: '2026-01-02' }), wx.buildBillDownload('https://api.mch.weixin.qq.com/v3/billdownload/file?token=t'),
  ];
  const reply: WechatPayBillReply = wx.verifyResponse({ status: 200, headers: { 'Wechatpay-Serial': 'x' }, body: '{}' }) as WechatPayBillReply;
  const checked: void = wx.checkBill(reply, new Uint8Array(1));
  const response: Record<string, any> = wx.verifyResponse({ status: 200, headers: new Headers(), body: new Uint8Array(0) }, { now: 0 });
  const incoming: WechatPayIncoming = { headers: [['wechatpay-nonce', 'n']], body: 'x' };
  const notified: WechatPayNotifyResult = wxVerifyOnly.verifyNotify(incoming, { now: 0 });
  const event: WechatPayNotification = notified.event;
  const ids: (string | null)[] = [event.outTradeNo, event.tradeNo, event.appId, event.mchid, event.subMchid, event.openid, event.notifyId, event.notifyType, event.tradeStatus];
  const amount: MinorAmount | null = event.amount;
  const refunded: MinorAmount | undefined = event.refund?.refunded;
  const plaintext: string = event.plaintext;
  const status: 204 = notified.reply.status;
  const body: null = notified.reply.body;
  const failed: WechatPayNotifyReply = WechatPay.failureReply(new Error('x'));
  const failedBody: string | null = failed.body;
  const pay: WechatPayRequestPayment = wx.requestPaymentParams({ prepayId: 'wx1' });
  const forWx: WxRequestPayment = pay;
  const timeStamp: string = pay.timeStamp;
  const app: WechatPayAppPayment = wx.appPaymentParams({ prepayId: 'wx1', subMchid: '1' }, stamp);
  const field: { serial: string; ciphertext: string } = wx.encryptField('张三', { serial: 'PUB_KEY_ID_1' });
  const decrypted: string = wx.decryptField(field.ciphertext);
  const certs: WechatPayPlatformCertificate[] = wx.verifyCertificates({ status: 200, headers: {}, body: '' });
  const unverified: WechatPayPlatformCertificate[] = wx.decryptCertificates({ status: 200, body: '' });
  const serials: string[] = wx.addPlatformCertificates(certs);
  const serialsOfPems: string[] = wx.addPlatformCertificates(['-----BEGIN CERTIFICATE-----', { pem: '-----BEGIN CERTIFICATE-----' }]);
  const facts: [string, 'mainland' | 'global' | 'hk', string, boolean, string | undefined, string[], boolean, boolean, boolean] = [
    wx.mchid, wx.api, wx.baseUrl, wx.partner, wx.publicKeyId, wx.wechatpaySerials, wx.canSign, wx.canVerify, wx.canDecrypt,
  ];
  const wxEngines: [SyncEngineName, AsyncEngineName] = [wx.engine, wx.asyncEngine];
  void [built, checked, response, ids, amount, refunded, plaintext, status, body, failedBody, forWx, timeStamp, app, decrypted, unverified, serials, serialsOfPems, facts, wxEngines];
}
async function wechatpayAsync(): Promise<void> {
  const built: HttpRequest[] = [
    await wx.buildJsapiPrepayAsync(wxOrder), await wx.buildNativePrepayAsync(wxOrder), await wx.buildH5PrepayAsync(wxOrder), await wx.buildAppPrepayAsync(wxOrder),
    await wx.buildQueryAsync({ outTradeNo: 'T1' }), await wx.buildCloseAsync({ outTradeNo: 'T1' }),
    await wx.buildRefundAsync({ transaction_id: '42', out_refund_no: 'R1', amount: { refund: { minor: 1, currency: 'CNY' }, total: { minor: 1, currency: 'CNY' } } }),
    await wx.buildRefundQueryAsync({ outRefundNo: 'R1' }), await wx.buildCertificatesRequestAsync(stamp), await wx.buildRequestAsync({ method: 'DELETE', path: '/v3/x' }),
    await wx.buildTradeBillAsync({ billDate: '2026-01-02' }), await wx.buildFundFlowBillAsync({ billDate: '2026-01-02', accountType: 'BASIC' }), await wx.buildBillDownloadAsync('u'),
  ];
  const response: Record<string, any> = await wx.verifyResponseAsync({ status: 204, headers: {}, body: '' });
  const notified: WechatPayNotifyResult = await wxVerifyOnly.verifyNotifyAsync({ headers: {}, body: new Uint8Array(0) });
  const pay: WechatPayRequestPayment = await wx.requestPaymentParamsAsync({ prepayId: 'wx1', appId: 'wx2' });
  const app: WechatPayAppPayment = await wx.appPaymentParamsAsync({ prepayId: 'wx1' });
  const certs: WechatPayPlatformCertificate[] = await wx.verifyCertificatesAsync({ status: 200, headers: {}, body: '' }, { now: 0 });
  try {
    await wx.verifyNotifyAsync({ headers: {}, body: '' });
  } catch (error) {
    if (error instanceof AggpayError) {
      const serial: string | undefined = error.serial;
      const signedMessage: string | undefined = error.signedMessage;
      const detail: string | undefined = error.detail;
      const reply: WechatPayNotifyReply = WechatPay.failureReply(error);
      void [serial, signedMessage, detail, reply];
    }
  }
  void [built, response, notified, pay, app, certs];
}
// @ts-expect-error amounts are { minor, currency }, never a float
wx.buildJsapiPrepay({ description: 'd', out_trade_no: 'T1', amount: 0.01 });
// @ts-expect-error buildQuery takes one of transactionId and outTradeNo, not both
wx.buildQuery({ transactionId: '42', outTradeNo: 'T1' });
// @ts-expect-error timeStamp is a string of seconds
const timeStampNumber: number = wx.requestPaymentParams({ prepayId: 'wx1' }).timeStamp;
// @ts-expect-error verifyNotify takes the raw message { headers, body }, not a parsed body
wx.verifyNotify({ id: 'EV-1' });
// @ts-expect-error an …Async verification returns a Promise
const notAwaitedNotify: WechatPayNotifyResult = wx.verifyNotifyAsync({ headers: {}, body: '' });
// @ts-expect-error the api is one of three
new WechatPay({ mchid: '1', api: 'us' });
// @ts-expect-error now is epoch milliseconds, a number
wx.verifyResponse({ status: 200, headers: {}, body: '' }, { now: '2026' });
void [timeStampNumber, notAwaitedNotify];

// The declarations must stay strict enough to catch these mistakes.
// @ts-expect-error an unknown engine name
new RsaSigner('x', { engine: 'openssl' });
// @ts-expect-error an unknown engine name
new RsaVerifier('x', { engine: 'bogus' });
// @ts-expect-error an unknown engine name in a client config
new Alipay({ appId: 'a', alipayPublicKey: 'k', engine: 'bogus' });
// @ts-expect-error an unknown engine name in a client config
new UseePay({ ...useepayBase, signType: 'MD5', md5Key: 'k', engine: 'bogus' });
// @ts-expect-error the key text is a string, not a Buffer-like number
new RsaSigner(42);
// @ts-expect-error messages are strings or bytes
signer.sign(42);
// @ts-expect-error only sha256 and sha1
signer.sign('m', 'md5');
// @ts-expect-error verify returns a boolean
const notString: string = verifier.verify('m', signature);
// @ts-expect-error a signature given to verify is bytes: base64 text goes to verifyBase64
verifier.verify('m', 'c2lnbmF0dXJl');
// @ts-expect-error the same for verifyAsync
verifier.verifyAsync('m', 'c2lnbmF0dXJl');
// @ts-expect-error verifyBase64 takes base64 text, not bytes
verifier.verifyBase64('m', signature);
// @ts-expect-error signBase64 returns text
const notBytes: Uint8Array = signer.signBase64('m');
// @ts-expect-error a synchronous result is not a Promise
signer.sign('m').then(() => {});
// @ts-expect-error a synchronous build returns the request itself
alipay.buildTradeQuery({ out_trade_no: 'T1' }).then(() => {});
// @ts-expect-error a synchronous verification returns the result itself
verifier.verify('m', signature).then(() => {});
// @ts-expect-error an …Async method returns a Promise, to be awaited
const notAwaited: HttpRequest = alipay.buildTradeQueryAsync({ out_trade_no: 'T1' });
// @ts-expect-error an …Async verification returns a Promise of a boolean
const notAwaitedValid: boolean = verifier.verifyAsync('m', signature);
// @ts-expect-error the asynchronous engine may be webcrypto
const notSync: SyncEngineName = signer.asyncEngine;
// @ts-expect-error UseePay's engine is 'none' with MD5
const notNone: SyncEngineName = useepayMd5.engine;
// @ts-expect-error alipayCert is a certificate or a list of them
new Alipay({ appId: 'a', alipayCert: [42] });
// @ts-expect-error appId is required
new Alipay({ alipayPublicKey: 'k' });
// @ts-expect-error canSign is read-only
alipay.canSign = true;
// @ts-expect-error alipayCertSns is a list
const oneSn: string = rotating.alipayCertSns;
// @ts-expect-error send needs a function as fetch
send(builtSync[0], { fetch: 'fetch' });
// @ts-expect-error a fetch must answer with status, headers and text()
send(builtSync[0], { fetch: async () => ({ status: 200 }) });
// @ts-expect-error timeoutMs is a number of milliseconds
send(builtSync[0], { timeoutMs: '5s' });
// @ts-expect-error status is a number
const statusText: string | undefined = made.status;
// @ts-expect-error not a code AggpayErrorCode names
const notACode: NamedCode<AggpayErrorCode> = 'ERR_NOT_A_CODE';
// @ts-expect-error Certificate has no public constructor
new Certificate();
// @ts-expect-error primitives is read-only
primitives.md5 = primitives.sha256;
// @ts-expect-error bits is read-only
signer.bits = 1;

void [signatureOfBytes, signatureOfBuffer, plaintext, spki, bits, where, whereAsync, engines, valid, validOfBuffer, validBase64];
void [oaep, pkcs1, verifierBits, verifierEngines, chain, facts, digests, same, notString, notBytes, notAwaited, notAwaitedValid];
void [notSync, notNone, oneSn, statusText, notACode, newCodes, rsaAsync, alipayAsync, useepayAsync, sending, made];
void [sns, sn, snsOfApp, abilities, alipayEngines, facade, builtSync, wapSync, nodeSync, notifySync, returnSync, v3Sync, payParams, payParamsOfResult, qr];
void [useepayEngines, useepayAbilities, useepaySignType, useepayBuiltSync, jsapiSync, querySync, refundSync, responseSync, useepayNotifySync];
void [wechatpaySync, wechatpayAsync];
export {};
`;

/**
 * The real global `fetch` must be a FetchLike wherever a consumer's types declare one: checked with
 * the DOM lib (CONSUMER), the webworker lib, @types/node-style and @cloudflare/workers-types-style
 * globals (NODE_STYLE_GLOBALS, WORKERS_STYLE_GLOBALS) and @types/node itself.
 */
const FETCH_CONSUMER = `
import { send } from 'aggpay';
import type { FetchLike, HttpRequest, RawResponse } from 'aggpay';

declare const request: HttpRequest;
const fetchLike: FetchLike = fetch;
const sent: Promise<RawResponse> = send(request, { fetch });
const sentViaGlobalThis: Promise<RawResponse> = send(request, { fetch: globalThis.fetch, timeoutMs: 100, raw: false });
const standIn: FetchLike = async (url, init) => {
  init.signal?.throwIfAborted();
  return { status: 200, headers: new Map<string, string>(), text: async () => url + init.method };
};
const wrapped: FetchLike = (url, init) => fetch(url, init);
// @ts-expect-error a fetch must answer with a Promise
const notAsync: FetchLike = () => ({ status: 200, headers: new Map<string, string>(), text: async () => '' });
// @ts-expect-error the response's text() is what send reads
const noText: FetchLike = async () => ({ status: 200, headers: new Map<string, string>() });
void [fetchLike, sent, sentViaGlobalThis, standIn, wrapped, notAsync, noText];
export {};
`;

/**
 * Global fetch declarations shaped as @types/node declares them (web-globals/fetch.d.ts over
 * undici-types, web-globals/abortcontroller.d.ts): its own AbortSignal, undici's RequestInit and an
 * iterable Headers, as globals (`var` + `interface`). No DOM lib beside them.
 */
const NODE_STYLE_GLOBALS = `
interface EventTarget {
  addEventListener(type: string, listener: (event: any) => void, options?: unknown): void;
  removeEventListener(type: string, listener: (event: any) => void, options?: unknown): void;
}
interface AbortSignal extends EventTarget {
  readonly aborted: boolean;
  onabort: ((this: AbortSignal, ev: unknown) => any) | null;
  readonly reason: any;
  throwIfAborted(): void;
}
declare var AbortSignal: {
  prototype: AbortSignal;
  new (): AbortSignal;
  abort(reason?: any): AbortSignal;
  any(signals: AbortSignal[]): AbortSignal;
  timeout(milliseconds: number): AbortSignal;
};
interface URL { href: string }
declare var URL: { prototype: URL; new (input: string, base?: string | URL): URL };
type UndiciHeadersInit = string[][] | Record<string, string | ReadonlyArray<string>> | Headers;
interface Headers {
  readonly append: (name: string, value: string) => void;
  readonly get: (name: string) => string | null;
  readonly getSetCookie: () => string[];
  readonly forEach: (callbackfn: (value: string, key: string, iterable: Headers) => void, thisArg?: unknown) => void;
  readonly entries: () => IterableIterator<[string, string]>;
  readonly [Symbol.iterator]: () => IterableIterator<[string, string]>;
}
declare var Headers: { prototype: Headers; new (init?: UndiciHeadersInit): Headers };
type UndiciBodyInit = ArrayBuffer | AsyncIterable<Uint8Array> | Iterable<Uint8Array> | ArrayBufferView | string | null;
interface RequestInit {
  method?: string;
  keepalive?: boolean;
  headers?: UndiciHeadersInit;
  body?: UndiciBodyInit | null;
  redirect?: 'error' | 'follow' | 'manual';
  integrity?: string;
  signal?: AbortSignal | null;
  credentials?: 'omit' | 'include' | 'same-origin';
  referrer?: string;
  window?: null;
  dispatcher?: { dispatch(options: unknown, handler: unknown): boolean };
  duplex?: 'half';
}
interface Request { readonly url: string; readonly method: string; readonly headers: Headers; readonly signal: AbortSignal }
declare var Request: { prototype: Request; new (input: string | URL | Request, init?: RequestInit): Request };
interface Response {
  readonly headers: Headers;
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly text: () => Promise<string>;
  readonly json: () => Promise<unknown>;
  readonly arrayBuffer: () => Promise<ArrayBuffer>;
}
declare var Response: { prototype: Response; new (body?: UndiciBodyInit, init?: { status?: number }): Response };
declare function fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
`;

/**
 * Global fetch declarations shaped as @cloudflare/workers-types declares them: AbortSignal, Headers
 * and Response as classes (which `typeof globalThis` does not list), a generic RequestInit.
 */
const WORKERS_STYLE_GLOBALS = `
declare class EventTarget {
  addEventListener(type: string, handler: (event: any) => void): void;
  removeEventListener(type: string, handler: (event: any) => void): void;
}
declare abstract class AbortSignal extends EventTarget {
  static abort(reason?: any): AbortSignal;
  static timeout(delay: number): AbortSignal;
  get aborted(): boolean;
  get reason(): any;
  throwIfAborted(): void;
}
declare class URL { constructor(url: string | URL, base?: string | URL); get href(): string }
type HeadersInit = Headers | Iterable<Iterable<string>> | Record<string, string>;
declare class Headers {
  constructor(init?: HeadersInit);
  get(name: string): string | null;
  getSetCookie(): string[];
  forEach<This = unknown>(callback: (this: This, value: string, key: string, parent: Headers) => void, thisArg?: This): void;
  entries(): IterableIterator<[key: string, value: string]>;
  [Symbol.iterator](): IterableIterator<[key: string, value: string]>;
}
type BodyInit = ReadableStream<Uint8Array> | string | ArrayBuffer | ArrayBufferView;
interface ReadableStream<R = any> { readonly locked: boolean; cancel(reason?: any): Promise<void> }
interface RequestInit<Cf = { cacheTtl?: number }> {
  method?: string;
  headers?: HeadersInit;
  body?: BodyInit | null;
  redirect?: string;
  cf?: Cf;
  cache?: 'no-store';
  integrity?: string;
  signal?: AbortSignal | null;
}
declare class Request { constructor(input: string | URL | Request, init?: RequestInit); get url(): string }
declare class Response {
  constructor(body?: BodyInit | null, init?: { status?: number });
  get status(): number;
  get headers(): Headers;
  get ok(): boolean;
  text(): Promise<string>;
  json<T>(): Promise<T>;
}
declare function fetch(input: string | URL | Request, init?: RequestInit<{ cacheTtl?: number }>): Promise<Response>;
`;

/** The same from a CommonJS TypeScript file (the package supports require() at runtime). */
const CJS_CONSUMER = `
import { RsaSigner, AggpayError } from 'aggpay';
const signer = new RsaSigner('-----BEGIN PRIVATE KEY-----');
const signature: Uint8Array = signer.sign('message');
const isError: boolean = new AggpayError('x') instanceof Error;
void [signature, isError];
export {};
`;

let dir;

before(() => {
  dir = makeLinkedProject('types', 'types-consumer');
  fs.writeFileSync(path.join(dir, 'consumer.ts'), CONSUMER);
  fs.writeFileSync(path.join(dir, 'consumer-cjs.cts'), CJS_CONSUMER);
  fs.writeFileSync(path.join(dir, 'consumer-fetch.ts'), FETCH_CONSUMER);
  fs.writeFileSync(path.join(dir, 'node-style-globals.d.ts'), NODE_STYLE_GLOBALS);
  fs.writeFileSync(path.join(dir, 'workers-style-globals.d.ts'), WORKERS_STYLE_GLOBALS);
});

/** The directory of @types/node when the workspace has it installed (it is not a devDependency), else null. */
function typesNodeDir() {
  try {
    return path.dirname(createRequire(path.join(repoRoot, 'package.json')).resolve('@types/node/package.json'));
  } catch {
    return null;
  }
}

after(() => removeDir(dir));

/** Runs tsc --noEmit --strict on `files` with `compilerOptions`; resolves tsc's output, rejects with it. */
async function typeCheck(name, files, compilerOptions) {
  const config = path.join(dir, `tsconfig.${name}.json`);
  fs.writeFileSync(config, JSON.stringify({
    compilerOptions: {
      strict: true,
      noEmit: true,
      target: 'es2022',
      lib: ['es2022', 'dom'],
      types: [],
      skipLibCheck: false, // check index.d.ts itself too
      noUnusedLocals: false,
      ...compilerOptions,
    },
    files,
  }, null, 2));
  try {
    await run(process.execPath, [TSC, '--noEmit', '--strict', '-p', config], { cwd: dir, timeout: 120_000 });
  } catch (error) {
    assert.fail(`tsc (${name}) reported errors:\n${error.message}`);
  }
}

describe('pkg/types/index.d.ts', () => {
  it('exists and is the package\'s "types"', () => {
    assert.ok(fs.existsSync(DTS), `${DTS} does not exist yet`);
    const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    // Each condition names the declarations of the module format it loads: .d.cts beside the CommonJS
    // Node bundle (require), .d.mts beside the ESM entries (Node's import among them); both are copies of index.d.ts.
    assert.equal(pkg.types, './types/index.d.cts');
    const conditions = pkg.exports['.'];
    const targets = Object.entries(conditions).flatMap(([condition, target]) =>
      'types' in target ? [[condition, target]] : Object.entries(target).map(([inner, t]) => [`${condition}.${inner}`, t]));
    for (const [condition, target] of targets) {
      assert.equal(Object.keys(target)[0], 'types', `${condition}: "types" must be the first condition`);
      assert.equal(target.types, target.default.endsWith('.cjs') ? './types/index.d.cts' : './types/index.d.mts', `${condition}: types`);
    }
    assert.equal(conditions.node.default.default, './dist/node.cjs');
    assert.equal(conditions.node.import.default, './src/node-esm.mjs');
    for (const copy of ['index.d.cts', 'index.d.mts']) {
      assert.equal(fs.readFileSync(path.join(pkgDir, 'types', copy), 'utf8'), fs.readFileSync(DTS, 'utf8'), `${copy} is a copy of index.d.ts (scripts/build.sh)`);
    }
  });

  it('a strict ESM consumer type-checks with module/moduleResolution node16', { timeout: 120_000 }, async () => {
    await typeCheck('node16', ['consumer.ts'], { module: 'node16', moduleResolution: 'node16' });
  });

  it('a strict ESM consumer type-checks with moduleResolution bundler', { timeout: 120_000 }, async () => {
    await typeCheck('bundler', ['consumer.ts'], { module: 'esnext', moduleResolution: 'bundler' });
  });

  it('a strict CommonJS consumer (.cts, module node16) type-checks: require() works at runtime, so the types must allow it', { timeout: 120_000 }, async () => {
    await typeCheck('node16-cjs', ['consumer-cjs.cts'], { module: 'node16', moduleResolution: 'node16' });
  });

  it('the real fetch is a FetchLike with the webworker lib', { timeout: 120_000 }, async () => {
    await typeCheck('fetch-webworker', ['consumer-fetch.ts'], { module: 'node16', moduleResolution: 'node16', lib: ['es2022', 'webworker'] });
  });

  it('the real fetch is a FetchLike with the DOM lib under exactOptionalPropertyTypes', { timeout: 120_000 }, async () => {
    await typeCheck('fetch-dom-exact', ['consumer-fetch.ts'], { module: 'node16', moduleResolution: 'node16', exactOptionalPropertyTypes: true });
  });

  it('the real fetch is a FetchLike with @types/node-style globals (no DOM lib)', { timeout: 120_000 }, async () => {
    await typeCheck('fetch-node-style', ['node-style-globals.d.ts', 'consumer-fetch.ts'], { module: 'node16', moduleResolution: 'node16', lib: ['es2022'] });
  });

  it('the real fetch is a FetchLike with @cloudflare/workers-types-style globals (classes, no DOM lib)', { timeout: 120_000 }, async () => {
    await typeCheck('fetch-workers-style', ['workers-style-globals.d.ts', 'consumer-fetch.ts'], { module: 'node16', moduleResolution: 'node16', lib: ['es2022'] });
  });

  it('the real fetch is a FetchLike with @types/node itself (a pinned dev dependency)', { timeout: 120_000 }, async () => {
    const dir = typesNodeDir();
    assert.ok(dir !== null, '@types/node is a dev dependency: npm ci installs it');
    await typeCheck('fetch-types-node', ['consumer-fetch.ts'], {
      module: 'node16', moduleResolution: 'node16', lib: ['es2022'], types: ['node'], typeRoots: [path.dirname(dir)],
    });
  });

  it('every error code the core has is in AggpayErrorCode and in the README\'s table', () => {
    const codes = [...fs.readFileSync(path.join(repoRoot, 'src', 'error.rs'), 'utf8').matchAll(/=> "(ERR_[A-Z_]+)"/g)].map((m) => m[1]);
    assert.ok(codes.length >= 26 && codes.includes('ERR_CLOCK_SKEW') && codes.includes('ERR_SIGNATURE_PROBE'), `codes read from src/error.rs: ${codes.join(', ')}`);
    const dts = fs.readFileSync(DTS, 'utf8');
    const union = dts.slice(dts.indexOf('export type AggpayErrorCode'), dts.indexOf('(string & {});', dts.indexOf('export type AggpayErrorCode')));
    const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Errors'), readme.indexOf('## Architecture'));
    assert.deepEqual(codes.filter((c) => !union.includes(`'${c}'`)), [], 'codes missing from AggpayErrorCode');
    assert.deepEqual(codes.filter((c) => !table.includes(`\`${c}\``)), [], 'codes missing from the README\'s error table');
  });

  it('every runtime export, method, getter, static and primitive is declared; every declared value exists at runtime', () => {
    const program = ts.createProgram([DTS], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], types: [] });
    const checker = program.getTypeChecker();
    const source = program.getSourceFile(DTS);
    const moduleSymbol = checker.getSymbolAtLocation(source);
    assert.ok(moduleSymbol, 'index.d.ts is a module');
    const declared = new Map(checker.getExportsOfModule(moduleSymbol).map((s) => [s.name, s]));
    const runtimeNames = Object.keys(runtime).filter((n) => n !== 'default');

    const missing = runtimeNames.filter((n) => !declared.has(n) || !(declared.get(n).flags & ts.SymbolFlags.Value));
    assert.deepEqual(missing, [], 'runtime exports without a value declaration');
    const declaredValues = [...declared.values()].filter((s) => s.flags & ts.SymbolFlags.Value).map((s) => s.name);
    assert.deepEqual(declaredValues.filter((n) => !runtimeNames.includes(n)), [], 'declared values missing at runtime');

    const propertyNames = (type) => new Set(checker.getPropertiesOfType(type).map((p) => p.name));
    const problems = [];
    for (const name of runtimeNames) {
      const value = runtime[name];
      const symbol = declared.get(name);
      if (typeof value === 'function' && value.prototype && symbol.flags & ts.SymbolFlags.Class) {
        const instanceMembers = propertyNames(checker.getDeclaredTypeOfSymbol(symbol));
        const staticMembers = propertyNames(checker.getTypeOfSymbolAtLocation(symbol, source));
        const ownNames = (o) => Object.getOwnPropertyNames(o).filter((n) => !n.startsWith('__'));
        for (const member of ownNames(value.prototype).filter((n) => n !== 'constructor')) {
          if (!instanceMembers.has(member)) problems.push(`${name}.prototype.${member}`);
        }
        for (const member of ownNames(value).filter((n) => !['length', 'name', 'prototype'].includes(n))) {
          if (!staticMembers.has(member)) problems.push(`${name}.${member} (static)`);
        }
      } else if (value && typeof value === 'object') {
        const members = propertyNames(checker.getTypeOfSymbolAtLocation(symbol, source));
        for (const member of Object.keys(value)) if (!members.has(member)) problems.push(`${name}.${member}`);
        const runtimeKeys = new Set(Object.keys(value));
        for (const member of members) if (!runtimeKeys.has(member)) problems.push(`${name}.${member} declared but missing at runtime`);
      }
    }
    assert.deepEqual(problems, [], 'runtime members not declared in index.d.ts (or declared and missing)');
  });
});

/** aggpay/sandbox as a merchant's test suite uses it; the @ts-expect-error lines must stay errors. */
const SANDBOX_CONSUMER = `
import { Alipay, WechatPay, UseePay } from 'aggpay';
import { DELIVERY_MODES, PROVIDERS, RETRY_SCHEDULES, generateMerchantKeys, startSandbox, startServer } from 'aggpay/sandbox';
import type { ControlResult, Delivery, DeliveryMode, Sandbox, SandboxDescription, SandboxOptions } from 'aggpay/sandbox';

async function suite(): Promise<void> {
  const keys = await generateMerchantKeys();
  const options: SandboxOptions = {
    providers: ['alipay', 'wechatpay'],
    alipay: { appId: keys.alipay.appId, appPublicKeyPem: keys.alipay.publicKeyPem },
    wechatpay: { ...keys.wechatpay, merchantPublicKeyPem: keys.wechatpay.publicKeyPem },
    delivery: { delivery: 'retry', timeScale: 1 / 10_000 },
  };
  const sandbox: Sandbox = await startSandbox(options);
  const notify = await startServer((req, body) => ({ status: body === null ? 413 : 200, body: 'success' }));
  const alipay = new Alipay({ ...sandbox.alipay!.clientConfig, privateKey: keys.alipay.privateKeyPem, notifyUrl: notify.url });
  const wechatpay = new WechatPay({ ...sandbox.wechatpay!.clientConfig, privateKey: keys.wechatpay.privateKeyPem, notifyUrl: notify.url });
  const paid: ControlResult = await sandbox.pay({ provider: 'alipay', id: 'T1', delivery: 'twice' });
  const attempts: Delivery[] = paid.deliveries;
  const accepted: boolean[] = attempts.map((d) => d.accepted);
  const statuses: (number | null)[] = (await sandbox.deliveries({ provider: 'alipay' })).map((d) => d.status);
  await sandbox.cancel({ id: 'T2' });
  const failed: Record<string, string> | undefined = (await sandbox.fail({ id: 'T3', delivery: 'none' })).clientResult;
  const rotated: { serial: string; previousSerial: string } = await sandbox.rotateCertificate();
  // Alipay in certificate mode: the files and SNs, the client built from them, Alipay's certificate rotated.
  const certSandbox = await startSandbox({ providers: ['alipay'], alipay: { appId: keys.alipay.appId, appPublicKeyPem: keys.alipay.publicKeyPem, certMode: true } });
  const certAlipay = certSandbox.alipay!;
  if (!certAlipay.certMode) throw new Error('certificate mode');
  const certClient = new Alipay({ ...certAlipay.clientConfig, privateKey: keys.alipay.privateKeyPem });
  const sns: string[] = [certAlipay.alipayCertSn, certAlipay.appCertSn, certAlipay.alipayRootCertSn];
  const alipayRotated: 'wechatpay' | 'alipay' = (await certSandbox.rotateCertificate({ provider: 'alipay' })).provider;
  const generatedCert: string | undefined = (await startSandbox({ alipay: { certMode: true } })).merchant.alipay?.appCertPem;
  // @ts-expect-error certificate mode names no alipayPublicKey in its client config
  const noPublicKey: string = certAlipay.clientConfig.alipayPublicKey;
  // @ts-expect-error an app certificate is for certificate mode
  await startSandbox({ alipay: { appId: 'x', appPublicKeyPem: 'y', appCertPem: 'z', certMode: false } });
  void [certClient, sns, alipayRotated, generatedCert, noPublicKey];
  const probe: Delivery[] = (await sandbox.probe({ url: notify.url })).deliveries;
  const { code }: { code: string } = await sandbox.issueCode({ kind: 'oauth' });
  const described: SandboxDescription = sandbox.describe();
  const mode: DeliveryMode = DELIVERY_MODES[0];
  const schedule: readonly number[] = RETRY_SCHEDULES.alipay;
  const serial: string = sandbox.wechatpay!.platformSerial;
  const control: string = sandbox.controlUrl;
  // @ts-expect-error an unknown delivery mode
  await sandbox.pay({ id: 'T4', delivery: 'sometimes' });
  // @ts-expect-error the trade id is required
  await sandbox.pay({ provider: 'alipay' });
  // @ts-expect-error an unknown provider
  await startSandbox({ providers: ['paypal'] });
  void [alipay, wechatpay, accepted, statuses, failed, rotated, probe, code, described, mode, schedule, serial, control, PROVIDERS, UseePay];
  await notify.close();
  await sandbox.close();
}
void suite;
export {};
`;

describe('pkg/types/sandbox.d.ts', () => {
  it('is the "./sandbox" export\'s types, and a strict consumer of it type-checks (node16)', { timeout: 120_000 }, async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    assert.deepEqual(pkg.exports['./sandbox'], { types: './types/sandbox.d.ts', node: './sandbox/index.mjs', default: './sandbox/index.mjs' });
    fs.writeFileSync(path.join(dir, 'consumer-sandbox.ts'), SANDBOX_CONSUMER);
    await typeCheck('sandbox', ['consumer-sandbox.ts'], { module: 'node16', moduleResolution: 'node16' });
  });

  it('declares exactly the runtime exports of aggpay/sandbox', async () => {
    const sandbox = await import('aggpay/sandbox');
    const dts = path.join(pkgDir, 'types', 'sandbox.d.ts');
    const program = ts.createProgram([dts], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, types: [] });
    const checker = program.getTypeChecker();
    const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(dts));
    const values = checker.getExportsOfModule(moduleSymbol).filter((s) => s.flags & ts.SymbolFlags.Value).map((s) => s.name).sort();
    assert.deepEqual(values, Object.keys(sandbox).sort());
  });
});
