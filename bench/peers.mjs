// Measures, never asserts: aggpay against its peers and against the bare limit, in one Node process.
// For each piece of work, every contender that can do it runs in interleaved rounds (bench/measure.mjs)
// and the median ops/s is printed with its ratio to the bare limit: node:crypto on a pre-built
// KeyObject (RSA-2048, the same key and bytes), or a bare MD5. Peers, pinned dev dependencies, are
// called through their own APIs as a merchant would call them (keys as their READMEs pass them); a peer
// without the work shows "—". Every call's output is checked once against node:crypto before it is
// timed. Then cold start in fresh processes (median of N) and the size of the .wasm.
// Run after a build: node bench/peers.mjs   [--rounds=5] [--window=200] [--cold=11] [--quick]
import { createDecipheriv, createCipheriv, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { Alipay, UseePay, WechatPay } from 'aggpay';
import { AlipaySdk } from 'alipay-sdk';
import { interleavedAsync, median } from './measure.mjs';

const require = createRequire(import.meta.url);
const WechatpayNodeV3 = require('wechatpay-node-v3');
const { Rsa, Aes, Formatter } = require('wechatpay-axios-plugin');

const arg = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const QUICK = process.argv.includes('--quick'); // a smoke run: every check, tiny windows
const OPTIONS = { rounds: QUICK ? 1 : arg('rounds', 5), windowMs: QUICK ? 5 : arg('window', 200) };
const COLD_N = QUICK ? 1 : arg('cold', 11);
const repoRoot = fileURLToPath(new URL('../', import.meta.url));

function check(what, ok) {
  if (!ok) throw new Error(`bench/peers.mjs: ${what} did not produce what node:crypto expects; refusing to time it`);
}

// ---- keys and fixtures -------------------------------------------------------------------------
const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const app = pair(); // the merchant's key
const provider = pair(); // Alipay's / WeChat Pay's key
const pem = (k, type) => k.export({ type, format: 'pem' });
const appPrivatePem = pem(app.privateKey, 'pkcs8');
const appPublicPem = pem(app.publicKey, 'spki');
const providerPublicPem = pem(provider.publicKey, 'spki');
const APP_ID = '2021000122671080';

const CONTENDERS = ['bare limit', 'hand-written minimum', 'aggpay node', 'aggpay wasm', 'alipay-sdk', 'wechatpay-node-v3', 'wechatpay-axios-plugin'];
const aggpay = (engine) => ({
  alipay: new Alipay({ appId: APP_ID, privateKey: appPrivatePem, alipayPublicKey: providerPublicPem, engine }),
  wechatpay: new WechatPay({ mchid: '1900000109', privateKey: appPrivatePem, merchantSerialNo: MCH_SERIAL, apiV3Key: API_V3_KEY, wechatpayPublicKey: providerPublicPem, wechatpayPublicKeyId: PUB_KEY_ID, appId: 'wxd678efh567hg6787', notifyUrl: 'https://example.com/notify', engine }),
  useepayRsa: new UseePay({ merchantNo: '500000000007362', appId: 'www.pay.com', signType: 'RSA', privateKey: appPrivatePem, engine }),
});
const MCH_SERIAL = '5157F09EFDC096DE15EBE81A47057A7232F1B8E1';
const API_V3_KEY = 'aggpayBenchApiV3Key0123456789abc';
const PUB_KEY_ID = 'PUB_KEY_ID_0114000000000000000000000000000001';
const lib = { node: aggpay('node'), wasm: aggpay('wasm') };
const MD5_KEY = 'k'.repeat(32);
const useepayMd5 = new UseePay({ merchantNo: '500000000007362', appId: 'www.pay.com', signType: 'MD5', md5Key: MD5_KEY });

const alipaySdk = new AlipaySdk({ appId: APP_ID, privateKey: appPrivatePem, keyType: 'PKCS8', alipayPublicKey: providerPublicPem });
// wechatpay-node-v3 as its README builds it: PEM buffers, the certificate serial given; the platform
// key looked up by serial in its static cache (what fetchCertificates fills).
const nodeV3 = new WechatpayNodeV3({ appid: 'wxd678efh567hg6787', mchid: '1900000109', serial_no: MCH_SERIAL, publicKey: Buffer.from(appPublicPem), privateKey: Buffer.from(appPrivatePem), key: API_V3_KEY });
WechatpayNodeV3.certificates[PUB_KEY_ID] = providerPublicPem;
// wechatpay-axios-plugin as its README loads keys: KeyObjects (Rsa.from).
const axiosPrivate = Rsa.from(appPrivatePem, Rsa.KEY_TYPE_PRIVATE);
const axiosPublic = Rsa.from(providerPublicPem, Rsa.KEY_TYPE_PUBLIC);

/** The string Alipay signs: every parameter but `sign` (and `sign_type` for notifications), sorted, raw. */
const alipayContent = (params, drop) => Object.keys(params).filter((k) => !drop.includes(k) && params[k] !== '').sort().map((k) => `${k}=${params[k]}`).join('&');

// ---- 1. signed Alipay request (alipay.trade.create) --------------------------------------------
const tradeBiz = { out_trade_no: 'T202611300001', total_amount: { minor: 8888, currency: 'CNY' }, subject: '咖啡 x2', buyer_open_id: '074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5' };
const sdkBiz = { bizContent: { outTradeNo: 'T202611300001', totalAmount: '88.88', subject: '咖啡 x2', buyerOpenId: '074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5', productCode: 'JSAPI_PAY' } };
function aggpayAlipayParams(req) {
  const params = Object.fromEntries(new URL(req.url).searchParams);
  Object.assign(params, Object.fromEntries(new URLSearchParams(req.body)));
  return params;
}
const sdkParams = (query) => Object.fromEntries(query.split('&').map((kv) => kv.split('=').map(decodeURIComponent)));
const verifiesAlipayRequest = (params) => verify('sha256', Buffer.from(alipayContent(params, ['sign'])), app.publicKey, Buffer.from(params.sign, 'base64'));
const tradeCreateContent = Buffer.from(alipayContent(aggpayAlipayParams(lib.node.alipay.buildTradeCreate(tradeBiz)), ['sign']));
for (const engine of ['node', 'wasm']) check(`aggpay ${engine} buildTradeCreate`, verifiesAlipayRequest(aggpayAlipayParams(lib[engine].alipay.buildTradeCreate(tradeBiz))));
check('alipay-sdk sdkExecute', verifiesAlipayRequest(sdkParams(alipaySdk.sdkExecute('alipay.trade.create', sdkBiz))) && sdkParams(alipaySdk.sdkExecute('alipay.trade.create', sdkBiz)).method === 'alipay.trade.create');

// ---- 2. Alipay notification ---------------------------------------------------------------------
const notifyParams = {
  app_id: APP_ID, auth_app_id: APP_ID, buyer_id: '2088102177846880', buyer_pay_amount: '88.88',
  charset: 'utf-8', gmt_create: '2026-11-30 12:00:00', gmt_payment: '2026-11-30 12:00:05', invoice_amount: '88.88',
  notify_id: '2026113000222120005084880512345678', notify_time: '2026-11-30 12:00:05', notify_type: 'trade_status_sync',
  out_trade_no: 'T202611300001', point_amount: '0.00', receipt_amount: '88.88', seller_id: '2088102177649450',
  subject: '咖啡 x2', total_amount: '88.88', trade_no: '2026113022001446881000123456', trade_status: 'TRADE_SUCCESS', version: '1.0',
};
const notifyContent = Buffer.from(alipayContent(notifyParams, ['sign', 'sign_type']));
const notifySignature = sign('sha256', notifyContent, provider.privateKey);
const notifyBody = new URLSearchParams({ ...notifyParams, sign: notifySignature.toString('base64'), sign_type: 'RSA2' }).toString();
const tamperedNotify = notifyBody.replace('88.88', '88.89');
for (const engine of ['node', 'wasm']) {
  check(`aggpay ${engine} verifyNotify`, JSON.stringify(lib[engine].alipay.verifyNotify(notifyBody).event).includes(notifyParams.trade_no));
  let refused = false;
  try { lib[engine].alipay.verifyNotify(tamperedNotify); } catch { refused = true; }
  check(`aggpay ${engine} verifyNotify (tampered)`, refused);
}
// alipay-sdk takes the parsed form: parsing the raw body is part of its call here, as it is for aggpay.
const sdkNotify = (body) => alipaySdk.checkNotifySign(Object.fromEntries(new URLSearchParams(body)));
check('alipay-sdk checkNotifySign', sdkNotify(notifyBody) === true && sdkNotify(tamperedNotify) === false);

// ---- 3. Alipay response (alipay.trade.query) ----------------------------------------------------
const responseNode = '{"code":"10000","msg":"Success","trade_no":"2026113022001446881000123456","out_trade_no":"T202611300001","buyer_logon_id":"159****5620","trade_status":"TRADE_SUCCESS","total_amount":"88.88","receipt_amount":"88.88","buyer_pay_amount":"88.88","point_amount":"0.00","invoice_amount":"88.88","send_pay_date":"2026-11-30 12:00:05","buyer_user_id":"2088102177846880"}';
const responseSignature = sign('sha256', Buffer.from(responseNode), provider.privateKey);
const responseBody = `{"alipay_trade_query_response":${responseNode},"sign":"${responseSignature.toString('base64')}"}`;
const tamperedResponse = responseBody.replace('TRADE_SUCCESS', 'TRADE_CLOSED');
for (const engine of ['node', 'wasm']) {
  check(`aggpay ${engine} parseResponse`, JSON.stringify(lib[engine].alipay.parseResponse('alipay.trade.query', responseBody)).includes('2026113022001446881000123456'));
  let refused = false;
  try { lib[engine].alipay.parseResponse('alipay.trade.query', tamperedResponse); } catch { refused = true; }
  check(`aggpay ${engine} parseResponse (tampered)`, refused);
}
// alipay-sdk's exec() does this after its HTTP call: JSON.parse, then checkResponseSign over the raw text.
function sdkResponse(body) {
  const parsed = JSON.parse(body);
  alipaySdk.checkResponseSign(body, 'alipay_trade_query_response', parsed.sign);
  return parsed.alipay_trade_query_response;
}
check('alipay-sdk checkResponseSign', sdkResponse(responseBody).trade_no === '2026113022001446881000123456');
check('alipay-sdk checkResponseSign (tampered)', (() => { try { sdkResponse(tamperedResponse); return false; } catch { return true; } })());

// ---- 4. WeChat Pay v3 request (JSAPI prepay, the Authorization header) --------------------------
const wxOrder = { description: 'Image形象店-深圳腾大-QQ公仔', out_trade_no: '1217752501201407033233368018', amount: { minor: 100, currency: 'CNY' }, payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' } };
const wxBodyObject = { appid: 'wxd678efh567hg6787', mchid: '1900000109', description: wxOrder.description, out_trade_no: wxOrder.out_trade_no, amount: { total: 100, currency: 'CNY' }, payer: wxOrder.payer, notify_url: 'https://example.com/notify' };
const WX_URL = 'https://api.mch.weixin.qq.com/v3/pay/transactions/jsapi';
const WX_PATH = '/v3/pay/transactions/jsapi';
const authField = (auth, name) => auth.match(new RegExp(`${name}="([^"]*)"`))[1];
const verifiesAuthorization = (auth, body) => auth.startsWith('WECHATPAY2-SHA256-RSA2048 ') && authField(auth, 'mchid') === '1900000109' && authField(auth, 'serial_no') === MCH_SERIAL
  && verify('sha256', Buffer.from(`POST\n${WX_PATH}\n${authField(auth, 'timestamp')}\n${authField(auth, 'nonce_str')}\n${body}\n`), app.publicKey, Buffer.from(authField(auth, 'signature'), 'base64'));
const wxBody = JSON.stringify(wxBodyObject);
for (const engine of ['node', 'wasm']) {
  const req = lib[engine].wechatpay.buildJsapiPrepay(wxOrder);
  check(`aggpay ${engine} buildJsapiPrepay`, req.body === wxBody && verifiesAuthorization(req.headers.authorization, req.body));
}
check('wechatpay-node-v3 buildAuthorization', verifiesAuthorization(nodeV3.buildAuthorization('POST', WX_URL, wxBodyObject), wxBody));
function axiosAuthorization(bodyObject) {
  const nonce = Formatter.nonce();
  const timestamp = Formatter.timestamp();
  const body = JSON.stringify(bodyObject);
  const signature = Rsa.sign(Formatter.request('POST', WX_PATH, timestamp, nonce, body), axiosPrivate);
  return { body, authorization: Formatter.authorization('1900000109', nonce, signature, timestamp, MCH_SERIAL) };
}
check('wechatpay-axios-plugin Rsa.sign + Formatter', ((r) => verifiesAuthorization(r.authorization, r.body))(axiosAuthorization(wxBodyObject)));
const wxSignContent = Buffer.from(`POST\n${WX_PATH}\n1796172020\n07218b4e1baea0ffd8dd84079a7438b0\n${wxBody}\n`);

// ---- 5. WeChat Pay v3 notification: verify the headers' signature, decrypt the resource ---------
const WX_NOW = 1_800_000_000_000;
const wxTimestamp = String(WX_NOW / 1000);
const wxNonce = 'benchNonceHeader0123456789abcdef';
const resourcePlain = JSON.stringify({ mchid: '1900000109', appid: 'wxd678efh567hg6787', out_trade_no: wxOrder.out_trade_no, transaction_id: '4200000000202611300000000001', trade_type: 'JSAPI', trade_state: 'SUCCESS', trade_state_desc: '支付成功', bank_type: 'OTHERS', attach: '', success_time: '2026-11-30T12:00:05+08:00', payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' }, amount: { total: 100, payer_total: 100, currency: 'CNY', payer_currency: 'CNY' } });
const resourceNonce = 'benchNonce12';
const cipher = createCipheriv('aes-256-gcm', Buffer.from(API_V3_KEY), Buffer.from(resourceNonce)).setAAD(Buffer.from('transaction'));
const resourceCipher = Buffer.concat([cipher.update(resourcePlain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
const wxNotifyBody = JSON.stringify({ id: 'EV-2026113012000500000001', create_time: '2026-11-30T12:00:06+08:00', resource_type: 'encrypt-resource', event_type: 'TRANSACTION.SUCCESS', summary: '支付成功', resource: { original_type: 'transaction', algorithm: 'AEAD_AES_256_GCM', ciphertext: resourceCipher.toString('base64'), associated_data: 'transaction', nonce: resourceNonce } });
const wxNotifyMessage = Buffer.from(`${wxTimestamp}\n${wxNonce}\n${wxNotifyBody}\n`);
const wxNotifySignature = sign('sha256', wxNotifyMessage, provider.privateKey);
const wxHeaders = { 'wechatpay-timestamp': wxTimestamp, 'wechatpay-nonce': wxNonce, 'wechatpay-signature': wxNotifySignature.toString('base64'), 'wechatpay-serial': PUB_KEY_ID };
const wxIncoming = { headers: wxHeaders, body: wxNotifyBody };
const wxTampered = { headers: wxHeaders, body: wxNotifyBody.replace('支付成功', '支付失败') };
const txnId = '4200000000202611300000000001';
for (const engine of ['node', 'wasm']) {
  check(`aggpay ${engine} verifyNotify (WeChat Pay)`, JSON.stringify(lib[engine].wechatpay.verifyNotify(wxIncoming, { now: WX_NOW })).includes(txnId));
  let refused = false;
  try { lib[engine].wechatpay.verifyNotify(wxTampered, { now: WX_NOW }); } catch { refused = true; }
  check(`aggpay ${engine} verifyNotify (WeChat Pay, tampered)`, refused);
}
async function nodeV3Notify(incoming) {
  const h = incoming.headers;
  const ok = await nodeV3.verifySign({ timestamp: h['wechatpay-timestamp'], nonce: h['wechatpay-nonce'], body: incoming.body, serial: h['wechatpay-serial'], signature: h['wechatpay-signature'] });
  if (!ok) throw new Error('signature');
  const { resource } = JSON.parse(incoming.body);
  return nodeV3.decipher_gcm(resource.ciphertext, resource.associated_data, resource.nonce, API_V3_KEY);
}
check('wechatpay-node-v3 verifySign + decipher_gcm', (await nodeV3Notify(wxIncoming)).transaction_id === txnId);
check('wechatpay-node-v3 verifySign (tampered)', await nodeV3Notify(wxTampered).then(() => false, () => true));
function axiosNotify(incoming) {
  const h = incoming.headers;
  if (!Rsa.verify(Formatter.response(h['wechatpay-timestamp'], h['wechatpay-nonce'], incoming.body), h['wechatpay-signature'], axiosPublic)) throw new Error('signature');
  const { resource } = JSON.parse(incoming.body);
  return JSON.parse(Aes.AesGcm.decrypt(resource.ciphertext, API_V3_KEY, resource.nonce, resource.associated_data));
}
check('wechatpay-axios-plugin Rsa.verify + AesGcm.decrypt', axiosNotify(wxIncoming).transaction_id === txnId);
check('wechatpay-axios-plugin Rsa.verify (tampered)', (() => { try { axiosNotify(wxTampered); return false; } catch { return true; } })());
const apiV3Key = Buffer.from(API_V3_KEY);
function bareWxNotify() {
  if (!verify('sha256', wxNotifyMessage, provider.publicKey, wxNotifySignature)) throw new Error('signature');
  const d = createDecipheriv('aes-256-gcm', apiV3Key, Buffer.from(resourceNonce)).setAAD(Buffer.from('transaction'));
  d.setAuthTag(resourceCipher.subarray(-16));
  return Buffer.concat([d.update(resourceCipher.subarray(0, -16)), d.final()]);
}
check('bare WeChat Pay notification', bareWxNotify().toString() === resourcePlain);

// ---- 6. UseePay request (query), MD5 and RSA -----------------------------------------------------
const useepayFields = (req) => Object.fromEntries(new URLSearchParams(req.body));
const useepayContent = (fields) => Object.keys(fields).filter((k) => k !== 'sign' && fields[k].trim() !== '').sort().map((k) => `${k}=${fields[k]}`).join('&');
const md5Fields = useepayFields(useepayMd5.buildQuery({ transactionId: 'T202611300001' }));
const md5Text = `${useepayContent(md5Fields)}&pkey=${MD5_KEY}`;
check('aggpay UseePay MD5 buildQuery', createHash('md5').update(md5Text).digest('hex') === md5Fields.sign);
const rsaContent = Buffer.from(useepayContent(useepayFields(lib.node.useepayRsa.buildQuery({ transactionId: 'T202611300001' }))));
for (const engine of ['node', 'wasm']) {
  const fields = useepayFields(lib[engine].useepayRsa.buildQuery({ transactionId: 'T202611300001' }));
  check(`aggpay ${engine} UseePay RSA buildQuery`, verify('sha256', Buffer.from(useepayContent(fields)), app.publicKey, Buffer.from(fields.sign, 'base64')));
}

// ---- the hand-written minimum -----------------------------------------------------------------------
// The least any implementation must do for each piece of work, written inline on node:crypto with no
// check beyond the signature: no size limits, no charsets, no repeated names refused, no validation,
// money not converted. Not a contender — a reference for how near the bare limit JavaScript can get
// at all; each is checked like the others before it is timed.
const beijingTime = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
const minimum = {
  alipayRequest(biz) {
    const params = { app_id: APP_ID, biz_content: JSON.stringify(biz), charset: 'utf-8', format: 'JSON', method: 'alipay.trade.create', sign_type: 'RSA2', timestamp: beijingTime(), version: '1.0' };
    params.sign = sign('sha256', Buffer.from(alipayContent(params, [])), app.privateKey).toString('base64');
    return { method: 'POST', url: 'https://openapi.alipay.com/gateway.do', headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' }, body: new URLSearchParams(params).toString() };
  },
  alipayNotify(body) {
    const params = Object.fromEntries(new URLSearchParams(body));
    if (!verify('sha256', Buffer.from(alipayContent(params, ['sign', 'sign_type'])), provider.publicKey, Buffer.from(params.sign, 'base64'))) throw new Error('signature');
    const [yuan, fen = ''] = params.total_amount.split('.');
    return { paid: params.trade_status === 'TRADE_SUCCESS' || params.trade_status === 'TRADE_FINISHED', amount: { minor: Number(yuan) * 100 + Number(fen.padEnd(2, '0')), currency: 'CNY' }, outTradeNo: params.out_trade_no, tradeNo: params.trade_no, params };
  },
  alipayResponse(raw) {
    const name = '"alipay_trade_query_response":';
    const start = raw.indexOf(name) + name.length;
    const end = raw.lastIndexOf(',"sign":"');
    const node = raw.slice(start, end);
    if (!verify('sha256', Buffer.from(node), provider.publicKey, Buffer.from(raw.slice(end + 9, raw.lastIndexOf('"')), 'base64'))) throw new Error('signature');
    return JSON.parse(node);
  },
  useepayQuery(args, signWith) {
    const fields = { merchantNo: '500000000007362', signType: signWith === 'MD5' ? 'MD5' : 'RSA', transactionId: args.transactionId, transactionType: 'query', version: '1.0' };
    const content = useepayContent(fields);
    fields.sign = signWith === 'MD5' ? createHash('md5').update(`${content}&pkey=${MD5_KEY}`).digest('hex') : sign('sha256', Buffer.from(content), app.privateKey).toString('base64');
    return { method: 'POST', url: 'https://api.useepay.com/api', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() };
  },
};
const sdkBizContent = { out_trade_no: 'T202611300001', total_amount: '88.88', subject: '咖啡 x2', buyer_open_id: '074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5', product_code: 'JSAPI_PAY' };
check('minimum Alipay request', ((p) => verifiesAlipayRequest(p) && p.method === 'alipay.trade.create')(aggpayAlipayParams(minimum.alipayRequest(sdkBizContent))));
check('minimum Alipay notification', minimum.alipayNotify(notifyBody).tradeNo === notifyParams.trade_no && minimum.alipayNotify(notifyBody).amount.minor === 8888);
check('minimum Alipay notification (tampered)', (() => { try { minimum.alipayNotify(tamperedNotify); return false; } catch { return true; } })());
check('minimum Alipay response', minimum.alipayResponse(responseBody).trade_no === '2026113022001446881000123456');
check('minimum Alipay response (tampered)', (() => { try { minimum.alipayResponse(tamperedResponse); return false; } catch { return true; } })());
const minimumMd5 = useepayFields(minimum.useepayQuery({ transactionId: 'T202611300001' }, 'MD5'));
check('minimum UseePay MD5 query', createHash('md5').update(`${useepayContent(minimumMd5)}&pkey=${MD5_KEY}`).digest('hex') === minimumMd5.sign);
const minimumRsa = useepayFields(minimum.useepayQuery({ transactionId: 'T202611300001' }, 'RSA'));
check('minimum UseePay RSA query', verify('sha256', Buffer.from(useepayContent(minimumRsa)), app.publicKey, Buffer.from(minimumRsa.sign, 'base64')));

// ---- throughput -------------------------------------------------------------------------------------
const rows = [
  ['signed Alipay request (`alipay.trade.create`)', {
    'bare limit': () => sign('sha256', tradeCreateContent, app.privateKey),
    'hand-written minimum': () => minimum.alipayRequest(sdkBizContent),
    'aggpay node': () => lib.node.alipay.buildTradeCreate(tradeBiz),
    'aggpay wasm': () => lib.wasm.alipay.buildTradeCreate(tradeBiz),
    'alipay-sdk': () => alipaySdk.sdkExecute('alipay.trade.create', sdkBiz),
  }],
  ['Alipay notification (verify)', {
    'bare limit': () => verify('sha256', notifyContent, provider.publicKey, notifySignature),
    'hand-written minimum': () => minimum.alipayNotify(notifyBody),
    'aggpay node': () => lib.node.alipay.verifyNotify(notifyBody),
    'aggpay wasm': () => lib.wasm.alipay.verifyNotify(notifyBody),
    'alipay-sdk': () => sdkNotify(notifyBody),
  }],
  ['Alipay response (`alipay.trade.query`, verify)', {
    'bare limit': () => verify('sha256', Buffer.from(responseNode), provider.publicKey, responseSignature),
    'hand-written minimum': () => minimum.alipayResponse(responseBody),
    'aggpay node': () => lib.node.alipay.parseResponse('alipay.trade.query', responseBody),
    'aggpay wasm': () => lib.wasm.alipay.parseResponse('alipay.trade.query', responseBody),
    'alipay-sdk': () => sdkResponse(responseBody),
  }],
  ['WeChat Pay v3 request (JSAPI prepay, Authorization)', {
    'bare limit': () => sign('sha256', wxSignContent, app.privateKey),
    'aggpay node': () => lib.node.wechatpay.buildJsapiPrepay(wxOrder),
    'aggpay wasm': () => lib.wasm.wechatpay.buildJsapiPrepay(wxOrder),
    'wechatpay-node-v3': () => nodeV3.buildAuthorization('POST', WX_URL, wxBodyObject),
    'wechatpay-axios-plugin': () => axiosAuthorization(wxBodyObject),
  }],
  ['WeChat Pay v3 notification (verify + decrypt)', {
    'bare limit': bareWxNotify,
    'aggpay node': () => lib.node.wechatpay.verifyNotify(wxIncoming, { now: WX_NOW }),
    'aggpay wasm': () => lib.wasm.wechatpay.verifyNotify(wxIncoming, { now: WX_NOW }),
    'wechatpay-node-v3': () => nodeV3Notify(wxIncoming),
    'wechatpay-axios-plugin': () => axiosNotify(wxIncoming),
  }],
  ['UseePay request, MD5 (query)', {
    'bare limit': () => createHash('md5').update(md5Text).digest('hex'),
    'hand-written minimum': () => minimum.useepayQuery({ transactionId: 'T202611300001' }, 'MD5'),
    'aggpay node': () => useepayMd5.buildQuery({ transactionId: 'T202611300001' }),
  }],
  ['UseePay request, RSA (query)', {
    'bare limit': () => sign('sha256', rsaContent, app.privateKey),
    'hand-written minimum': () => minimum.useepayQuery({ transactionId: 'T202611300001' }, 'RSA'),
    'aggpay node': () => lib.node.useepayRsa.buildQuery({ transactionId: 'T202611300001' }),
    'aggpay wasm': () => lib.wasm.useepayRsa.buildQuery({ transactionId: 'T202611300001' }),
  }],
];

const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
const lines = [];
lines.push(`| work (ops/s, ratio to the bare limit) | ${CONTENDERS.join(' | ')} |`);
lines.push(`|---|${CONTENDERS.map(() => '---:').join('|')}|`);
for (const [work, fns] of rows) {
  const names = Object.keys(fns);
  const rates = await interleavedAsync(Object.values(fns), OPTIONS);
  const byName = Object.fromEntries(names.map((n, i) => [n, rates[i]]));
  const bare = byName['bare limit'];
  const cells = CONTENDERS.map((c) => {
    if (!(c in byName)) return '—';
    if (c === 'bare limit') return fmt(bare);
    const ratio = `${(byName[c] / bare).toFixed(byName[c] / bare < 0.1 ? 3 : 2)}×`;
    return `${fmt(byName[c])} (${c === 'aggpay node' ? `**${ratio}**` : ratio})`;
  });
  lines.push(`| ${work} | ${cells.join(' | ')} |`);
}

// ---- cold start: fresh processes, interleaved, median of COLD_N ------------------------------------
const work = mkdtempSync(path.join(os.tmpdir(), 'aggpay-peers-'));
const keyFile = path.join(work, 'app.pem');
writeFileSync(keyFile, appPrivatePem);
writeFileSync(path.join(work, 'alipay.pem'), providerPublicPem);
// Each child prints milliseconds since its own module evaluation began (Node's boot is not counted).
const COLD = {
  'bare limit': {
    load: `const c = require('node:crypto');`,
    first: `const c = require('node:crypto'); const k = c.createPrivateKey(fs.readFileSync(KEY)); c.sign('sha256', Buffer.from('app_id=1&biz_content={}&method=alipay.trade.create'), k);`,
  },
  'aggpay node': {
    load: `require('aggpay');`,
    import: `await import('aggpay');`,
    first: `const { Alipay } = require('aggpay'); new Alipay({ appId: '${APP_ID}', privateKey: fs.readFileSync(KEY, 'utf8'), alipayPublicKey: fs.readFileSync(PUB, 'utf8'), engine: 'node' }).buildTradeCreate(${JSON.stringify(tradeBiz)});`,
  },
  'alipay-sdk': {
    load: `require('alipay-sdk');`,
    import: `await import('alipay-sdk');`,
    first: `const { AlipaySdk } = require('alipay-sdk'); new AlipaySdk({ appId: '${APP_ID}', privateKey: fs.readFileSync(KEY, 'utf8'), keyType: 'PKCS8', alipayPublicKey: fs.readFileSync(PUB, 'utf8') }).sdkExecute('alipay.trade.create', ${JSON.stringify(sdkBiz)});`,
  },
  'wechatpay-node-v3': { load: `require('wechatpay-node-v3');` },
  'wechatpay-axios-plugin': { load: `require('wechatpay-axios-plugin');` },
};
function child(code, module) {
  const prelude = `const fs = require('node:fs'); const KEY = ${JSON.stringify(keyFile)}; const PUB = ${JSON.stringify(path.join(work, 'alipay.pem'))}; const t0 = performance.now();`;
  const source = module
    ? `import { createRequire } from 'node:module'; const require = createRequire(${JSON.stringify(`${repoRoot}x.js`)}); ${prelude} ${code} console.log(performance.now() - t0);`
    : `${prelude} ${code} console.log(performance.now() - t0);`;
  const args = module ? ['--input-type=module', '-e', source] : ['-e', source];
  return Number(execFileSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8' }).trim());
}
const coldKinds = [['cold start: `require`', 'load', false], ['cold start: `import()`', 'import', true], ['cold start: first signed Alipay request (load, client, sign)', 'first', false]];
const coldRows = [];
for (const [label, kind, module] of coldKinds) {
  const who = Object.keys(COLD).filter((c) => COLD[c][kind]);
  const times = Object.fromEntries(who.map((c) => [c, []]));
  for (let r = 0; r < COLD_N; r += 1) for (const c of who) times[c].push(child(COLD[c][kind], module));
  const med = Object.fromEntries(who.map((c) => [c, median(times[c])]));
  const cells = CONTENDERS.map((c) => (c in med ? `${med[c].toFixed(1)} ms` : '—'));
  coldRows.push(`| ${label} | ${cells.join(' | ')} |`);
}
rmSync(work, { recursive: true, force: true });

// ---- size --------------------------------------------------------------------------------------------
const wasm = readFileSync(new URL('../pkg/web/aggpay_bg.wasm', import.meta.url));
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
const gz = gzipSync(wasm, { level: 9 }).length;
const br = brotliCompressSync(wasm, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: wasm.length } }).length;

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(`aggpay ${JSON.parse(readFileSync(new URL('../pkg/package.json', import.meta.url))).version} on Node ${process.version}, ${cpu}, ${os.cpus().length} CPUs, ${new Date().toISOString().slice(0, 10)}`);
console.log(`Throughput: median of ${OPTIONS.rounds} interleaved rounds of ${OPTIONS.windowMs} ms; RSA-2048. Cold start: median of ${COLD_N} fresh processes, from the script's first line (Node's own boot not counted).\n`);
console.log(lines.join('\n'));
console.log(`| *cold start (ms, lower is better)* | ${CONTENDERS.map(() => '').join(' | ')} |`);
console.log(coldRows.join('\n'));
console.log(`\n\`pkg/web/aggpay_bg.wasm\`: ${kib(wasm.length)} raw, ${kib(gz)} gzip -9, ${kib(br)} brotli -11.`);
