// A local stand-in for UseePay's V1 gateway (`POST <gateway>/api`, form-encoded, JSON replies), as far as a
// merchant server can see it: WeChat Pay HK JSAPI orders (`transactionType=pay`, `wechat_jsapi`), `query`,
// `refund`, and the asynchronous notifications UseePay POSTs to the merchant's `notifyUrl`.
// Every signature is checked and made here with node:crypto only (never with aggpay), by the rule of
// UseePay's docs: every field but `sign`, values empty after trimming left out, names sorted byte-wise,
// raw values joined `k=v&…`; MD5 appends `&pkey=KEY` (lower-case hex), RSA is SHA256withRSA in base64.
//
//   const gw = await startUseePayGateway({ merchantNo, appId: 'shop.example.com', signType: 'RSA', merchantPublicKeyPem });
//   new UseePay({ …, useepayPublicKey: gw.useepayPublicKeyPem, gateway: gw.gateway });
//   gw.requestPayment(order.requestPayment)  // what the WeChat client checks in wx.requestPayment
//   await gw.pay(transactionId, { delivery: 'twice' })   // the buyer paid: notifies the merchant
//   await gw.close();
//
// Replies: a request that cannot be authenticated (unknown merchantNo, missing or bad signature, a
// signType with no configured key) gets an UNSIGNED `failed` reply, as a gateway cannot sign for a
// merchant it has not recognized; a business failure after a good signature gets a SIGNED `failed`.
// Amounts and all reply values are strings; nested objects are JSON-encoded strings, signed as sent.
// `signType` is the key type the merchant set up in the portal (its key is required); a request may use
// any signType whose key was given, and gets its reply and notifications signed the same way (MD5 with the
// shared key, RSA with this stand-in's own key).
// Options: `useDocsSpelling: true` sends `noceStr` (the docs' spelling) instead of `nonceStr` in
// redirectParam. Notifications (payment succeed / failed / closed, refunds) go out as the control call asks (see
// notify.mjs), retried on UseePay's schedule until the merchant answers HTTP 200. Binds 127.0.0.1 on a free port;
// every outgoing request has a timeout.
import crypto from 'node:crypto';
import { form, startServer } from './http.mjs';
import { createNotifier, deliveryPlan } from './notify.mjs';
import { randomDigits, randomText } from './random.mjs';
import { generateRsaKeys, rsaSignText, rsaVerifyText, signingString } from './signing.mjs';

const OK_MSG = 'Approved or completed successfully';

/** UseePay's string to sign (docs §"签名"): all fields but `sign`, empty-after-trim left out, byte-wise order. */
export function useepayStringToSign(fields) {
  return signingString(fields, (k, v) => k !== 'sign' && v !== undefined && v !== null && String(v).trim() !== '');
}

export function md5Sign(fields, md5Key) {
  return crypto.createHash('md5').update(`${useepayStringToSign(fields)}&pkey=${md5Key}`, 'utf8').digest('hex');
}

export function rsaSign(fields, privateKey) {
  return rsaSignText('sha256', useepayStringToSign(fields), privateKey);
}

export function rsaVerify(fields, signature, publicKey) {
  return rsaVerifyText('sha256', useepayStringToSign(fields), publicKey, signature);
}

/** UseePay's order number, e.g. 1012110141504650869 (19 digits). */
const newReference = () => '101' + randomDigits(16);
/** WeChat's prepay_id: `wx` + yyyyMMddHHmmss + 20 more characters. */
function newPrepayId() {
  const d = new Date(Date.now() + 8 * 3600_000).toISOString(); // Beijing time, like WeChat
  return 'wx' + d.slice(0, 19).replace(/\D/g, '') + crypto.randomBytes(10).toString('hex');
}

function parseJsonObject(text) {
  try {
    const v = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

class Refusal extends Error {
  constructor(errorCode, errorMsg, { signed = true } = {}) {
    super(errorMsg);
    this.errorCode = errorCode;
    this.signed = signed;
  }
}

export async function startUseePayGateway({
  merchantNo,
  appId,
  signType = 'RSA',
  md5Key,
  merchantPublicKeyPem,
  useDocsSpelling = false,
  delivery,
  log = () => {},
} = {}) {
  if (!merchantNo || !appId) throw new Error('startUseePayGateway: merchantNo and appId are required');
  if (signType === 'MD5' && !md5Key) throw new Error('startUseePayGateway: signType MD5 needs md5Key');
  if (signType === 'RSA' && !merchantPublicKeyPem) throw new Error('startUseePayGateway: signType RSA needs merchantPublicKeyPem');
  if (signType !== 'MD5' && signType !== 'RSA') throw new Error(`startUseePayGateway: unknown signType ${signType}`);

  // UseePay's own key (signs replies and notifications) and the WeChat Pay key that makes `paySign`.
  const [useepayKeys, wechatPayKeys] = await Promise.all([generateRsaKeys(), generateRsaKeys()]);
  const merchantPublicKey = merchantPublicKeyPem ? crypto.createPublicKey(merchantPublicKeyPem) : null;

  const transactions = new Map(); // transactionId → record (payments and refunds)
  const prepayIds = new Map(); // prepay_id → transactionId
  const requests = []; // { path, fields, status, reply }
  deliveryPlan(delivery); // throws on a bad option
  let defaults = { ...delivery }; // the delivery of notifications no control call started (refunds)
  const say = (line) => log(`useepay: ${line}`);
  const notifier = createNotifier({ provider: 'useepay', accepted: (r) => r.status === 200, log: say });

  function sign(fields, type) {
    return type === 'MD5' ? md5Sign(fields, md5Key) : rsaSign(fields, useepayKeys.privateKey);
  }

  /** A reply object with `signType` and `sign` last, as UseePay sends them; values are strings. */
  function signedReply(fields, type) {
    const out = {};
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = String(v);
    out.signType = type;
    out.sign = sign(out, type);
    return out;
  }

  /** Verifies a request's signature; throws an unsigned Refusal when the request cannot be authenticated. */
  function authenticate(fields) {
    if (fields.merchantNo !== merchantNo) throw new Refusal('1001', 'Invalid merchantNo', { signed: false });
    if (!fields.sign) throw new Refusal('1001', 'Missing parameter: sign', { signed: false });
    if (fields.signType === 'MD5') {
      if (!md5Key) throw new Refusal('1001', 'Invalid signType: MD5 key not configured', { signed: false });
      const expected = md5Sign(fields, md5Key);
      const given = Buffer.from(fields.sign);
      if (given.length !== 32 || !crypto.timingSafeEqual(given, Buffer.from(expected))) {
        throw new Refusal('1001', 'Invalid signature', { signed: false });
      }
    } else if (fields.signType === 'RSA') {
      if (!merchantPublicKey) throw new Refusal('1001', 'Invalid signType: RSA key not configured', { signed: false });
      if (!rsaVerify(fields, fields.sign, merchantPublicKey)) throw new Refusal('1001', 'Invalid signature', { signed: false });
    } else {
      throw new Refusal('1001', 'Invalid signType', { signed: false });
    }
    return fields.signType;
  }

  const need = (fields, name) => {
    if (fields[name] === undefined || fields[name].trim() === '') throw new Refusal('1001', `Missing parameter: ${name}`);
    return fields[name];
  };
  const checkAmount = (value) => {
    if (!/^[1-9][0-9]{0,11}$/.test(value)) throw new Refusal('1001', 'Invalid parameter: amount');
    return BigInt(value);
  };
  const checkUrl = (value, name) => {
    let u;
    try {
      u = new URL(value);
    } catch {
      throw new Refusal('1001', `Invalid parameter: ${name}`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Refusal('1001', `Invalid parameter: ${name}`);
    if (value.length > 512) throw new Refusal('1001', `Invalid parameter: ${name}`);
    return value;
  };

  /** Orders past their expiration time are closed, as UseePay closes them (errorCode 3300). */
  function refresh(record) {
    if (record.resultCode === 'pending' && record.expiresAt !== undefined && Date.now() > record.expiresAt) {
      Object.assign(record, { resultCode: 'closed', errorCode: '3300', errorMsg: 'Transaction is expired' });
    }
    return record;
  }

  /** Records a new pending payment or refund for the request `fields` signed with `type`; `more`: a payment's own state. */
  function addPending(fields, type, { originalTransactionId = '', transactionType, amount, currency, notifyUrl }, more = {}) {
    const record = {
      transactionId: fields.transactionId,
      originalTransactionId,
      reference: newReference(),
      transactionType,
      amount,
      currency,
      resultCode: 'pending',
      errorCode: '0000',
      errorMsg: OK_MSG,
      echoParam: fields.echoParam ?? '',
      notifyUrl,
      signType: type,
      ...more,
    };
    transactions.set(record.transactionId, record);
    return record;
  }

  /** A payment's or refund's identity and amount, as replies and notifications carry them, in UseePay's order. */
  const transactionFields = (record) => ({
    transactionId: record.transactionId,
    ...(record.transactionType === 'refund' ? { originalTransactionId: record.originalTransactionId } : {}),
    reference: record.reference,
    transactionType: record.transactionType,
    amount: String(record.amount),
    currency: record.currency,
  });

  /** The signed reply to an accepted payment or refund (still pending). */
  function pendingReply(record, extra = {}) {
    const fields = { resultCode: 'pending', errorCode: '0000', errorMsg: OK_MSG, ...transactionFields(record) };
    return signedReply({ ...fields, echoParam: record.echoParam || undefined, ...extra }, record.signType);
  }

  function doPay(fields, type) {
    need(fields, 'transactionId');
    if (fields.transactionId.length > 64) throw new Refusal('1001', 'Invalid parameter: transactionId');
    if (need(fields, 'appId') !== appId) throw new Refusal('1001', 'Invalid appId: website not approved for this merchant');
    if (/^https?:/i.test(fields.appId)) throw new Refusal('1001', 'Invalid appId');
    const amount = checkAmount(need(fields, 'amount'));
    if (need(fields, 'currency') !== 'HKD') throw new Refusal('1001', 'Invalid parameter: currency (wechat_jsapi settles in HKD)');
    const notifyUrl = checkUrl(need(fields, 'notifyUrl'), 'notifyUrl');
    const payer = parseJsonObject(need(fields, 'payerInfo'));
    if (!payer) throw new Refusal('1001', 'Invalid parameter: payerInfo');
    if (payer.paymentMethod !== 'wechat_jsapi') throw new Refusal('1001', 'Invalid parameter: payerInfo.paymentMethod');
    for (const k of ['sub_appid', 'sub_openid']) {
      if (typeof payer[k] !== 'string' || payer[k].trim() === '') throw new Refusal('1001', `Missing parameter: payerInfo.${k}`);
    }
    const order = parseJsonObject(need(fields, 'orderInfo'));
    if (!order) throw new Refusal('1001', 'Invalid parameter: orderInfo');
    if (typeof order.subject !== 'string' || order.subject.trim() === '') throw new Refusal('1001', 'Missing parameter: orderInfo.subject');
    let minutes = 20;
    if (fields.transactionExpirationTime !== undefined && fields.transactionExpirationTime !== '') {
      minutes = Number(fields.transactionExpirationTime);
      if (!/^[0-9]{1,6}$/.test(fields.transactionExpirationTime) || minutes < 1 || minutes > 20) {
        throw new Refusal('1001', 'Invalid parameter: transactionExpirationTime');
      }
    }
    if ((fields.echoParam ?? '').length > 256) throw new Refusal('1001', 'Invalid parameter: echoParam');
    if (transactions.has(fields.transactionId)) throw new Refusal('1001', 'Duplicate transactionId');

    const record = addPending(
      fields,
      type,
      { transactionType: 'pay', amount, currency: fields.currency, notifyUrl },
      { subAppId: payer.sub_appid, subOpenId: payer.sub_openid, expiresAt: Date.now() + minutes * 60_000, refunded: 0n },
    );

    // What WeChat's unified order gives UseePay, and what UseePay passes on for wx.requestPayment.
    const prepayId = newPrepayId();
    prepayIds.set(prepayId, record.transactionId);
    const timeStamp = String(Math.floor(Date.now() / 1000));
    const nonceStr = randomText(32);
    const pkg = `prepay_id=${prepayId}`;
    const paySign = rsaSignText('sha256', `${payer.sub_appid}\n${timeStamp}\n${nonceStr}\n${pkg}\n`, wechatPayKeys.privateKey);
    const redirectParam = JSON.stringify({
      appId: payer.sub_appid,
      timeStamp,
      [useDocsSpelling ? 'noceStr' : 'nonceStr']: nonceStr,
      package: pkg,
      signType: 'RSA',
      paySign,
    });
    return pendingReply(record, { redirectParam });
  }

  function doQuery(fields, type) {
    let record;
    if (fields.transactionId) record = transactions.get(fields.transactionId);
    else if (fields.reference) record = [...transactions.values()].find((r) => r.reference === fields.reference);
    else throw new Refusal('1001', 'Missing parameter: transactionId or reference');
    if (!record) throw new Refusal('1001', 'Transaction does not exist');
    refresh(record);
    // transactionInfo in UseePay's own (non-alphabetical) key order, compact, as one JSON string.
    const transactionInfo = JSON.stringify({
      transactionType: record.transactionType,
      reference: record.reference,
      amount: String(record.amount),
      originalTransactionId: record.originalTransactionId,
      resultCode: record.resultCode,
      errorCode: record.errorCode,
      errorMsg: record.errorMsg,
      transactionId: record.transactionId,
      currency: record.currency,
    });
    return signedReply(
      {
        resultCode: 'succeed',
        errorCode: '0000',
        errorMsg: OK_MSG,
        merchantNo,
        transactionInfo,
        reserved: fields.reserved ? fields.reserved : undefined,
      },
      type,
    );
  }

  function doRefund(fields, type) {
    need(fields, 'transactionId');
    const original = transactions.get(need(fields, 'originalTransactionId'));
    if (!original || original.transactionType !== 'pay') throw new Refusal('1001', 'Original transaction does not exist');
    if (transactions.has(fields.transactionId)) throw new Refusal('1001', 'Duplicate transactionId');
    refresh(original);
    if (original.resultCode !== 'succeed') throw new Refusal('1001', 'Original transaction is not refundable');
    const amount = checkAmount(need(fields, 'amount'));
    if (need(fields, 'currency') !== original.currency) throw new Refusal('1001', 'Invalid parameter: currency');
    if (original.refunded + amount > original.amount) throw new Refusal('1001', 'Refund amount exceeds the refundable amount');
    const notifyUrl = fields.notifyUrl ? checkUrl(fields.notifyUrl, 'notifyUrl') : original.notifyUrl;
    original.refunded += amount;
    const record = addPending(fields, type, {
      originalTransactionId: original.transactionId,
      transactionType: 'refund',
      amount,
      currency: original.currency,
      notifyUrl,
    });
    // The refund completes right away; its notification follows the reply.
    setImmediate(() => {
      record.resultCode = 'succeed';
      notify(record, deliveryPlan(defaults)).catch(() => {});
    });
    return pendingReply(record);
  }

  function handleApi(fields) {
    const type = authenticate(fields);
    // Checked after authentication, so the refusal can be signed.
    if (fields.version !== '1.0') throw new Refusal('1001', 'Invalid parameter: version');
    switch (fields.transactionType) {
      case 'pay':
        return doPay(fields, type);
      case 'query':
        return doQuery(fields, type);
      case 'refund':
        return doRefund(fields, type);
      default:
        throw new Refusal('1001', `Invalid parameter: transactionType`);
    }
  }

  /**
   * The notification UseePay sends for `record`, delivered by `plan` (the same body on every attempt). Carries a
   * field the client has never heard of (`settlementCurrency`): UseePay adds fields without notice, and the
   * signature covers it. Resolves the attempts.
   */
  function notify(record, plan) {
    const fields = {
      version: '1.0',
      merchantNo,
      ...transactionFields(record),
      resultCode: record.resultCode,
      errorCode: record.errorCode,
      errorMsg: record.errorMsg,
      echoParam: record.echoParam, // sent even when empty; an empty value is left out of the string to sign
      settlementCurrency: 'HKD',
      signType: record.signType,
    };
    fields.sign = sign(fields, record.signType);
    const body = form.encode(fields);
    const meta = { kind: record.transactionType === 'refund' ? 'refund' : 'payment', event: record.resultCode, id: record.transactionId };
    return notifier.deliver(record.notifyUrl, () => ({ body }), meta, plan);
  }

  /** The payment named by the merchant's transactionId or UseePay's reference, still pending. */
  function pendingPayment(id, what) {
    const record = transactions.get(id) ?? [...transactions.values()].find((r) => r.reference === id);
    if (!record || record.transactionType !== 'pay') throw new Error(`${what}: no order ${id}`);
    refresh(record);
    if (record.resultCode !== 'pending') throw new Error(`${what}: order ${id} is ${record.resultCode}`);
    return record;
  }
  const result = (record, deliveries) => ({
    provider: 'useepay', outTradeNo: record.transactionId, providerId: record.reference, status: record.resultCode, deliveries,
  });
  /** Ends payment `id` with `state` and notifies it by `options`. */
  async function settle(id, what, state, options) {
    const record = pendingPayment(id, what);
    const plan = deliveryPlan(options, defaults);
    Object.assign(record, state);
    return result(record, await notify(record, plan));
  }

  const server = await startServer((req, body) => {
    const json = (status, object) => ({
      status,
      headers: { 'content-type': 'application/json;charset=UTF-8', connection: 'close' },
      body: JSON.stringify(object),
    });
    const path = new URL(req.url, 'http://127.0.0.1').pathname;
    if (path !== '/api') return json(404, { status: 404, error: 'Not Found', path });
    if (req.method !== 'POST') return json(405, { status: 405, error: 'Method Not Allowed', path });
    if (body === null) return json(413, { status: 413, error: 'Payload Too Large' });
    const raw = body.toString('utf8');
    const entry = { path, contentType: req.headers['content-type'] ?? null, raw, fields: null, reply: null };
    requests.push(entry);
    let reply;
    try {
      if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) {
        throw new Refusal('1001', 'Invalid Content-Type: application/x-www-form-urlencoded expected', { signed: false });
      }
      let pairs;
      try {
        pairs = form.decode(raw);
      } catch {
        throw new Refusal('1001', 'Invalid parameter encoding', { signed: false });
      }
      const fields = {};
      for (const [k, v] of pairs) {
        if (Object.hasOwn(fields, k)) throw new Refusal('1001', `Duplicate parameter: ${k}`, { signed: false });
        fields[k] = v;
      }
      entry.fields = fields;
      reply = handleApi(fields);
    } catch (e) {
      if (!(e instanceof Refusal)) {
        log(`useepay-gateway: internal error ${e.stack}`);
        return json(500, { status: 500, error: 'Internal Server Error' });
      }
      const fields = entry.fields ?? {};
      const base = {
        resultCode: 'failed',
        errorCode: e.errorCode,
        errorMsg: e.message,
        transactionId: fields.transactionId || undefined,
        transactionType: fields.transactionType || undefined,
        echoParam: fields.echoParam || undefined,
      };
      reply = e.signed ? signedReply(base, fields.signType) : JSON.parse(JSON.stringify(base));
    }
    entry.reply = reply;
    log(`useepay-gateway: ${entry.fields?.transactionType ?? '?'} ${entry.fields?.transactionId ?? entry.fields?.reference ?? ''} → ${reply.resultCode} ${reply.errorCode}${reply.sign ? '' : ' (unsigned)'}`);
    return json(200, reply);
  });

  return {
    /** The gateway base URL; the client posts to `gateway + '/api'`. */
    gateway: server.url,
    /** The stand-in's own RSA public key (what the UseePay portal shows as "UseePay RSA public key"). */
    useepayPublicKeyPem: useepayKeys.publicKey.export({ type: 'spki', format: 'pem' }),
    /** The key that verifies `paySign` (WeChat's side; only the WeChat client checks it). */
    wechatPayPublicKeyPem: wechatPayKeys.publicKey.export({ type: 'spki', format: 'pem' }),
    requests,
    /** The notifications sent so far, every attempt. */
    deliveries: notifier.deliveries,
    /** The delivery used for notifications no control call started (refunds): `{ delivery, delayMs, timeScale }`. */
    configure(options = {}) {
      deliveryPlan(options);
      defaults = { ...defaults, ...options };
    },
    /** The state of a transaction (payment or refund), for tests. */
    transaction(transactionId) {
      const r = transactions.get(transactionId);
      return r ? { ...refresh(r), amount: String(r.amount), refunded: r.refunded === undefined ? undefined : String(r.refunded) } : null;
    },
    /**
     * What the WeChat client checks when the mini program calls wx.requestPayment(params): the five fields,
     * `timeStamp` a string, `signType` RSA, a prepay_id this gateway issued, and `paySign` over
     * `appId\ntimeStamp\nnonceStr\npackage\n`. Returns `{ errMsg: 'requestPayment:ok', transactionId }` or
     * `{ errMsg: 'requestPayment:fail …' }` (the buyer would then confirm; call pay() for that).
     */
    requestPayment(params) {
      const fail = (why) => ({ errMsg: `requestPayment:fail ${why}` });
      if (!params || typeof params !== 'object') return fail('no parameters');
      for (const k of ['timeStamp', 'nonceStr', 'package', 'signType', 'paySign']) {
        if (typeof params[k] !== 'string' || params[k] === '') return fail(`parameter error: ${k} should be a non-empty string`);
      }
      if (params.signType !== 'RSA') return fail('parameter error: signType');
      const prepayId = params.package.startsWith('prepay_id=') ? params.package.slice('prepay_id='.length) : null;
      const transactionId = prepayId && prepayIds.get(prepayId);
      if (!transactionId) return fail('prepay_id unknown');
      const record = refresh(transactions.get(transactionId));
      const message = `${record.subAppId}\n${params.timeStamp}\n${params.nonceStr}\n${params.package}\n`;
      if (!rsaVerifyText('sha256', message, wechatPayKeys.publicKey, params.paySign)) return fail('paySign invalid');
      if (record.resultCode !== 'pending') return fail(`order ${record.resultCode}`);
      return { errMsg: 'requestPayment:ok', transactionId };
    },
    /** The buyer paid order `id` (transactionId or reference): `succeed`, notified by `options`. */
    pay: (id, options) => settle(id, 'pay', { resultCode: 'succeed', errorCode: '0000', errorMsg: OK_MSG }, options),
    /** The buyer's payment failed (risk control): `failed` with errorCode 0053, notified by `options`. */
    fail: (id, options) => settle(id, 'fail', { resultCode: 'failed', errorCode: '0053', errorMsg: 'Transaction blocked by risk control' }, options),
    /** The unpaid order expired: `closed` with errorCode 3300, notified by `options`. */
    cancel: (id, options) => settle(id, 'cancel', { resultCode: 'closed', errorCode: '3300', errorMsg: 'Transaction is expired' }, options),
    /** Makes a pending order past its expiration (queries then show it `closed`, errorCode 3300). */
    expire(transactionId) {
      const record = transactions.get(transactionId);
      if (record) record.expiresAt = Date.now() - 1;
    },
    /** Resolves when every notification under way has been delivered (or failed). */
    /** Resolves when every notification under way has been delivered (or given up). */
    idle: () => notifier.idle(),
    async close() {
      notifier.close();
      await server.close();
    },
  };
}
