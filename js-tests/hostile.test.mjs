// Hostile JS values and receivers (issue 7, items 3–5), through every public class and `primitives`,
// on both engines, in two module instances: the Node entry (`aggpay`, the nodejs glue) and the web
// glue that the workerd and browser entries use, both built by pkg/src/api.mjs's createApi.
//
//  3. A value that throws when touched — a revoked Proxy, a Proxy over a Uint8Array with throwing
//     traps, an object that only pretends to be a Uint8Array or ArrayBuffer, a detached buffer, a
//     throwing getter or toJSON, a Symbol, a BigInt — is an AggpayError (ERR_BAD_INPUT) and leaks
//     nothing: tens of thousands of them leave Wasm memory, the externref table and the shadow stack
//     as they were, and the instance still signs byte-for-byte like node:crypto.
//  4. A method or getter called on another class's object, on a plain object, on the prototype or
//     on a freed object is ERR_BAD_INPUT and never reaches Wasm.
//  5. A huge string or buffer is ERR_INPUT_TOO_LARGE, refused before it is copied: Wasm memory does
//     not grow.
//
// Expected values come from node:crypto, never from the code under test.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it, before } from 'node:test';

// The Node entry instantiates its Wasm module synchronously when it is first used (not when it is
// imported): record that instance (its memory and externref table) on the way, by importing the
// package and making its first call.
const instances = [];
const OriginalInstance = WebAssembly.Instance;
WebAssembly.Instance = class extends OriginalInstance {
  constructor(module, imports) {
    super(module, imports);
    instances.push(this);
  }
};
let nodeApi;
try {
  nodeApi = await import('aggpay');
  assert.equal(instances.length, 0, 'importing the Node entry instantiates nothing');
  nodeApi.primitives.sha256('first call');
} finally {
  WebAssembly.Instance = OriginalInstance;
}
const { fixturesDir, pkgDir, rsaKeyPair } = await import('./helpers.mjs');
const { createApi } = await import('../pkg/src/api.mjs');
const { nodeEngine } = await import('../pkg/src/engine-node.mjs');
const webGlue = await import('../pkg/web/aggpay.js');

const ENGINES = ['wasm', 'node'];
const MiB = 1024 * 1024;

/** One module instance under test: its public API and its Wasm exports. */
const RUNTIMES = [];

// ---------------------------------------------------------------------------------------------
// Fixtures.

const readFixture = (rel) => fs.readFileSync(path.join(fixturesDir, rel), 'utf8');
const CERT_PEM = readFixture('wechatpay/java-sdk/merchant_certificate.pem');
const USEEPAY_MERCHANT_PRIVATE = readFixture('useepay/test-merchant-private.pem');
const USEEPAY_PUBLIC = readFixture('useepay/test-useepay-public.pem');
const probe = Buffer.from('still signs after hostile input 仍然可以签名 ✓');
let app; // RSA-2048 key pair: the Alipay app key, the RsaSigner key
let alipayPair; // the "Alipay" key pair
let probeSignature; // crypto.sign('sha256', probe, app.privateKey)

before(() => {
  app = rsaKeyPair(2048);
  const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  alipayPair = { spkiPem: other.publicKey.export({ type: 'spki', format: 'pem' }) };
  probeSignature = crypto.sign('sha256', probe, app.privateKey);
  const nodeExports = instances.find((i) => i.exports.__wbindgen_externrefs)?.exports;
  assert.ok(nodeExports?.memory instanceof WebAssembly.Memory, 'the Node entry\'s Wasm instance was recorded');
  RUNTIMES.push({ name: 'node entry', api: nodeApi, wasm: nodeExports });
  const webExports = webGlue.initSync({ module: fs.readFileSync(path.join(pkgDir, 'web', 'aggpay_bg.wasm')) });
  RUNTIMES.push({ name: 'web glue', api: createApi(webGlue, { nodeEngine }), wasm: webExports });
  for (const { name, wasm } of RUNTIMES) {
    assert.ok(wasm.__wbindgen_externrefs instanceof WebAssembly.Table, `${name}: the externref table is exported`);
  }
});

const money = { minor: 1, currency: 'CNY' };
const alipayConfig = (engine) => ({ appId: '2021000122671080', privateKey: app.pkcs8Pem, alipayPublicKey: alipayPair.spkiPem, engine });
const useepayConfig = (engine) => ({
  merchantNo: '500000000007362', appId: 'shop.example.com', signType: 'RSA', privateKey: USEEPAY_MERCHANT_PRIVATE,
  useepayPublicKey: USEEPAY_PUBLIC, engine,
});
const wechatConfig = () => ({ appId: 'wx1234567890abcdef', appSecret: 'secret' });
const WECHATPAY_API_V3_KEY = 'k'.repeat(32);
const wechatpayConfig = (engine) => ({
  mchid: '1230000109', merchantSerialNo: '5F1C72E2A8931B72A2E13AF8DEE92471EB397115', privateKey: app.pkcs8Pem, platformCertificates: CERT_PEM,
  apiV3Key: WECHATPAY_API_V3_KEY, appId: 'wxd678efh567hg6787', notifyUrl: 'https://shop.example.com/n', engine,
});
/** A WeChat Pay message as received: the four headers (the certificate's serial) and a body. */
const wechatpayReceived = (extra = {}) => ({
  headers: { 'Wechatpay-Timestamp': '1700000000', 'Wechatpay-Nonce': 'n', 'Wechatpay-Signature': 'AAAA', 'Wechatpay-Serial': '5F1C72E2A8931B72A2E13AF8DEE92471EB397115' },
  body: '{}',
  ...extra,
});

/** A router with both H5 paths. */
const routerConfig = () => ({ stateSecret: 'router-state-secret-0123456789-abcdef', alipay: { appId: '2021000122650399' }, wechat: { appId: 'wx520c15f417810387' } });

/** One instance of every class on `engine`. */
function makeObjects(api, engine) {
  return {
    Alipay: new api.Alipay(alipayConfig(engine)),
    UseePay: new api.UseePay(useepayConfig(engine)),
    WechatMiniProgram: new api.WechatMiniProgram(wechatConfig()),
    WechatOfficialAccount: new api.WechatOfficialAccount(wechatConfig()),
    Router: new api.Router(routerConfig()),
    WechatPay: new api.WechatPay(wechatpayConfig(engine)),
    RsaSigner: new api.RsaSigner(app.pkcs8Pem, { engine }),
    RsaVerifier: new api.RsaVerifier(app.spkiPem, { engine }),
    Certificate: api.Certificate.parse(CERT_PEM),
  };
}

/** `fn()` must throw an AggpayError of `api` whose code is one of `codes`; returns it. */
function expectError(api, fn, codes, what) {
  let error;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  assert.ok(error !== undefined, `${what}: nothing was thrown`);
  assert.ok(error instanceof api.AggpayError, `${what}: expected an AggpayError (${codes}), got ${error?.constructor?.name}: ${error?.message}`);
  assert.ok([codes].flat().includes(error.code), `${what}: expected ${codes}, got ${error.code} (${error.message})`);
  return error;
}

/** The instance signs like node:crypto, with an old signer and with a new one, on both engines. */
function assertStillSigns(api, signers, what) {
  for (const signer of signers) {
    assert.equal(Buffer.from(signer.sign(probe)).toString('hex'), probeSignature.toString('hex'), `${what}: an existing ${signer.engine} signer`);
  }
  for (const engine of ENGINES) {
    const fresh = new api.RsaSigner(app.pkcs1Pem, { engine });
    assert.equal(Buffer.from(fresh.sign(probe)).toString('hex'), probeSignature.toString('hex'), `${what}: a new ${engine} signer`);
    fresh.free();
  }
}

// ---------------------------------------------------------------------------------------------
// Hostile values, by the kind of argument they are given as.

const detachedBuffer = (n = 16) => {
  const buffer = new ArrayBuffer(n);
  structuredClone(buffer, { transfer: [buffer] });
  return buffer;
};
const detachedView = (n = 16) => {
  const view = new Uint8Array(new ArrayBuffer(n));
  structuredClone(view.buffer, { transfer: [view.buffer] });
  return view;
};
const revoked = (target = {}) => {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
};
const boom = () => {
  throw new Error('hostile trap');
};
const ALL_TRAPS = {
  get: boom, set: boom, has: boom, ownKeys: boom, getOwnPropertyDescriptor: boom, getPrototypeOf: boom,
  defineProperty: boom, deleteProperty: boom, isExtensible: boom, preventExtensions: boom, setPrototypeOf: boom,
};

/** Values that throw or lie whatever they are given as. */
const COMMON = {
  'a revoked Proxy': () => revoked(),
  'a revoked Proxy over an array': () => revoked([]),
  'a Proxy whose every trap throws': () => new Proxy({}, ALL_TRAPS),
  'a Symbol': () => Symbol('hostile'),
  'a BigInt': () => 10n,
};

/** As bytes (`string | Uint8Array | ArrayBuffer`). */
const BYTES = {
  ...COMMON,
  'a Proxy over a Uint8Array': () => new Proxy(new Uint8Array(8), {}),
  'a Proxy over a Uint8Array whose every trap throws': () => new Proxy(new Uint8Array(8), ALL_TRAPS),
  'a Proxy over a Uint8Array whose byteLength getter throws': () =>
    new Proxy(new Uint8Array(8), { get: (t, k) => (k === 'byteLength' || k === 'length' || k === 'buffer' ? boom() : Reflect.get(t, k)) }),
  'a Proxy over an ArrayBuffer': () => new Proxy(new ArrayBuffer(8), {}),
  'an object with Uint8Array.prototype': () => Object.create(Uint8Array.prototype),
  'an object with ArrayBuffer.prototype': () => Object.create(ArrayBuffer.prototype),
  'an object with Buffer.prototype': () => Object.create(Buffer.prototype),
  'a detached ArrayBuffer': () => detachedBuffer(),
  'a detached Uint8Array': () => detachedView(),
  'an empty detached Uint8Array': () => detachedView(0),
  'a SharedArrayBuffer': () => new SharedArrayBuffer(8),
  'a Uint16Array': () => new Uint16Array(4),
  'a DataView': () => new DataView(new ArrayBuffer(8)),
  'an object with throwing getters': () => ({ get length() { return boom(); }, get byteLength() { return boom(); } }),
  'an object with a throwing toJSON': () => ({ toJSON: boom }),
  'a String object': () => new String('text'),
  'a number': () => 42,
};

/** As a string. */
const STRING = {
  ...COMMON,
  'an object with a throwing toString': () => ({ toString: boom, valueOf: boom }),
  'a String object': () => new String('text'),
  'a Uint8Array': () => new Uint8Array(4),
  'a detached Uint8Array': () => detachedView(),
};

/** As a JSON-like object (config, builder arguments, biz_content, request options). */
const JSONISH = {
  ...COMMON,
  'an object with a throwing getter': () => ({ get out_trade_no() { return boom(); }, get appId() { return boom(); }, get path() { return boom(); } }),
  'an object with a throwing toJSON': () => ({ toJSON: boom }),
  'an object whose toJSON returns a revoked Proxy': () => ({ toJSON: () => revoked() }),
  'an object holding a revoked Proxy': () => ({ out_trade_no: 'T1', nested: revoked() }),
  'an object holding a BigInt': () => ({ out_trade_no: 'T1', amount: 1n }),
  'a cyclic object': () => {
    const o = { out_trade_no: 'T1' };
    o.self = o;
    return o;
  },
  'a Proxy whose ownKeys trap throws': () => new Proxy({ out_trade_no: 'T1' }, { ownKeys: boom }),
  'a Proxy whose get trap throws': () => new Proxy({ out_trade_no: 'T1' }, { get: boom }),
  'an object holding NaN': () => ({ out_trade_no: 'T1', n: NaN }),
};

/** As an options object read member by member (engine, role, rule, path), or a config that is both. */
const OPTIONS = {
  ...COMMON,
  'a Proxy whose get trap throws': () => new Proxy({}, { get: boom }),
  'an object whose option getters throw': () => ({ get engine() { return boom(); }, get role() { return boom(); }, get rule() { return boom(); }, get path() { return boom(); }, get serial() { return boom(); } }),
  'an object whose options are Symbols': () => ({ engine: Symbol('e'), role: Symbol('r'), rule: Symbol('r'), path: Symbol('p'), serial: Symbol('s') }),
  'an object whose options are revoked Proxies': () => ({ engine: revoked(), role: revoked(), rule: revoked(), path: revoked(), serial: revoked() }),
};

/** As a received WeChat Pay message `{ status?, headers, body }`: the object, its headers, its body, its status. */
const RECEIVED = {
  ...COMMON,
  'an array': () => [],
  'a string': () => 'Wechatpay-Timestamp: 1',
  'an object whose headers getter throws': () => ({ ...wechatpayReceived(), get headers() { return boom(); } }),
  'an object whose body getter throws': () => ({ ...wechatpayReceived(), get body() { return boom(); } }),
  'a Proxy whose get trap throws': () => new Proxy(wechatpayReceived(), { get: boom }),
  'headers as a revoked Proxy': () => wechatpayReceived({ headers: revoked() }),
  'headers as a Proxy whose every trap throws': () => wechatpayReceived({ headers: new Proxy({}, ALL_TRAPS) }),
  'headers as a Proxy over a Headers whose traps throw': () => wechatpayReceived({ headers: new Proxy(new Headers({ a: 'b' }), ALL_TRAPS) }),
  'headers with a throwing getter': () => wechatpayReceived({ headers: { get 'wechatpay-signature'() { return boom(); } } }),
  'headers with a throwing toJSON': () => wechatpayReceived({ headers: { toJSON: boom } }),
  'headers holding a number': () => wechatpayReceived({ headers: { 'Wechatpay-Timestamp': 1700000000 } }),
  'headers holding a BigInt': () => wechatpayReceived({ headers: { 'Wechatpay-Timestamp': 1700000000n } }),
  'headers as pairs that are not pairs': () => wechatpayReceived({ headers: [['Wechatpay-Nonce']] }),
  'headers as a string': () => wechatpayReceived({ headers: 'Wechatpay-Nonce: n' }),
  'no headers': () => ({ status: 200, body: '{}' }),
  'a body that is a detached buffer': () => wechatpayReceived({ body: detachedBuffer() }),
  'a body that is a Proxy over a Uint8Array': () => wechatpayReceived({ body: new Proxy(new Uint8Array(2), {}) }),
  'a body that is an object': () => wechatpayReceived({ body: { id: 'EV-1' } }),
  'a body that is a number': () => wechatpayReceived({ body: 7 }),
  'no body': () => ({ status: 200, headers: {} }),
};
const CONFIG = { ...JSONISH, ...OPTIONS };

/** As a certificate reply to decrypt, whose headers may be left out. */
const RECEIVED_BODY = Object.fromEntries(Object.entries(RECEIVED).filter(([label]) => label !== 'no headers'));

const KINDS = { bytes: BYTES, string: STRING, json: JSONISH, options: OPTIONS, config: CONFIG, received: RECEIVED, receivedBody: RECEIVED_BODY };

// ---------------------------------------------------------------------------------------------
// Every entry point with well-formed arguments; each argument is `[kind, value]`.

function entryPoints(api, objects, engine) {
  const { Alipay: alipay, UseePay: useepay, WechatMiniProgram: wechat, WechatPay: wechatpay, RsaSigner: signer, RsaVerifier: verifier } = objects;
  const { Router: router, WechatOfficialAccount: official } = objects;
  const order = { description: 'd', out_trade_no: 'T1', amount: money, payer: { openid: 'o' }, scene_info: { payer_client_ip: '203.0.113.7', h5_info: { type: 'Wap' } } };
  const response = { status: 200, ...wechatpayReceived() };
  const biz = { out_trade_no: 'T1', total_amount: money, subject: 's', buyer_open_id: 'o' };
  const key16 = new Uint8Array(16);
  const key32 = new Uint8Array(32);
  const signature = new Uint8Array(crypto.sign('sha256', probe, app.privateKey));
  return [
    ['new Alipay', (c) => new api.Alipay(c), [['config', alipayConfig(engine)]]],
    ['Alipay#buildRequest', (...a) => alipay.buildRequest(...a), [['string', 'alipay.trade.query'], ['json', { out_trade_no: 'T1' }], ['json', {}]]],
    ['Alipay#buildOauthToken', (...a) => alipay.buildOauthToken(...a), [['json', { code: 'c' }], ['json', {}]]],
    ['Alipay#buildTradeCreate', (...a) => alipay.buildTradeCreate(...a), [['json', biz], ['json', {}]]],
    ['Alipay#buildTradeQuery', (...a) => alipay.buildTradeQuery(...a), [['json', { out_trade_no: 'T1' }], ['json', {}]]],
    ['Alipay#buildTradeClose', (...a) => alipay.buildTradeClose(...a), [['json', { out_trade_no: 'T1' }], ['json', {}]]],
    ['Alipay#buildTradeRefund', (...a) => alipay.buildTradeRefund(...a), [['json', { out_trade_no: 'T1', refund_amount: money }], ['json', {}]]],
    ['Alipay#buildRefundQuery', (...a) => alipay.buildRefundQuery(...a), [['json', { out_trade_no: 'T1', out_request_no: 'R1' }], ['json', {}]]],
    ['Alipay#buildTradePrecreate', (...a) => alipay.buildTradePrecreate(...a), [['json', { out_trade_no: 'T1', total_amount: money, subject: 's' }], ['json', {}]]],
    ['Alipay#buildWapPay', (...a) => alipay.buildWapPay(...a), [['json', { out_trade_no: 'T1', total_amount: money, subject: 's' }], ['json', {}]]],
    ['Alipay#buildPagePay', (...a) => alipay.buildPagePay(...a), [['json', { out_trade_no: 'T1', total_amount: money, subject: 's' }], ['json', {}]]],
    ['Alipay#buildAppPay', (...a) => alipay.buildAppPay(...a), [['json', { out_trade_no: 'T1', total_amount: money, subject: 's' }], ['json', {}]]],
    ['Alipay#buildSdkOrder', (...a) => alipay.buildSdkOrder(...a), [['string', 'alipay.trade.app.pay'], ['json', { out_trade_no: 'T1' }], ['json', {}]]],
    ['Alipay#buildTradeCancel', (...a) => alipay.buildTradeCancel(...a), [['json', { out_trade_no: 'T1' }], ['json', {}]]],
    ['Alipay#buildBillDownloadUrlQuery', (...a) => alipay.buildBillDownloadUrlQuery(...a), [['json', { bill_type: 'trade', bill_date: '2026-01' }], ['json', {}]]],
    ['Alipay#buildAlipayCertDownload', (...a) => alipay.buildAlipayCertDownload(...a), [['json', { alipay_cert_sn: 'abc' }], ['json', {}]]],
    ['Alipay#addAlipayCertFromDownload', (...a) => alipay.addAlipayCertFromDownload(...a), [['bytes', '{}'], ['json', { alipayCertSn: 'abc' }]]],
    ['Alipay#parseResponse', (...a) => alipay.parseResponse(...a), [['string', 'alipay.trade.query'], ['bytes', '{}']]],
    ['Alipay#verifyNotify', (...a) => alipay.verifyNotify(...a), [['bytes', 'a=1'], ['options', {}]]],
    ['Alipay#verifyReturn', (...a) => alipay.verifyReturn(...a), [['bytes', 'a=1']]],
    ['Alipay#tradePayParams', (...a) => alipay.tradePayParams(...a), [['json', { trade_no: '2026' }]]],
    ['Alipay.launchQrCode', (...a) => api.Alipay.launchQrCode(...a), [['json', { query: {} }]]],
    ['Alipay#buildV3Request', (...a) => alipay.buildV3Request(...a), [['json', { method: 'GET', path: '/v3/x' }]]],
    ['Alipay#verifyV3Response', (...a) => alipay.verifyV3Response(...a), [['json', { status: 200, headers: {}, body: '{}' }]]],
    ['new UseePay', (c) => new api.UseePay(c), [['config', useepayConfig(engine)]]],
    ['UseePay#buildRequest', (...a) => useepay.buildRequest(...a), [['string', 'pay'], ['json', { transactionId: 'T1' }], ['options', {}]]],
    ['UseePay#buildJsapiPay', (...a) => useepay.buildJsapiPay(...a), [['json', { transactionId: 'T1', amount: { minor: 1, currency: 'HKD' }, subAppId: 'wx1', subOpenId: 'o', subject: 's' }]]],
    ['UseePay#buildQuery', (...a) => useepay.buildQuery(...a), [['json', { transactionId: 'T1' }]]],
    ['UseePay#buildRefund', (...a) => useepay.buildRefund(...a), [['json', { transactionId: 'R1', originalTransactionId: 'T1', amount: { minor: 1, currency: 'HKD' } }]]],
    ['UseePay#parseResponse', (...a) => useepay.parseResponse(...a), [['bytes', '{}']]],
    ['UseePay#parseJsapiPay', (...a) => useepay.parseJsapiPay(...a), [['bytes', '{}']]],
    ['UseePay#parseQuery', (...a) => useepay.parseQuery(...a), [['bytes', '{}']]],
    ['UseePay#parseRefund', (...a) => useepay.parseRefund(...a), [['bytes', '{}']]],
    ['UseePay#verifyNotify', (...a) => useepay.verifyNotify(...a), [['bytes', 'a=1']]],
    ['new WechatMiniProgram', (c) => new api.WechatMiniProgram(c), [['json', wechatConfig()]]],
    ['WechatMiniProgram#buildCode2Session', (...a) => wechat.buildCode2Session(...a), [['string', 'code']]],
    ['WechatMiniProgram#parseCode2Session', (...a) => wechat.parseCode2Session(...a), [['bytes', '{}']]],
    ['WechatMiniProgram#decryptUserData', (...a) => wechat.decryptUserData(...a), [['json', { sessionKey: 'AAAAAAAAAAAAAAAAAAAAAA==', encryptedData: 'AAAA', iv: 'AAAAAAAAAAAAAAAAAAAAAA==' }]]],
    ['WechatMiniProgram.launchQrCode', (...a) => api.WechatMiniProgram.launchQrCode(...a), [['json', { query: { q: 'https%3A%2F%2Fx%2Fq%3Ft%3D1' } }]]],
    ['new WechatOfficialAccount', (c) => new api.WechatOfficialAccount(c), [['json', wechatConfig()]]],
    ['WechatOfficialAccount#buildOauthAccessToken', (...a) => official.buildOauthAccessToken(...a), [['string', 'code']]],
    ['WechatOfficialAccount#parseOauthAccessToken', (...a) => official.parseOauthAccessToken(...a), [['bytes', '{}']]],
    ['new Router', (c) => new api.Router(c), [['json', routerConfig()]]],
    ['Router#route', (...a) => router.route(...a), [['json', { userAgent: 'MicroMessenger', url: '/q/S?t=1' }]]],
    ['Router#routeLaunch', (...a) => router.routeLaunch(...a), [['json', { query: { qrCode: 'https://x/q?t=1' } }]]],
    ['Router#authorizeUrl', (...a) => router.authorizeUrl(...a), [['json', { wallet: 'wechat', redirectUri: 'https://x/q' }]]],
    ['Router#verifyState', (...a) => router.verifyState(...a), [['string', 'w'], ['json', {}]]],
    ['new WechatPay', (c) => new api.WechatPay(c), [['config', wechatpayConfig(engine)]]],
    ['WechatPay#buildJsapiPrepay', (...a) => wechatpay.buildJsapiPrepay(...a), [['json', order], ['json', {}]]],
    ['WechatPay#buildNativePrepay', (...a) => wechatpay.buildNativePrepay(...a), [['json', order], ['json', {}]]],
    ['WechatPay#buildH5Prepay', (...a) => wechatpay.buildH5Prepay(...a), [['json', order], ['json', {}]]],
    ['WechatPay#buildAppPrepay', (...a) => wechatpay.buildAppPrepay(...a), [['json', order], ['json', {}]]],
    ['WechatPay#buildQuery', (...a) => wechatpay.buildQuery(...a), [['json', { outTradeNo: 'T1' }], ['json', {}]]],
    ['WechatPay#buildClose', (...a) => wechatpay.buildClose(...a), [['json', { outTradeNo: 'T1' }], ['json', {}]]],
    ['WechatPay#buildRefund', (...a) => wechatpay.buildRefund(...a), [['json', { out_trade_no: 'T1', out_refund_no: 'R1', amount: { refund: money, total: money } }], ['json', {}]]],
    ['WechatPay#buildRefundQuery', (...a) => wechatpay.buildRefundQuery(...a), [['json', { outRefundNo: 'R1' }], ['json', {}]]],
    ['WechatPay#buildCertificatesRequest', (...a) => wechatpay.buildCertificatesRequest(...a), [['json', {}]]],
    ['WechatPay#buildRequest', (...a) => wechatpay.buildRequest(...a), [['json', { method: 'POST', path: '/v3/x', body: { a: 1 } }], ['json', {}]]],
    ['WechatPay#buildTradeBill', (...a) => wechatpay.buildTradeBill(...a), [['json', { billDate: '2026-01-02' }], ['json', {}]]],
    ['WechatPay#buildFundFlowBill', (...a) => wechatpay.buildFundFlowBill(...a), [['json', { billDate: '2026-01-02' }], ['json', {}]]],
    ['WechatPay#buildBillDownload', (...a) => wechatpay.buildBillDownload(...a), [['string', 'https://api.mch.weixin.qq.com/v3/billdownload/file?token=t'], ['json', {}]]],
    ['WechatPay#checkBill', (...a) => wechatpay.checkBill(...a), [['json', { hash_type: 'SHA1', hash_value: 'a9993e364706816aba3e25717850c26c9cd0d89d' }], ['bytes', 'abc']]],
    ['WechatPay#verifyResponse', (...a) => wechatpay.verifyResponse(...a), [['received', response], ['json', { now: 1_700_000_000_000 }]]],
    ['WechatPay#verifyNotify', (...a) => wechatpay.verifyNotify(...a), [['received', wechatpayReceived()], ['json', { now: 1_700_000_000_000 }]]],
    ['WechatPay#requestPaymentParams', (...a) => wechatpay.requestPaymentParams(...a), [['json', { prepayId: 'wx1' }], ['json', {}]]],
    ['WechatPay#appPaymentParams', (...a) => wechatpay.appPaymentParams(...a), [['json', { prepayId: 'wx1' }], ['json', {}]]],
    ['WechatPay#encryptField', (...a) => wechatpay.encryptField(...a), [['string', 'x'], ['options', {}]]],
    ['WechatPay#decryptField', (...a) => wechatpay.decryptField(...a), [['string', 'AAAA']]],
    ['WechatPay#decryptCertificates', (...a) => wechatpay.decryptCertificates(...a), [['receivedBody', response], ['json', {}]]],
    ['WechatPay#verifyCertificates', (...a) => wechatpay.verifyCertificates(...a), [['received', response], ['json', {}]]],
    ['WechatPay#addPlatformCertificates', (...a) => wechatpay.addPlatformCertificates(...a), [['json', [CERT_PEM]]]],
    ['new RsaSigner', (...a) => new api.RsaSigner(...a), [['string', app.pkcs8Pem], ['options', { engine }]]],
    ['RsaSigner#sign', (...a) => signer.sign(...a), [['bytes', probe], ['string', 'sha256']]],
    ['RsaSigner#decryptOaep', (...a) => signer.decryptOaep(...a), [['bytes', new Uint8Array(256)]]],
    ['new RsaVerifier', (...a) => new api.RsaVerifier(...a), [['string', app.spkiPem], ['options', { engine }]]],
    ['RsaVerifier#verify', (...a) => verifier.verify(...a), [['bytes', probe], ['bytes', signature], ['string', 'sha256']]],
    ['RsaVerifier#encryptOaep', (...a) => verifier.encryptOaep(...a), [['bytes', 'x']]],
    ['RsaVerifier#encryptPkcs1v15', (...a) => verifier.encryptPkcs1v15(...a), [['bytes', 'x']]],
    ['Certificate.parse', (...a) => api.Certificate.parse(...a), [['string', CERT_PEM]]],
    ['Certificate.parseChain', (...a) => api.Certificate.parseChain(...a), [['string', CERT_PEM]]],
    ['primitives.md5', (...a) => api.primitives.md5(...a), [['bytes', 'x']]],
    ['primitives.sha256', (...a) => api.primitives.sha256(...a), [['bytes', 'x']]],
    ['primitives.hmacSha256', (...a) => api.primitives.hmacSha256(...a), [['bytes', 'k'], ['bytes', 'x']]],
    ['primitives.timingSafeEqual', (...a) => api.primitives.timingSafeEqual(...a), [['bytes', 'a'], ['bytes', 'a']]],
    ['primitives.aesGcmDecrypt', (...a) => api.primitives.aesGcmDecrypt(...a), [['bytes', key16], ['bytes', new Uint8Array(12)], ['bytes', ''], ['bytes', new Uint8Array(32)]]],
    ['primitives.aesCbcEncrypt', (...a) => api.primitives.aesCbcEncrypt(...a), [['bytes', key16], ['bytes', key16], ['bytes', 'x']]],
    ['primitives.aesCbcDecrypt', (...a) => api.primitives.aesCbcDecrypt(...a), [['bytes', key16], ['bytes', key16], ['bytes', new Uint8Array(16)]]],
    ['primitives.aesEcbDecrypt', (...a) => api.primitives.aesEcbDecrypt(...a), [['bytes', key32], ['bytes', new Uint8Array(16)]]],
  ];
}

// ---------------------------------------------------------------------------------------------

describe('3. hostile values are ERR_BAD_INPUT in every argument of every entry point', () => {
  for (const runtimeIndex of [0, 1]) {
    for (const engine of ENGINES) {
      it(`${['node entry', 'web glue'][runtimeIndex]}, engine ${engine}`, () => {
        const { api } = RUNTIMES[runtimeIndex];
        const objects = makeObjects(api, engine);
        const points = entryPoints(api, objects, engine);
        let cases = 0;
        const problems = [];
        for (const [name, call, args] of points) {
          args.forEach(([kind], position) => {
            for (const [label, make] of Object.entries(KINDS[kind])) {
              const values = args.map(([, good]) => good);
              values[position] = make();
              const what = `${name} argument ${position + 1} (${kind}): ${label}`;
              cases += 1;
              try {
                call(...values);
                problems.push(`${what}: no error`);
              } catch (error) {
                if (!(error instanceof api.AggpayError)) problems.push(`${what}: ${error?.constructor?.name}: ${error?.message}`);
                else if (error.code !== 'ERR_BAD_INPUT') problems.push(`${what}: ${error.code} (${error.message})`);
              }
            }
          });
        }
        assert.deepEqual(problems, [], `${problems.length} of ${cases} hostile arguments were not ERR_BAD_INPUT`);
        assert.ok(cases > 600, `${cases} cases`);
        assertStillSigns(api, [objects.RsaSigner], 'after every hostile argument');
      });
    }
  }

  // The …Async forms share the synchronous forms' boundary: the same hostile value is the same
  // ERR_BAD_INPUT, as a rejection (never a synchronous throw), on every engine including webcrypto.
  for (const runtimeIndex of [0, 1]) {
    for (const engine of [...ENGINES, 'webcrypto']) {
      it(`${['node entry', 'web glue'][runtimeIndex]}, engine ${engine}: the …Async forms reject the same way`, async () => {
        const { api } = RUNTIMES[runtimeIndex];
        const objects = makeObjects(api, engine);
        const points = entryPoints(api, objects, engine);
        let cases = 0;
        const problems = [];
        for (const [name, , args] of points) {
          const [className, method] = name.split('#');
          const target = objects[className];
          if (method === undefined || typeof target?.[`${method}Async`] !== 'function') continue;
          for (const [position, [kind]] of args.entries()) {
            for (const [label, make] of Object.entries(KINDS[kind])) {
              const values = args.map(([, good]) => good);
              values[position] = make();
              const what = `${name}Async argument ${position + 1} (${kind}): ${label}`;
              cases += 1;
              let promise;
              try {
                promise = target[`${method}Async`](...values);
              } catch (error) {
                problems.push(`${what}: threw instead of rejecting: ${error?.message}`);
                continue;
              }
              await promise.then(() => problems.push(`${what}: resolved`), (error) => {
                if (!(error instanceof api.AggpayError)) problems.push(`${what}: ${error?.constructor?.name}: ${error?.message}`);
                else if (error.code !== 'ERR_BAD_INPUT') problems.push(`${what}: ${error.code} (${error.message})`);
              });
            }
          }
        }
        assert.deepEqual(problems, [], `${problems.length} of ${cases} hostile arguments were not ERR_BAD_INPUT rejections`);
        assert.ok(cases > 300, `${cases} cases`);
        assertStillSigns(api, [objects.RsaSigner], 'after every hostile argument to an …Async form');
      });
    }
  }

  it('genuine bytes are read through their internal slots: own getters, odd prototypes and offsets change nothing', () => {
    for (const { api } of RUNTIMES) {
      for (const engine of ENGINES) {
        const signer = new api.RsaSigner(app.pkcs8Pem, { engine });
        const expect = (bytes) => crypto.sign('sha256', bytes, app.privateKey).toString('hex');
        const sign = (value) => Buffer.from(signer.sign(value)).toString('hex');
        const shadowed = new Uint8Array(probe);
        Object.defineProperty(shadowed, 'byteLength', { get: boom });
        Object.defineProperty(shadowed, 'length', { get: boom });
        Object.defineProperty(shadowed, 'buffer', { get: boom });
        assert.equal(sign(shadowed), expect(probe), `${engine}: a Uint8Array with throwing own length getters`);
        const reparented = new Uint8Array(probe);
        Object.setPrototypeOf(reparented, revoked());
        assert.equal(sign(reparented), expect(probe), `${engine}: a Uint8Array whose prototype is a revoked Proxy`);
        const inner = Buffer.concat([Buffer.from('xxxx'), probe, Buffer.from('yy')]).subarray(4, 4 + probe.length);
        assert.equal(sign(inner), expect(probe), `${engine}: a Buffer slice with an offset`);
        const buffer = new Uint8Array(probe).buffer;
        assert.equal(sign(buffer), expect(probe), `${engine}: an ArrayBuffer`);
        const shared = new Uint8Array(new SharedArrayBuffer(probe.length));
        shared.set(probe);
        assert.equal(sign(shared), expect(probe), `${engine}: a Uint8Array over a SharedArrayBuffer`);
        assert.equal(sign(new Uint8Array(0)), expect(Buffer.alloc(0)), `${engine}: an empty Uint8Array`);
        signer.free();
      }
    }
  });

  it('a free() from inside a call (a getter the call runs) waits for the call; later calls are ERR_BAD_INPUT', () => {
    for (const { api } of RUNTIMES) {
      for (const engine of ENGINES) {
        const alipay = new api.Alipay(alipayConfig(engine));
        const request = alipay.buildTradeQuery({
          get out_trade_no() {
            alipay.free();
            return 'T1';
          },
        });
        assert.match(request.body ?? request.url, /T1/, `${engine}: the call that freed its own object completes`);
        expectError(api, () => alipay.buildTradeQuery({ out_trade_no: 'T1' }), 'ERR_BAD_INPUT', `${engine}: after the deferred free`);
        const signer = new api.RsaSigner(app.pkcs8Pem, { engine });
        const reentrant = new api.Alipay(alipayConfig(engine));
        const nested = reentrant.buildTradeQuery({ get out_trade_no() { return `T-${signer.bits}-${reentrant.appId}`; } });
        assert.match(nested.body ?? nested.url, /T-2048-2021000122671080/, `${engine}: calls back into the same objects`);
        reentrant.free();
        signer.free();
      }
      assertStillSigns(api, [], 'after deferred frees');
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('4. receivers: foreign, plain, prototype and freed objects are ERR_BAD_INPUT', () => {
  const CLASSES = ['Alipay', 'UseePay', 'WechatMiniProgram', 'WechatOfficialAccount', 'Router', 'WechatPay', 'RsaSigner', 'RsaVerifier', 'Certificate'];

  /** Every method (called with well-formed arguments) and getter on `Class.prototype`. */
  function members(Class) {
    return Object.getOwnPropertyNames(Class.prototype)
      .filter((key) => key !== 'constructor' && !key.startsWith('__'))
      .map((key) => {
        const descriptor = Object.getOwnPropertyDescriptor(Class.prototype, key);
        return descriptor.get ? [key, descriptor.get, 'getter'] : [key, descriptor.value, 'method'];
      });
  }

  for (const runtimeIndex of [0, 1]) {
    for (const engine of ENGINES) {
      it(`${['node entry', 'web glue'][runtimeIndex]}, engine ${engine}: every method and getter of every class`, async () => {
        const { api } = RUNTIMES[runtimeIndex];
        const objects = makeObjects(api, engine);
        const problems = [];
        let cases = 0;
        for (const className of CLASSES) {
          const Class = api[className];
          const freed = className === 'Certificate' ? api.Certificate.parse(CERT_PEM) : makeObjects(api, engine)[className];
          freed.free();
          const receivers = {
            ...Object.fromEntries(CLASSES.filter((c) => c !== className).map((c) => [`a ${c}`, objects[c]])),
            'a plain object': {},
            'an object with the class prototype': Object.create(Class.prototype),
            'the prototype itself': Class.prototype,
            'a Proxy over an instance': new Proxy(objects[className], {}),
            'a revoked Proxy': revoked(),
            null: null,
            undefined,
            'a number': 42,
            'a string': 'Alipay',
            'a freed instance': freed,
          };
          for (const [key, fn, kind] of members(Class)) {
            for (const [label, receiver] of Object.entries(receivers)) {
              const what = `${className}.prototype.${key} (${kind}) on ${label}`;
              cases += 1;
              const refused = (error) => {
                if (!(error instanceof api.AggpayError)) problems.push(`${what}: ${error?.constructor?.name}: ${error?.message}`);
                else if (error.code !== 'ERR_BAD_INPUT') problems.push(`${what}: ${error.code} (${error.message})`);
                else if (label === 'a freed instance' && !/has been freed/.test(error.message)) problems.push(`${what}: message ${error.message}`);
              };
              try {
                const out = fn.call(receiver, 'a=1', 'x');
                if (key.endsWith('Async')) {
                  // The asynchronous methods never throw: they reject.
                  await out.then(() => problems.push(`${what}: resolved`), refused);
                } else if (!(key === 'free' && label === 'a freed instance')) problems.push(`${what}: no error`);
              } catch (error) {
                if (key.endsWith('Async')) problems.push(`${what}: threw instead of rejecting`);
                refused(error);
              }
            }
          }
          if (typeof Symbol.dispose === 'symbol') {
            const disposed = className === 'Certificate' ? api.Certificate.parse(CERT_PEM) : makeObjects(api, engine)[className];
            disposed[Symbol.dispose]();
            for (const [key, fn] of members(Class).filter(([k]) => k !== 'free')) {
              try {
                const out = fn.call(disposed);
                if (key.endsWith('Async')) await out;
                problems.push(`${className}.prototype.${key} after [Symbol.dispose](): no error`);
              } catch (error) {
                if (!(error instanceof api.AggpayError) || error.code !== 'ERR_BAD_INPUT') problems.push(`${className}.prototype.${key} after [Symbol.dispose](): ${error?.code ?? error?.constructor?.name}: ${error?.message}`);
              }
            }
          }
        }
        assert.deepEqual(problems, [], `${problems.length} of ${cases} receivers were not refused`);
        assertStillSigns(api, [objects.RsaSigner], 'after every wrong receiver');
      });
    }
  }

  it('the classes keep their names, instanceof, properties and constructors', () => {
    for (const { api, name } of RUNTIMES) {
      const objects = makeObjects(api, 'wasm');
      for (const className of CLASSES) {
        assert.equal(api[className].name, className, `${name}: ${className}.name`);
        assert.ok(objects[className] instanceof api[className], `${name}: instanceof ${className}`);
        for (const other of CLASSES.filter((c) => c !== className)) assert.ok(!(objects[className] instanceof api[other]), `${name}: ${className} is not a ${other}`);
        assert.deepEqual(Object.keys(objects[className]), [], `${name}: ${className} instances have no own enumerable properties`);
      }
      expectError(api, () => new api.Certificate(), 'ERR_BAD_INPUT', `${name}: new Certificate()`);
      assert.equal(objects.Alipay.appId, '2021000122671080');
      assert.ok(api.Certificate.parseChain(CERT_PEM).every((c) => c instanceof api.Certificate), `${name}: parseChain returns Certificates`);
      assert.equal(typeof api.Alipay.launchQrCode, 'function');
    }
  });

  it('the reported cases: Alipay methods on a UseePay, a getter on another class, a freed object', () => {
    for (const { api } of RUNTIMES) {
      const { Alipay: alipay, UseePay: useepay, RsaSigner: signer } = makeObjects(api, 'wasm');
      expectError(api, () => api.Alipay.prototype.buildTradeQuery.call(useepay, { out_trade_no: 'T1' }), 'ERR_BAD_INPUT', 'buildTradeQuery on a UseePay');
      expectError(api, () => api.Alipay.prototype.verifyNotify.call(useepay, 'a=1'), 'ERR_BAD_INPUT', 'verifyNotify on a UseePay');
      const appId = Object.getOwnPropertyDescriptor(api.Alipay.prototype, 'appId').get;
      expectError(api, () => appId.call(signer), 'ERR_BAD_INPUT', 'Alipay appId getter on an RsaSigner');
      alipay.free();
      const error = expectError(api, () => alipay.buildTradeQuery({ out_trade_no: 'T1' }), 'ERR_BAD_INPUT', 'a freed Alipay');
      assert.match(error.message, /has been freed/);
      alipay.free(); // twice: harmless
      assertStillSigns(api, [signer], 'after the reported cases');
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('5. huge inputs are ERR_INPUT_TOO_LARGE before they are copied into Wasm memory', () => {
  it('strings and buffers of 64 MiB + 1 to a few hundred MiB (and a 1.45 GB buffer) leave Wasm memory as it was', () => {
    const huge = 'a'.repeat(300 * MiB);
    const justOver = 'a'.repeat(64 * MiB + 1);
    const justOverBytes = new Uint8Array(64 * MiB + 1);
    const hugeBytes = new Uint8Array(1.45e9); // never written: the pages are not committed
    const overClientLimit = 'a'.repeat(MiB + 1);
    const overObjectLimit = 'a'.repeat(20 * MiB); // JSON ceilings: 16 MiB for objects, 2 MiB + 64 KiB for a v3 response
    for (const { api, wasm, name } of RUNTIMES) {
      for (const engine of ENGINES) {
        const objects = makeObjects(api, engine);
        const { Alipay: alipay, UseePay: useepay, WechatMiniProgram: wechat, WechatPay: wechatpay, RsaSigner: signer, RsaVerifier: verifier } = objects;
        const before = wasm.memory.buffer.byteLength;
        const cases = [
          ['RsaSigner#sign 64 MiB + 1', () => signer.sign(justOver)],
          ['RsaSigner#sign 64 MiB + 1 bytes', () => signer.sign(justOverBytes)],
          ['RsaSigner#sign 300 MiB', () => signer.sign(huge)],
          ['RsaSigner#sign 1.45 GB buffer', () => signer.sign(hugeBytes)],
          ['RsaSigner#sign 1.45 GB ArrayBuffer', () => signer.sign(hugeBytes.buffer)],
          ['RsaVerifier#verify 300 MiB', () => verifier.verify(huge, new Uint8Array(256))],
          ['RsaVerifier#verifyBase64 300 MiB signature', () => verifier.verifyBase64('m', huge)],
          ['RsaVerifier#verify 1.45 GB signature', () => verifier.verify('m', hugeBytes)],
          ['primitives.sha256 300 MiB', () => api.primitives.sha256(huge)],
          ['primitives.md5 1.45 GB', () => api.primitives.md5(hugeBytes)],
          ['primitives.hmacSha256 64 MiB + 1 key', () => api.primitives.hmacSha256(justOverBytes, 'x')],
          ['primitives.aesCbcDecrypt 300 MiB', () => api.primitives.aesCbcDecrypt(new Uint8Array(16), new Uint8Array(16), huge)],
          ['new RsaSigner 300 MiB key text', () => new api.RsaSigner(huge, { engine })],
          ['new RsaVerifier 64 MiB + 1 key text', () => new api.RsaVerifier(justOver)],
          ['new RsaSigner 300 MiB role', () => new api.RsaSigner(app.pkcs8Pem, { engine, role: huge })],
          ['Certificate.parse 300 MiB', () => api.Certificate.parse(huge)],
          ['Alipay#verifyNotify 1 MiB + 1', () => alipay.verifyNotify(overClientLimit)],
          ['Alipay#verifyNotify 1.45 GB', () => alipay.verifyNotify(hugeBytes)],
          ['Alipay#verifyNotify 300 MiB rule', () => alipay.verifyNotify('a=1', { rule: huge })],
          ['Alipay#verifyReturn 300 MiB', () => alipay.verifyReturn(huge)],
          ['Alipay#parseResponse 300 MiB', () => alipay.parseResponse('alipay.trade.query', huge)],
          ['Alipay#parseResponse 300 MiB method', () => alipay.parseResponse(huge, '{}')],
          ['Alipay#verifyV3Response 20 MiB body', () => alipay.verifyV3Response({ status: 200, headers: {}, body: overObjectLimit })],
          ['Alipay#verifyV3Response 300 MiB body', () => alipay.verifyV3Response({ status: 200, headers: {}, body: huge })],
          ['Alipay#buildTradeQuery 20 MiB field', () => alipay.buildTradeQuery({ out_trade_no: overObjectLimit })],
          ['new Alipay 20 MiB field', () => new api.Alipay({ ...alipayConfig(engine), notifyUrl: overObjectLimit })],
          ['UseePay#verifyNotify 300 MiB', () => useepay.verifyNotify(huge)],
          ['UseePay#parseQuery 1.45 GB', () => useepay.parseQuery(hugeBytes)],
          ['UseePay#buildRequest 300 MiB type', () => useepay.buildRequest(huge, {})],
          ['WechatMiniProgram#parseCode2Session 300 MiB', () => wechat.parseCode2Session(huge)],
          ['WechatMiniProgram#buildCode2Session 300 MiB', () => wechat.buildCode2Session(huge)],
          ['WechatMiniProgram#decryptUserData 20 MiB', () => wechat.decryptUserData({ sessionKey: 'k', iv: 'i', encryptedData: overObjectLimit })],
          ['WechatPay#verifyNotify 1 MiB + 1 body', () => wechatpay.verifyNotify({ headers: {}, body: overClientLimit })],
          ['WechatPay#verifyNotify 1.45 GB body', () => wechatpay.verifyNotify({ headers: {}, body: hugeBytes })],
          ['WechatPay#verifyResponse 300 MiB header value', () => wechatpay.verifyResponse({ status: 200, headers: { 'Wechatpay-Signature': huge }, body: '' })],
          ['WechatPay#verifyResponse 300 MiB header name', () => wechatpay.verifyResponse({ status: 200, headers: [[huge, 'x']], body: '' })],
          ['WechatPay#verifyNotify a Headers with a 20 MiB value', () => wechatpay.verifyNotify({ headers: new Headers({ 'wechatpay-nonce': overObjectLimit }), body: '' })],
          ['WechatPay#verifyCertificates 300 MiB body', () => wechatpay.verifyCertificates({ status: 200, headers: {}, body: huge })],
          ['WechatPay#decryptCertificates 1.45 GB body', () => wechatpay.decryptCertificates({ status: 200, body: hugeBytes })],
          ['WechatPay#checkBill 1.45 GB file', () => wechatpay.checkBill({ hash_type: 'SHA1', hash_value: 'x' }, hugeBytes)],
          ['WechatPay#checkBill 20 MiB reply', () => wechatpay.checkBill({ hash_type: 'SHA1', hash_value: overObjectLimit }, 'x')],
          ['WechatPay#buildRequest 20 MiB body', () => wechatpay.buildRequest({ method: 'POST', path: '/v3/x', body: overObjectLimit })],
          ['WechatPay#buildBillDownload 300 MiB URL', () => wechatpay.buildBillDownload(huge)],
          ['WechatPay#encryptField 300 MiB', () => wechatpay.encryptField(huge)],
          ['WechatPay#decryptField 300 MiB', () => wechatpay.decryptField(huge)],
          ['WechatPay#addPlatformCertificates 20 MiB', () => wechatpay.addPlatformCertificates([overObjectLimit])],
          ['WechatPay#buildQuery 300 MiB options', () => wechatpay.buildQuery({ outTradeNo: 'T1' }, { nonce: huge })],
          ['new WechatPay 20 MiB field', () => new api.WechatPay({ ...wechatpayConfig(engine), notifyUrl: overObjectLimit })],
        ];
        for (const [what, call] of cases) expectError(api, call, 'ERR_INPUT_TOO_LARGE', `${name} ${engine}: ${what}`);
        const grown = wasm.memory.buffer.byteLength - before;
        assert.ok(grown <= 2 * MiB, `${name} ${engine}: Wasm memory grew by ${grown} bytes refusing huge inputs`);
        assertStillSigns(api, [signer], `${name} ${engine} after huge inputs`);
      }
    }
  });

  it('inputs at a limit are accepted (64 MiB to primitives, a client\'s own maxInputBytes)', () => {
    const { api } = RUNTIMES[0];
    const data = new Uint8Array(64 * MiB).fill(7);
    assert.equal(Buffer.from(api.primitives.sha256(data)).toString('hex'), crypto.createHash('sha256').update(data).digest('hex'));
    const wide = new api.Alipay({ ...alipayConfig('wasm'), limits: { maxInputBytes: 4 * MiB } });
    expectError(api, () => wide.verifyNotify(`a=${'b'.repeat(2 * MiB)}`), 'ERR_SIGNATURE_INVALID', 'a 2 MiB body under a 4 MiB limit reaches verification');
    expectError(api, () => wide.verifyNotify(`a=${'b'.repeat(4 * MiB)}`), 'ERR_INPUT_TOO_LARGE', 'over the 4 MiB limit');
    // A v3 body of exactly maxInputBytes quotes is twice as long as JSON: still handed to the core.
    const alipay = new api.Alipay(alipayConfig('wasm'));
    const atLimit = expectError(api, () => alipay.verifyV3Response({ status: 200, headers: {}, body: '"'.repeat(MiB) }), ['ERR_SIGNATURE_INVALID', 'ERR_PROVIDER_REJECTED', 'ERR_RESPONSE_MALFORMED', 'ERR_BAD_INPUT'], 'a 1 MiB body of quotes');
    assert.doesNotMatch(atLimit.message, /limit/, 'the 1 MiB body is not refused for its size');
    expectError(api, () => alipay.verifyV3Response({ status: 200, headers: {}, body: '"'.repeat(MiB + 1) }), 'ERR_INPUT_TOO_LARGE', 'a 1 MiB + 1 body of quotes');
  });
});

// ---------------------------------------------------------------------------------------------

describe('3. leak test: tens of thousands of hostile calls leave the instance as it was', () => {
  const ITERATIONS = 20_000;
  const WARM_UP = 1_000;

  /** One hostile call of each class: [label, call(objects, api)]. */
  const HOSTILE_CALLS = [
    ['revoked Proxy as RsaSigner options', (o, api) => new api.RsaSigner(app.pkcs8Pem, revoked())],
    ['revoked Proxy as Alipay config', (o, api) => new api.Alipay(revoked())],
    ['throwing getter as UseePay config', (o, api) => new api.UseePay({ get engine() { return boom(); } })],
    ['detached ArrayBuffer as a notification body', (o) => o.Alipay.verifyNotify(detachedBuffer())],
    ['detached Uint8Array as a message', (o) => o.RsaSigner.sign(detachedView())],
    ['Proxy over a Uint8Array with throwing traps as data', (o, api) => api.primitives.sha256(new Proxy(new Uint8Array(8), ALL_TRAPS))],
    ['object with Uint8Array.prototype as a body', (o) => o.UseePay.verifyNotify(Object.create(Uint8Array.prototype))],
    ['throwing getter in biz_content', (o) => o.Alipay.buildTradeQuery({ get out_trade_no() { return boom(); } })],
    ['throwing toJSON as a config', (o, api) => new api.WechatMiniProgram({ toJSON: boom })],
    ['BigInt in v3 arguments', (o) => o.Alipay.buildV3Request({ method: 'GET', path: '/v3/x', timestamp: 1n })],
    ['Symbol as certificate text', (o, api) => api.Certificate.parse(Symbol('c'))],
    ['Proxy with a throwing get trap as verifyNotify options', (o) => o.Alipay.verifyNotify('a=1', new Proxy({}, { get: boom }))],
    ['revoked Proxy as verify signature', (o) => o.RsaVerifier.verify(probe, revoked())],
    ['wrong receiver', (o, api) => api.Alipay.prototype.buildTradeQuery.call(o.UseePay, { out_trade_no: 'T1' })],
    ['freed object', (o) => o.freed.sign(probe)],
    ['1 MiB + 1 notification body', (o) => o.UseePay.verifyNotify(OVERSIZED)],
    ['revoked Proxy as WeChat Pay headers', (o) => o.WechatPay.verifyNotify({ headers: revoked(), body: '{}' })],
    ['Proxy over a Headers with throwing traps', (o) => o.WechatPay.verifyResponse({ status: 200, headers: new Proxy(new Headers(), ALL_TRAPS), body: '' })],
    ['detached buffer as a WeChat Pay body', (o) => o.WechatPay.verifyNotify({ headers: {}, body: detachedView() })],
    ['throwing getter in a WeChat Pay order', (o) => o.WechatPay.buildJsapiPrepay({ get description() { return boom(); } })],
  ];
  const OVERSIZED = 'a'.repeat(MiB + 1);

  for (const runtimeIndex of [0, 1]) {
    it(`${['node entry', 'web glue'][runtimeIndex]}: ${ITERATIONS.toLocaleString('en')} calls of each of ${HOSTILE_CALLS.length} hostile classes, both engines`, { timeout: 120_000 }, () => {
      const { api, wasm } = RUNTIMES[runtimeIndex];
      const byEngine = ENGINES.map((engine) => {
        const objects = makeObjects(api, engine);
        objects.freed = new api.RsaSigner(app.pkcs8Pem, { engine });
        objects.freed.free();
        return objects;
      });
      const signers = byEngine.map((o) => o.RsaSigner);
      /** Runs `call` n times; returns what went wrong (every call must throw an AggpayError). */
      const run = (label, call, n) => {
        let wrong = 0;
        let first;
        for (let i = 0; i < n; i++) {
          try {
            call(byEngine[i & 1], api);
          } catch (error) {
            if (error instanceof api.AggpayError) continue;
            wrong += 1;
            first ??= `call ${i + 1} threw ${error?.constructor?.name}: ${error?.message}`;
            continue;
          }
          wrong += 1;
          first ??= `call ${i + 1} did not throw`;
        }
        return wrong === 0 ? [] : [`${label}: ${wrong} of ${n} calls were not AggpayErrors (first: ${first})`];
      };
      const signs = () => {
        try {
          assertStillSigns(api, signers, 'signing');
          return 'signs like node:crypto';
        } catch (error) {
          return `${error?.constructor?.name}: ${error?.message?.split('\n')[0]}`;
        }
      };
      for (const [label, call] of HOSTILE_CALLS) {
        const problems = run(label, call, WARM_UP);
        const memory = wasm.memory.buffer.byteLength;
        const table = wasm.__wbindgen_externrefs.length;
        problems.push(...run(label, call, ITERATIONS));
        const after = signs();
        if (after !== 'signs like node:crypto') problems.push(`${label}: afterwards the instance no longer signs: ${after}`);
        assert.deepEqual(problems, [], `${label}: ${WARM_UP} + ${ITERATIONS} calls`);
        assert.equal(wasm.memory.buffer.byteLength, memory, `${label}: Wasm memory grew over ${ITERATIONS} calls`);
        assert.equal(wasm.__wbindgen_externrefs.length, table, `${label}: the externref table grew over ${ITERATIONS} calls`);
      }
    });
  }
});

describe('3. leak test: the two-step seam frees every prepared operation', () => {
  // Every operation is prepared in Wasm (a Pending), answered by an engine and finished; the driver
  // frees the Pending whether the engine succeeds, fails or answers "invalid". Thousands of calls of
  // each kind, on every engine, synchronous and …Async, leave Wasm memory and the externref table flat.
  const ROUNDS = 3_000;
  const goodSignature = crypto.sign('sha256', probe, app.privateKey);
  const badSignature = Buffer.from(goodSignature).fill(7, 0, 8);
  for (const runtimeIndex of [0, 1]) {
    it(`${['node entry', 'web glue'][runtimeIndex]}: ${ROUNDS.toLocaleString('en')} signs and verifications (valid and invalid) per engine and form`, { timeout: 180_000 }, async () => {
      const { api, wasm } = RUNTIMES[runtimeIndex];
      for (const engine of [...ENGINES, 'webcrypto']) {
        const signer = new api.RsaSigner(app.pkcs8Pem, { engine });
        const verifier = new api.RsaVerifier(app.spkiPem, { engine });
        const rounds = engine === 'wasm' ? ROUNDS / 30 : ROUNDS; // in-Wasm signing is slow
        const once = async () => {
          assert.equal(await verifier.verifyAsync(probe, goodSignature), true);
          assert.equal(await verifier.verifyAsync(probe, badSignature), false);
          assert.equal(verifier.verify(probe, badSignature), false);
          await signer.signBase64Async(probe);
          signer.sign(probe);
          await verifier.verifyAsync(probe, 'not bytes').catch((e) => assert.equal(e.code, 'ERR_BAD_INPUT'));
        };
        for (let i = 0; i < 50; i++) await once();
        const memory = wasm.memory.buffer.byteLength;
        const table = wasm.__wbindgen_externrefs.length;
        for (let i = 0; i < rounds; i++) await once();
        assert.equal(wasm.memory.buffer.byteLength, memory, `${engine}: Wasm memory grew over ${rounds} rounds`);
        assert.equal(wasm.__wbindgen_externrefs.length, table, `${engine}: the externref table grew over ${rounds} rounds`);
        signer.free();
        verifier.free();
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------

describe('6. WeChat Pay: received messages, headers and the engines of a certificate reply', () => {
  // A notification node:crypto signs for the test certificate's key (java-sdk/merchant_*: standing in
  // for WeChat Pay here) and encrypts with the client's APIv3 key: after every hostile input the same
  // client still verifies it, and still signs like node:crypto.
  const certKey = readFixture('wechatpay/java-sdk/merchant_private_key.pem');
  const serial = '5F1C72E2A8931B72A2E13AF8DEE92471EB397115';
  const seconds = 1_700_000_000;
  const good = () => {
    const nonce = 'abcdefghijkl';
    const cipher = crypto.createCipheriv('aes-256-gcm', Buffer.from(WECHATPAY_API_V3_KEY), Buffer.from(nonce));
    cipher.setAAD(Buffer.from('transaction'));
    const plaintext = '{"trade_state":"SUCCESS","amount":{"total":1,"currency":"CNY"},"out_trade_no":"T1"}';
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]).toString('base64');
    const body = JSON.stringify({ id: 'EV-1', event_type: 'TRANSACTION.SUCCESS', resource: { algorithm: 'AEAD_AES_256_GCM', ciphertext, nonce, associated_data: 'transaction' } });
    const signature = crypto.sign('sha256', Buffer.from(`${seconds}\nn\n${body}\n`), certKey).toString('base64');
    return { headers: { 'Wechatpay-Timestamp': String(seconds), 'Wechatpay-Nonce': 'n', 'Wechatpay-Signature': signature, 'Wechatpay-Serial': serial }, body };
  };
  const now = { now: seconds * 1000 };
  const assertStillWorks = (api, wechatpay, what) => {
    assert.equal(wechatpay.verifyNotify(good(), now).event.paid, true, `${what}: the client still verifies`);
    const built = wechatpay.buildCertificatesRequest({ now: 1_800_000_000_000, nonce: 'n' });
    const signature = /signature="([^"]+)"/.exec(built.headers.authorization)[1];
    assert.equal(signature, crypto.sign('sha256', Buffer.from('GET\n/v3/certificates\n1800000000\nn\n\n'), app.privateKey).toString('base64'), `${what}: the client still signs like node:crypto`);
    assertStillSigns(api, [], what);
  };

  for (const runtimeIndex of [0, 1]) {
    for (const engine of ENGINES) {
      it(`${['node entry', 'web glue'][runtimeIndex]}, engine ${engine}: every shape of headers, odd statuses and bodies — each a stable code, the client still usable`, async () => {
        const { api } = RUNTIMES[runtimeIndex];
        const wechatpay = new api.WechatPay(wechatpayConfig(engine));
        const g = good();
        // Accepted: a plain object in any case, a Headers, a Headers subclass whose own iterators throw
        // (its entries are read with Headers' own), pairs, a list of values for a name.
        class Shadowed extends Headers {
          entries() { return boom(); }
          [Symbol.iterator]() { return boom(); }
          get(name) { return boom(name); }
        }
        const lower = Object.fromEntries(Object.entries(g.headers).map(([n, v]) => [n.toLowerCase(), v]));
        const upper = Object.fromEntries(Object.entries(g.headers).map(([n, v]) => [n.toUpperCase(), v]));
        for (const [label, headers] of [
          ['an object', g.headers], ['lower case', lower], ['upper case', upper], ['a Headers', new Headers(g.headers)],
          ['a Headers subclass with throwing iterators', new Shadowed(g.headers)], ['pairs', Object.entries(g.headers)],
          ['a list value', { ...g.headers, 'x-extra': ['1', '2'] }],
          ['an object with a null prototype', Object.assign(Object.create(null), g.headers)],
        ]) {
          assert.equal(wechatpay.verifyNotify({ headers, body: g.body }, now).event.paid, true, `headers as ${label}`);
          assert.equal((await wechatpay.verifyNotifyAsync({ headers, body: Buffer.from(g.body) }, now)).event.paid, true, `headers as ${label} (Async, a Buffer body)`);
        }
        const cases = [
          ['an object only pretending to be a Headers: its iteration fails inside the host\'s own Headers code', { headers: Object.create(Headers.prototype), body: g.body }, 'ERR_BAD_INPUT'],
          ['a Map: not a headers shape this API reads (no headers)', { headers: new Map(Object.entries(g.headers)), body: g.body }, 'ERR_SIGNATURE_INVALID'],
          ['a signature header twice', { headers: [...Object.entries(g.headers), ['wechatpay-signature', g.headers['Wechatpay-Signature']]], body: g.body }, 'ERR_RESPONSE_MALFORMED'],
          ['a signature header twice, as a list value', { headers: { ...g.headers, 'Wechatpay-Signature': [g.headers['Wechatpay-Signature'], 'x'] }, body: g.body }, 'ERR_RESPONSE_MALFORMED'],
          ['a 1025-byte signature header', { headers: { ...g.headers, 'Wechatpay-Signature': 'A'.repeat(1025) }, body: g.body }, 'ERR_INPUT_TOO_LARGE'],
          ['1001 headers', { headers: Object.fromEntries([...Object.entries(g.headers), ...Array.from({ length: 997 }, (_, i) => [`x-${i}`, 'v'])]), body: g.body }, 'ERR_TOO_MANY_FIELDS'],
          ['a non-object', 'headers', 'ERR_BAD_INPUT'],
          ['null', null, 'ERR_BAD_INPUT'],
          ['no body', { headers: g.headers }, 'ERR_BAD_INPUT'],
          ['no headers', { body: g.body }, 'ERR_BAD_INPUT'],
        ];
        for (const [label, value, code] of cases) {
          expectError(api, () => wechatpay.verifyNotify(value, now), code, `verifyNotify: ${label}`);
          await wechatpay.verifyNotifyAsync(value, now).then(() => assert.fail(`${label}: resolved`), (e) => assert.equal(e.code, code, `verifyNotifyAsync: ${label} (${e.message})`));
        }
        for (const status of ['200', 200.5, -1, NaN, 70000, null, undefined, { valueOf: () => 200 }]) {
          expectError(api, () => wechatpay.verifyResponse({ status, headers: g.headers, body: g.body }, now), 'ERR_BAD_INPUT', `status ${String(status)}`);
        }
        for (const options of [{ now: '1700000000000' }, { now: -1 }, { when: 1 }, 'now', [], { now: 1e300 }]) {
          expectError(api, () => wechatpay.verifyNotify(g, options), 'ERR_BAD_INPUT', `verify options ${JSON.stringify(options)}`);
        }
        assertStillWorks(api, wechatpay, `${engine} after odd headers`);
        wechatpay.free();
      });
    }
  }

  it('a certificate reply (verified with the key it brings, by engines made for that call) on every engine, sync and Async, again and again: the client keeps its ring and keeps working', async () => {
    const { api } = RUNTIMES[0];
    const { notBefore, notAfter } = api.Certificate.parse(CERT_PEM);
    const signedAt = notBefore + 60;
    assert.ok(notAfter > signedAt);
    // A reply bringing CERT_PEM, encrypted with the APIv3 key, signed with that certificate's key.
    const nonce = 'c3e1a5b7d9f2';
    const cipher = crypto.createCipheriv('aes-256-gcm', Buffer.from(WECHATPAY_API_V3_KEY), Buffer.from(nonce));
    cipher.setAAD(Buffer.from('certificate'));
    const ciphertext = Buffer.concat([cipher.update(CERT_PEM), cipher.final(), cipher.getAuthTag()]).toString('base64');
    const body = JSON.stringify({ data: [{ serial_no: serial, encrypt_certificate: { algorithm: 'AEAD_AES_256_GCM', nonce, associated_data: 'certificate', ciphertext } }] });
    const signature = crypto.sign('sha256', Buffer.from(`${signedAt}\nn\n${body}\n`), certKey).toString('base64');
    const reply = { status: 200, headers: { 'Wechatpay-Timestamp': String(signedAt), 'Wechatpay-Nonce': 'n', 'Wechatpay-Signature': signature, 'Wechatpay-Serial': serial }, body };
    const at = { now: signedAt * 1000 };
    for (const engine of [...ENGINES, 'webcrypto']) {
      const wechatpay = new api.WechatPay(wechatpayConfig(engine));
      for (let i = 0; i < 3; i++) {
        assert.equal(wechatpay.verifyCertificates(reply, at)[0].serialNo, serial, `${engine}: sync`);
        assert.equal((await wechatpay.verifyCertificatesAsync(reply, at))[0].serialNo, serial, `${engine}: Async`);
      }
      const changed = { ...reply, body: body.replace('"data"', '"data" ') };
      expectError(api, () => wechatpay.verifyCertificates(changed, at), 'ERR_SIGNATURE_INVALID', `${engine}: a changed reply`);
      await wechatpay.verifyCertificatesAsync(changed, at).then(() => assert.fail('resolved'), (e) => assert.equal(e.code, 'ERR_SIGNATURE_INVALID'));
      assert.deepEqual(wechatpay.wechatpaySerials, [serial], 'verifying a reply adds nothing');
      assertStillWorks(api, wechatpay, `${engine} after certificate replies`);
      wechatpay.free();
    }
  });
});
