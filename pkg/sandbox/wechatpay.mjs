// A local stand-in for WeChat Pay APIv3 (mainland, direct merchant), as far as a merchant server can see it:
// JSAPI / mini-program orders, queries, close, refunds and refund queries, the platform certificate download,
// and the encrypted notifications WeChat Pay POSTs to `notify_url`. Every signature is checked and made here
// with node:crypto only (never with aggpay), by WeChat Pay's rules:
// - requests carry `Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",signature="…",
//   timestamp="…",serial_no="…"`, a SHA256withRSA signature over `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n`
//   with the merchant's key; a bad one is refused with 401 SIGN_ERROR and WeChat's view of the signed message;
// - replies and notifications carry `Wechatpay-Timestamp`, `-Nonce`, `-Signature` and `-Serial`, a signature over
//   `TIMESTAMP\nNONCE\nBODY\n` by the platform certificate's key — or, once `rotateToPublicKey()` is called, by
//   the WeChat Pay public key (`PUB_KEY_ID_…`): replies to requests that name it in `Wechatpay-Serial`, and every
//   notification, as during WeChat's gradual migration;
// - notification resources are AEAD_AES_256_GCM with the APIv3 key (nonce as UTF-8 bytes, `associated_data`
//   as AAD, the tag appended); each is delivered as the control call asks (see notify.mjs): now, late, twice,
//   or retried on WeChat's schedule (15 s, 15 s, 30 s, 3 min, … times `timeScale`) until the merchant answers
//   200/204;
// - `probeNext()` makes the next reply or notification delivery carry a `WECHATPAY/SIGNTEST/` probe signature,
//   and `probe()` sends a probe notification, as WeChat Pay does to check that merchants verify;
// - `rotateCertificate()` issues a new platform certificate (a new serial) that signs from then on; the old one
//   is still listed by `/v3/certificates` until the next rotation.
//
//   const wx = await startWechatPayGateway({ mchid, appId, apiV3Key, merchantSerialNo, merchantPublicKey });
//   new WechatPay({ …, baseUrl: wx.apiBase, platformCertificates: wx.platformCertificatePem,
//                   wechatpayPublicKey: wx.publicKeyPem, wechatpayPublicKeyId: wx.publicKeyId });
//   wx.requestPayment(params, { appId })   // what the WeChat client checks in the mini program appId's wx.requestPayment
//   await wx.pay(outTradeNo, { delivery: 'twice' })   // the buyer paid: notifies the merchant
//   await wx.close();
//
// The platform certificate is minted with `openssl` (node:crypto cannot issue certificates). Binds 127.0.0.1
// on a free port; every outgoing request has a timeout.
import crypto from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { randomSerialHex, withOpenssl } from './certs.mjs';
import { startServer } from './http.mjs';
import { createNotifier, deliveryPlan } from './notify.mjs';
import { randomDigits, randomText } from './random.mjs';
import { generateRsaKeys } from './signing.mjs';

const SCHEME = 'WECHATPAY2-SHA256-RSA2048';
const WINDOW_S = 300;
const PROBE_PREFIX = 'WECHATPAY/SIGNTEST/';

/** Beijing time as WeChat writes it: `2026-12-01T20:30:00+08:00`. */
function rfc3339(ms = Date.now()) {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19) + '+08:00';
}

/** A platform certificate and its key: a self-signed RSA-2048 certificate with a 40-hex-digit serial. */
function mintPlatformCertificate() {
  // A positive serial with no leading zero byte, so its upper-case hex is exactly 40 digits.
  const serial = randomSerialHex(20);
  return withOpenssl(async (run, file) => {
    await run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('key.pem'), '-out', file('cert.pem'), '-days', '30',
      '-subj', '/C=CN/O=Tenpay.com/OU=Tenpay.com CA Center/CN=Tenpay.com Root CA', '-set_serial', `0x${serial}`);
    const [pem, key] = await Promise.all([readFile(file('cert.pem'), 'utf8'), readFile(file('key.pem'))]);
    return { serial, pem, privateKey: crypto.createPrivateKey(key) };
  });
}

/** `key="value",…` of an Authorization header, or null when it is not that shape. */
function authParams(text) {
  const out = {};
  for (const part of text.split(',')) {
    const m = /^\s*([a-z_]+)="([^"]*)"\s*$/.exec(part);
    if (!m || Object.hasOwn(out, m[1])) return null;
    out[m[1]] = m[2];
  }
  return out;
}

class Refusal extends Error {
  constructor(status, code, message, detail) {
    super(message);
    Object.assign(this, { status, code, detail });
  }
}

export async function startWechatPayGateway({
  mchid,
  appId,
  appIds = [appId],
  apiV3Key,
  merchantSerialNo,
  merchantPublicKey,
  delivery,
  log = () => {},
} = {}) {
  if (!mchid || !appId || !merchantSerialNo || !merchantPublicKey) {
    throw new Error('startWechatPayGateway: mchid, appId, merchantSerialNo and merchantPublicKey are required');
  }
  if (typeof apiV3Key !== 'string' || Buffer.byteLength(apiV3Key) !== 32) throw new Error('startWechatPayGateway: apiV3Key must be 32 bytes');
  // The apps bound to the merchant id (AppID 绑定): a JSAPI order may be for any of them, e.g. the mini program's
  // buyers and the official account's H5 buyers.
  const boundApps = new Set([appId, ...appIds]);
  const merchantKey = merchantPublicKey instanceof crypto.KeyObject ? merchantPublicKey : crypto.createPublicKey(merchantPublicKey);
  const platforms = [await mintPlatformCertificate()]; // served by /v3/certificates; the last one signs
  const wechatpayKeys = await generateRsaKeys();
  const publicKeyId = `PUB_KEY_ID_0114${randomDigits(28)}`;
  const signers = {
    get certificate() {
      const p = platforms.at(-1);
      return { id: p.serial, privateKey: p.privateKey };
    },
    publicKey: { id: publicKeyId, privateKey: wechatpayKeys.privateKey },
  };
  deliveryPlan(delivery); // throws on a bad option
  let defaults = { ...delivery }; // the delivery of notifications no control call started (refunds)
  const say = (line) => log(`wechatpay: ${line}`);
  const notifier = createNotifier({ provider: 'wechatpay', accepted: (r) => r.status === 200 || r.status === 204, log: say });
  let rotated = false; // rotateToPublicKey() called
  let probes = 0; // replies or deliveries still to carry a probe signature

  const orders = new Map(); // out_trade_no → order
  const prepayIds = new Map(); // prepay_id → out_trade_no
  const refunds = new Map(); // out_refund_no → refund
  const requests = []; // { method, path, status, code }

  /** `{ headers }` of a signed reply or notification over `body` with `signer`; a probe when one is due. */
  function signHeaders(body, signer) {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = randomText(32);
    const message = `${timestamp}\n${nonce}\n${body}\n`;
    let signature = crypto.sign('sha256', Buffer.from(message, 'utf8'), signer.privateKey).toString('base64');
    const probe = probes > 0;
    if (probe) {
      probes -= 1;
      signature = PROBE_PREFIX + signature.slice(PROBE_PREFIX.length);
    }
    return {
      probe,
      headers: {
        'wechatpay-timestamp': timestamp,
        'wechatpay-nonce': nonce,
        'wechatpay-signature': signature,
        'wechatpay-serial': signer.id,
        'wechatpay-signature-type': SCHEME,
        'request-id': randomText(24),
      },
    };
  }

  /** The merchant's request, authenticated: throws a 401 SIGN_ERROR Refusal unless its signature verifies. */
  function authenticate(req, raw) {
    const signError = (why, message) =>
      new Refusal(401, 'SIGN_ERROR', `签名错误，请检查后再试 (${why})`, message === undefined ? undefined : {
        sign_information: { method: req.method, url: req.url, truncated_sign_message: message, sign_message_length: Buffer.byteLength(message) },
      });
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith(`${SCHEME} `)) throw signError('no Authorization of the WECHATPAY2-SHA256-RSA2048 scheme');
    const p = authParams(auth.slice(SCHEME.length + 1));
    if (!p || !p.mchid || !p.nonce_str || !p.signature || !p.timestamp || !p.serial_no) throw signError('Authorization is malformed');
    if (p.mchid !== mchid) throw new Refusal(401, 'SIGN_ERROR', 'mchid 与签名不匹配');
    if (p.serial_no !== merchantSerialNo) throw signError('serial_no is not the merchant certificate serial');
    if (!/^\d{10}$/.test(p.timestamp) || Math.abs(Date.now() / 1000 - Number(p.timestamp)) >= WINDOW_S) throw signError('timestamp out of window');
    if (!req.headers['user-agent']) throw new Refusal(400, 'PARAM_ERROR', 'User-Agent 不能为空');
    const message = `${req.method}\n${req.url}\n${p.timestamp}\n${p.nonce_str}\n${raw}\n`;
    let ok = false;
    try {
      ok = crypto.verify('sha256', Buffer.from(message, 'utf8'), merchantKey, Buffer.from(p.signature, 'base64'));
    } catch {
      ok = false;
    }
    if (!ok) throw signError('signature does not verify', message);
  }

  const body = (raw) => {
    try {
      const v = JSON.parse(raw);
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v;
    } catch {
      // fall through
    }
    throw new Refusal(400, 'PARAM_ERROR', '请求体不是 JSON 对象');
  };
  const param = (cond, field, issue) => {
    if (!cond) throw new Refusal(400, 'PARAM_ERROR', `参数错误: ${field}`, { field, location: 'body', issue });
  };
  const isUrl = (v) => typeof v === 'string' && /^https?:\/\/[^?#\s]+$/.test(v) && v.length <= 255;
  const money = (v) => Number.isSafeInteger(v) && v > 0;

  function transaction(order) {
    const out = {
      appid: order.appid, mchid, out_trade_no: order.out_trade_no, trade_type: 'JSAPI', trade_state: order.trade_state,
      trade_state_desc: { NOTPAY: '未支付', SUCCESS: '支付成功', CLOSED: '已关闭', REFUND: '转入退款', PAYERROR: '支付失败(其他原因，如银行返回失败)' }[order.trade_state],
      attach: order.attach ?? '', payer: { openid: order.openid },
      amount: { total: order.total, currency: 'CNY', ...(order.transaction_id ? { payer_total: order.total, payer_currency: 'CNY' } : {}) },
    };
    if (order.transaction_id) Object.assign(out, { transaction_id: order.transaction_id, bank_type: 'OTHERS', success_time: order.success_time });
    return out;
  }

  function refundView(refund) {
    const order = orders.get(refund.out_trade_no);
    return {
      refund_id: refund.refund_id, out_refund_no: refund.out_refund_no, transaction_id: order.transaction_id, out_trade_no: order.out_trade_no,
      channel: 'ORIGINAL', user_received_account: '支付用户零钱', create_time: refund.create_time, status: refund.status,
      ...(refund.success_time ? { success_time: refund.success_time } : {}), funds_account: 'AVAILABLE',
      amount: { total: order.total, refund: refund.refund, payer_total: order.total, payer_refund: refund.refund, settlement_total: order.total, settlement_refund: refund.refund, discount_refund: 0, currency: 'CNY', from: [] },
      promotion_detail: [],
    };
  }

  function orderOf(outTradeNo) {
    const order = orders.get(outTradeNo);
    if (!order) throw new Refusal(404, 'ORDER_NOT_EXIST', '订单不存在');
    return order;
  }

  /** The API: `[status, object | null]` for an authenticated request. */
  function handle(method, url, raw) {
    const path = url.pathname;
    let m;
    if (method === 'GET' && path === '/v3/certificates') {
      return [200, { data: platforms.map((platform) => {
        const iv = randomText(12);
        const cipher = crypto.createCipheriv('aes-256-gcm', Buffer.from(apiV3Key), Buffer.from(iv));
        cipher.setAAD(Buffer.from('certificate'));
        const ciphertext = Buffer.concat([cipher.update(platform.pem, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
        const x509 = new crypto.X509Certificate(platform.pem);
        return { serial_no: platform.serial, effective_time: rfc3339(Date.parse(x509.validFrom)), expire_time: rfc3339(Date.parse(x509.validTo)),
          encrypt_certificate: { algorithm: 'AEAD_AES_256_GCM', nonce: iv, associated_data: 'certificate', ciphertext } };
      }) }];
    }
    if (method === 'POST' && path === '/v3/pay/transactions/jsapi') {
      const b = body(raw);
      param(boundApps.has(b.appid), 'appid', 'appid 与 mchid 不匹配');
      param(b.mchid === mchid, 'mchid', 'mchid 不正确');
      param(typeof b.description === 'string' && b.description.length > 0 && b.description.length <= 127, 'description', '长度 1–127');
      param(typeof b.out_trade_no === 'string' && /^[0-9A-Za-z_\-|*]{6,32}$/.test(b.out_trade_no), 'out_trade_no', '6–32 个字母、数字、_-|*');
      param(isUrl(b.notify_url), 'notify_url', '必须是无查询串的 URL');
      param(b.amount && money(b.amount.total) && (b.amount.currency ?? 'CNY') === 'CNY', 'amount', 'total 为正整数分，currency 为 CNY');
      param(b.payer && typeof b.payer.openid === 'string' && b.payer.openid.length > 0, 'payer.openid', '不能为空');
      const existing = orders.get(b.out_trade_no);
      if (existing && (existing.total !== b.amount.total || existing.openid !== b.payer.openid)) {
        throw new Refusal(400, 'INVALID_REQUEST', '201 商户订单号重复');
      }
      if (existing && existing.trade_state !== 'NOTPAY') throw new Refusal(400, 'ORDERPAID', '该订单已支付');
      const order = existing ?? { appid: b.appid, out_trade_no: b.out_trade_no, total: b.amount.total, openid: b.payer.openid, attach: b.attach, notify_url: b.notify_url, trade_state: 'NOTPAY', refunded: 0 };
      orders.set(order.out_trade_no, order);
      const prepayId = 'wx' + rfc3339().slice(0, 19).replace(/\D/g, '') + crypto.randomBytes(10).toString('hex');
      prepayIds.set(prepayId, order.out_trade_no);
      return [200, { prepay_id: prepayId }];
    }
    if (method === 'GET' && (m = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/.exec(path))) {
      param(url.searchParams.get('mchid') === mchid, 'mchid', 'mchid 不正确');
      return [200, transaction(orderOf(decodeURIComponent(m[1])))];
    }
    if (method === 'GET' && (m = /^\/v3\/pay\/transactions\/id\/([^/]+)$/.exec(path))) {
      param(url.searchParams.get('mchid') === mchid, 'mchid', 'mchid 不正确');
      const order = [...orders.values()].find((o) => o.transaction_id === decodeURIComponent(m[1]));
      if (!order) throw new Refusal(404, 'ORDER_NOT_EXIST', '订单不存在');
      return [200, transaction(order)];
    }
    if (method === 'POST' && (m = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/close$/.exec(path))) {
      param(body(raw).mchid === mchid, 'mchid', 'mchid 不正确');
      const order = orderOf(decodeURIComponent(m[1]));
      if (order.trade_state !== 'NOTPAY') throw new Refusal(400, 'ORDERPAID', '订单已支付，不能关闭');
      order.trade_state = 'CLOSED';
      return [204, null];
    }
    if (method === 'POST' && path === '/v3/refund/domestic/refunds') {
      const b = body(raw);
      const order = b.out_trade_no !== undefined ? orderOf(b.out_trade_no) : [...orders.values()].find((o) => o.transaction_id === b.transaction_id);
      if (!order) throw new Refusal(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
      param(typeof b.out_refund_no === 'string' && /^[0-9A-Za-z_\-|*@]{1,64}$/.test(b.out_refund_no), 'out_refund_no', '1–64 个字符');
      param(b.amount && money(b.amount.refund) && b.amount.total === order.total && (b.amount.currency ?? 'CNY') === 'CNY', 'amount', 'refund/total 为正整数分，total 等于订单金额');
      if (order.trade_state !== 'SUCCESS' && order.trade_state !== 'REFUND') throw new Refusal(403, 'NOT_ENOUGH', '订单未支付');
      const again = refunds.get(b.out_refund_no);
      if (again) return [200, refundView(again)];
      if (order.refunded + b.amount.refund > order.total) throw new Refusal(403, 'NOT_ENOUGH', '可退金额不足');
      param(b.notify_url === undefined || isUrl(b.notify_url), 'notify_url', '必须是无查询串的 URL');
      order.refunded += b.amount.refund;
      order.trade_state = 'REFUND';
      const refund = { refund_id: '50' + randomDigits(27), out_refund_no: b.out_refund_no, out_trade_no: order.out_trade_no, refund: b.amount.refund,
        status: 'PROCESSING', create_time: rfc3339(), notify_url: b.notify_url ?? order.notify_url };
      refunds.set(refund.out_refund_no, refund);
      // The bank takes a moment; then the refund succeeds and WeChat Pay notifies.
      setImmediate(() => {
        Object.assign(refund, { status: 'SUCCESS', success_time: rfc3339() });
        notify(refund.notify_url, 'REFUND.SUCCESS', 'refund', '退款成功', {
          mchid, out_trade_no: order.out_trade_no, transaction_id: order.transaction_id, out_refund_no: refund.out_refund_no, refund_id: refund.refund_id,
          refund_status: 'SUCCESS', success_time: refund.success_time, user_received_account: '支付用户零钱',
          amount: { total: order.total, refund: refund.refund, payer_total: order.total, payer_refund: refund.refund },
        }, { kind: 'refund', id: order.out_trade_no, refundId: refund.out_refund_no }, deliveryPlan(defaults)).catch(() => {});
      });
      return [200, refundView(refund)];
    }
    if (method === 'GET' && (m = /^\/v3\/refund\/domestic\/refunds\/([^/]+)$/.exec(path))) {
      const refund = refunds.get(decodeURIComponent(m[1]));
      if (!refund) throw new Refusal(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
      return [200, refundView(refund)];
    }
    throw new Refusal(404, 'NOT_FOUND', '请求的资源不存在');
  }

  /**
   * One notification: `resource` encrypted with the APIv3 key, the envelope signed anew for each attempt (with the
   * public key once the switch started, else the current platform certificate), delivered to `url` by `plan`.
   * Resolves the attempts, in order.
   */
  function notify(url, eventType, originalType, summary, resource, meta, plan, { forceProbe = false } = {}) {
    const envelope = JSON.stringify({
      id: crypto.randomUUID(), create_time: rfc3339(), resource_type: 'encrypt-resource', event_type: eventType, summary,
      resource: encryptResource(resource, originalType),
    });
    const build = () => {
      if (forceProbe) probes += 1;
      const { headers, probe } = signHeaders(envelope, rotated ? signers.publicKey : signers.certificate);
      return { body: envelope, contentType: 'application/json', headers, probe };
    };
    return notifier.deliver(url, build, { kind: meta.kind, event: eventType, id: meta.id, ...(meta.refundId ? { refundId: meta.refundId } : {}) }, plan);
  }

  function encryptResource(resource, originalType) {
    const nonce = randomText(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', Buffer.from(apiV3Key), Buffer.from(nonce));
    cipher.setAAD(Buffer.from(originalType));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(resource), 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
    return { original_type: originalType, algorithm: 'AEAD_AES_256_GCM', ciphertext, associated_data: originalType, nonce };
  }

  /** The order named by its out_trade_no or transaction_id. */
  function findOrder(id, what) {
    const order = orders.get(id) ?? [...orders.values()].find((o) => o.transaction_id === id);
    if (!order) throw new Error(`${what}: no order ${id}`);
    return order;
  }
  function unpaid(id, what) {
    const order = findOrder(id, what);
    if (order.trade_state !== 'NOTPAY') throw new Error(`${what}: order ${id} is ${order.trade_state}`);
    return order;
  }
  const result = (order, deliveries) => ({
    provider: 'wechatpay', outTradeNo: order.out_trade_no, providerId: order.transaction_id ?? null, status: order.trade_state, deliveries,
  });

  const server = await startServer((req, raw) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const entry = { method: req.method, path: url.pathname, status: null, code: null };
    requests.push(entry);
    let status;
    let object;
    try {
      if (raw === null) throw new Refusal(413, 'PARAM_ERROR', '请求体过大');
      const text = raw.toString('utf8');
      authenticate(req, text);
      [status, object] = handle(req.method, url, text);
    } catch (e) {
      if (!(e instanceof Refusal)) {
        log(`wechatpay: internal error ${e.stack}`);
        return { status: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'SYSTEM_ERROR', message: '系统错误' }) };
      }
      [status, object] = [e.status, { code: e.code, message: e.message, ...(e.detail ? { detail: e.detail } : {}) }];
      entry.code = e.code;
    }
    entry.status = status;
    const text = object === null ? '' : JSON.stringify(object);
    // Replies are signed with the public key only when the request names it and the switch has started.
    const signer = rotated && req.headers['wechatpay-serial'] === publicKeyId ? signers.publicKey : signers.certificate;
    const { headers, probe } = signHeaders(text, signer);
    log(`wechatpay: ${req.method} ${url.pathname} → ${status}${entry.code ? ` ${entry.code}` : ''}, signed by ${signer.id}${probe ? ' (probe signature)' : ''}`);
    return { status, headers: { ...headers, ...(text ? { 'content-type': 'application/json' } : {}), connection: 'close' }, body: text };
  });


  return {
    /** The API base URL (`baseUrl` of the client). */
    apiBase: server.url,
    /** The platform certificate that signs now (PEM), what `/v3/certificates` hands out after decryption. */
    get platformCertificatePem() {
      return platforms.at(-1).pem;
    },
    /** Its serial (40 hex digits). */
    get platformSerial() {
      return platforms.at(-1).serial;
    },
    /** The WeChat Pay public key and its id, as the merchant portal shows them. */
    publicKeyPem: wechatpayKeys.publicKey.export({ type: 'spki', format: 'pem' }),
    publicKeyId,
    requests,
    /** The notifications sent so far, every attempt. */
    deliveries: notifier.deliveries,
    /** The delivery used for notifications no control call started (refunds): `{ delivery, delayMs, timeScale }`. */
    configure(options = {}) {
      deliveryPlan(options);
      defaults = { ...defaults, ...options };
    },
    /**
     * A new platform certificate (a new serial) signs replies and notifications from now on; `/v3/certificates`
     * lists it beside the previous one (older ones are dropped). Resolves `{ serial, previousSerial, pem }`.
     */
    async rotateCertificate() {
      const previousSerial = platforms.at(-1).serial;
      platforms.push(await mintPlatformCertificate());
      while (platforms.length > 2) platforms.shift();
      say(`platform certificate rotated: ${previousSerial} → ${platforms.at(-1).serial}`);
      return { serial: platforms.at(-1).serial, previousSerial, pem: platforms.at(-1).pem };
    },
    /**
     * A probe notification (a `WECHATPAY/SIGNTEST/` signature) to `url` (default: the notify_url of order `id`, or of
     * the latest order): a merchant that verifies refuses it. Resolves the ControlResult-like `{ provider, deliveries }`.
     */
    async probe({ url, id } = {}) {
      const order = id !== undefined ? findOrder(id, 'probe') : [...orders.values()].at(-1);
      const target = url ?? order?.notify_url;
      if (!target) throw new Error('probe: no notify URL (give url, or create an order first)');
      const resource = order ? transaction(order) : { mchid, appid: appId, out_trade_no: 'SIGNTEST', trade_state: 'SUCCESS' };
      const deliveries = await notify(target, 'TRANSACTION.SUCCESS', 'transaction', '支付成功', resource, { kind: 'probe', id: order?.out_trade_no ?? null },
        deliveryPlan({ delivery: 'now' }), { forceProbe: true });
      return { provider: 'wechatpay', deliveries };
    },
    /** Starts the switch to the public key: notifications, and replies to requests naming it, are signed with it. */
    rotateToPublicKey() {
      rotated = true;
    },
    /** The next `n` replies or notification deliveries carry a probe signature. */
    probeNext(n = 1) {
      probes += n;
    },
    /** An order's state as a query would show it, or null. */
    order: (outTradeNo) => (orders.has(outTradeNo) ? transaction(orders.get(outTradeNo)) : null),
    /**
     * What the WeChat client checks when the buyer's app pays: `wx.requestPayment(params)` in the mini program
     * `appId` (give it: the parameters carry none, WeChat signs with the calling app's), or
     * `WeixinJSBridge.invoke('getBrandWCPayRequest', params)` in an official account's page (`params.appId`). The
     * fields as strings, `signType` RSA, a prepay_id issued here, the app of the order, and `paySign` — SHA256withRSA
     * by the merchant's key over `appId\ntimeStamp\nnonceStr\npackage\n`. Returns `{ errMsg: 'requestPayment:ok',
     * outTradeNo }` or `{ errMsg: 'requestPayment:fail …' }` (the buyer would then pay; call pay() for that).
     */
    requestPayment(params, { appId: caller } = {}) {
      const fail = (why) => ({ errMsg: `requestPayment:fail ${why}` });
      if (!params || typeof params !== 'object') return fail('no parameters');
      for (const k of [...(caller === undefined ? ['appId'] : []), 'timeStamp', 'nonceStr', 'package', 'signType', 'paySign']) {
        if (typeof params[k] !== 'string' || params[k] === '') return fail(`parameter error: ${k} should be a non-empty string`);
      }
      const app = caller ?? params.appId; // wx.requestPayment ignores an appId passed to it
      if (params.signType !== 'RSA') return fail('parameter error: signType');
      if (!/^\d{10}$/.test(params.timeStamp)) return fail('parameter error: timeStamp should be seconds');
      const outTradeNo = params.package.startsWith('prepay_id=') ? prepayIds.get(params.package.slice('prepay_id='.length)) : undefined;
      if (outTradeNo === undefined) return fail('prepay_id unknown');
      const order = orders.get(outTradeNo);
      if (app !== order.appid) return fail('appId does not match the order');
      const message = `${app}\n${params.timeStamp}\n${params.nonceStr}\n${params.package}\n`;
      let ok = false;
      try {
        ok = crypto.verify('sha256', Buffer.from(message, 'utf8'), merchantKey, Buffer.from(params.paySign, 'base64'));
      } catch {
        ok = false;
      }
      if (!ok) return fail('paySign invalid');
      if (order.trade_state !== 'NOTPAY') return fail(`order ${order.trade_state}`);
      return { errMsg: 'requestPayment:ok', outTradeNo };
    },
    /** The buyer paid order `id` (out_trade_no or transaction_id): SUCCESS, and TRANSACTION.SUCCESS is notified by `options`. */
    async pay(id, options) {
      const order = unpaid(id, 'pay');
      const plan = deliveryPlan(options, defaults);
      Object.assign(order, { trade_state: 'SUCCESS', transaction_id: '42000' + randomDigits(23), success_time: rfc3339() });
      const deliveries = await notify(order.notify_url, 'TRANSACTION.SUCCESS', 'transaction', '支付成功', transaction(order), { kind: 'payment', id: order.out_trade_no }, plan);
      return result(order, deliveries);
    },
    /** The unpaid order closes (the buyer gave up; it timed out): CLOSED. WeChat Pay notifies only successes. */
    async cancel(id) {
      const order = unpaid(id, 'cancel');
      order.trade_state = 'CLOSED';
      return result(order, []);
    },
    /** The payment failed (the bank refused): PAYERROR, nothing notified; `clientResult` is what wx.requestPayment gets. */
    async fail(id) {
      const order = unpaid(id, 'fail');
      order.trade_state = 'PAYERROR';
      return { ...result(order, []), clientResult: { errMsg: 'requestPayment:fail' } };
    },
    /** Resolves when every notification under way has been delivered (or given up). */
    idle: () => notifier.idle(),
    async close() {
      notifier.close();
      await server.close();
    },
  };
}
