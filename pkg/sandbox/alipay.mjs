// A local stand-in for Alipay's OpenAPI gateway, v2 (`POST …/gateway.do`) and v3 (`POST /v3/alipay/…` on the
// same host, alipay-v3.mjs), as far as a merchant server can see it: the mini-program payment methods (oauth
// token, trade create/query/close/refund, refund query, precreate) over either, one trade store for both, and the
// asynchronous payment notification Alipay POSTs to the trade's notify_url.
// Every signature is checked and made here with node:crypto only (never with aggpay), by the rules of
// shared/specs/alipay.md §1–§3:
// - requests: every parameter from URL query + form body but `sign`, empty values left out, names sorted
//   byte-wise, raw (decoded) values joined `k=v&…`; RSA2 = SHA256withRSA, RSA = SHA1withRSA, base64;
// - responses: `{"<method>_response":<node>,"sign":"…"}`, the signature over the node text exactly as sent
//   (JSON with every `/` escaped as `\/`, as Alipay writes it), with the request's sign_type;
// - notifications: the payment rule (every field but `sign` and `sign_type`), SHA256withRSA.
// Gateway refusals (bad signature, app_id, timestamp, method, used auth code) are UNSIGNED, business
// failures (code 40004, `ACQ.*`) are signed, as Alipay does. Amounts stay strings; arithmetic is in fen.
//
// Public-key mode (the default) signs with a generated "Alipay public key". Certificate mode (`certMode: true`,
// §4) mints an Alipay PKI with openssl (certs.mjs): a root file, an intermediate CA and Alipay's certificate, and
// an app certificate for the merchant's key unless `appCertPem` is given. Every request must then carry the
// `app_cert_sn` and `alipay_root_cert_sn` of those files (v3: `app_cert_sn` in the authorization and the
// `alipay-root-cert-sn` header), else it is refused unsigned; signed answers name the signing certificate
// (`alipay_cert_sn`, v3 `alipay-sn`). `rotateCertificate()` issues Alipay a new certificate (same subject, new
// key and SN) that signs answers and notifications from then on; `alipay.open.app.alipaycert.download` hands out
// any certificate issued so far by its SN, as Alipay does.
//
//   const gw = await startAlipayGateway({ appPublicKeyPem, appId });
//   new Alipay({ appId, privateKey, alipayPublicKey: gw.alipayPublicKeyPem, gateway: gw.url });
//   // certificate mode: { …, certMode: true } and
//   new Alipay({ appId, privateKey, appCert: gw.appCertPem, alipayCert: gw.alipayCertPem, alipayRootCert: gw.alipayRootCertPem, gateway: gw.url });
//   await gw.pay(tradeNo, { delivery: 'twice' });   // the buyer paid: notifies the merchant
//   await gw.close();
//
// Notifications (payment, unpaid close, refund) go out as the control call asks (see notify.mjs), retried on
// Alipay's schedule until the merchant answers exactly `success`. Binds 127.0.0.1 on a free port; every
// incoming and outgoing request has a timeout; logs nothing unless `log` (a function taking one line) is given.
import crypto from 'node:crypto';
import { createV3Api } from './alipay-v3.mjs';
import { alipayCertSn, alipayRootCertSn, mintAlipayPki } from './certs.mjs';
import { form, startServer } from './http.mjs';
import { createNotifier, deliveryPlan } from './notify.mjs';
import { randomDigits as digits, randomText as alnum } from './random.mjs';
import { generateRsaKeys, rsaSignText, rsaVerifyText, signingString } from './signing.mjs';

const HASH = { RSA2: 'sha256', RSA: 'sha1' };
const MSG = { 40001: 'Missing Required Arguments', 40002: 'Invalid Arguments', 40004: 'Business Failed' };
const CLOCK_SKEW_MS = 10 * 60_000;

/** Alipay's string to sign: every parameter but those in `omit`, empty values left out, byte-wise order, raw values. */
export function stringToSign(params, omit = ['sign']) {
  return signingString(params, (k, v) => !omit.includes(k) && v !== undefined && v !== null && v !== '');
}

/** Beijing time (UTC+8) as `yyyy-MM-dd HH:mm:ss`, from epoch milliseconds. */
export const beijingTime = (ms = Date.now()) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');

/** A yuan string with at most 2 decimals (0.01 … 100000000.00) → integer fen, or null. */
function toFen(value) {
  const m = /^(0|[1-9]\d{0,8})(?:\.(\d{1,2}))?$/.exec(typeof value === 'string' ? value : '');
  const fen = m ? Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0')) : 0;
  return fen >= 1 && fen <= 100_000_000_00 ? fen : null;
}
const yuan = (fen) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

class Refusal extends Error {
  /** `node`: the response node to answer in (default: the method's); 40004 refusals are signed, others not. */
  constructor(code, subCode, subMsg, { node, signed = code === '40004' } = {}) {
    super(subMsg);
    Object.assign(this, { code, subCode, node, signed });
  }
}
const business = (subCode, subMsg) => new Refusal('40004', subCode, subMsg);
const invalidParameter = (what) => business('ACQ.INVALID_PARAMETER', `参数有误：${what}`);

/**
 * Certificate mode's files and SNs: Alipay's PKI, and the app certificate (`appCertPem` as given, else minted for
 * `appPublicKeyPem`). Throws when both are given and the certificate is not for that key.
 */
async function certificates({ appId, sellerId, appPublicKeyPem, appCertPem }) {
  const appKeyOfCert = appCertPem ? new crypto.X509Certificate(appCertPem).publicKey : null;
  if (appKeyOfCert && appPublicKeyPem && !appKeyOfCert.equals(crypto.createPublicKey(appPublicKeyPem))) {
    throw new Error('startAlipayGateway: appCertPem is not a certificate of appPublicKeyPem');
  }
  // Alipay's certificate keeps its subject across renewals (aggpay checks a downloaded one against it).
  const alipaySubject = `/C=CN/O=aggpay sandbox/OU=Alipay/CN=Alipay (China) Network Technology-${sellerId}`;
  const pki = await mintAlipayPki(alipaySubject);
  const app = appCertPem ? null : await pki.issue(`/C=CN/O=aggpay sandbox merchant/OU=Alipay/CN=${sellerId}-${appId}`, crypto.createPublicKey(appPublicKeyPem));
  const appCert = appCertPem ?? app.pem;
  return {
    pki,
    alipaySubject,
    appCertPem: appCert,
    appCertMinted: Boolean(app),
    appKey: appKeyOfCert ?? crypto.createPublicKey(appPublicKeyPem),
    appCertSn: alipayCertSn(appCert),
    rootCertSn: alipayRootCertSn(pki.rootPem),
  };
}

export async function startAlipayGateway({ appPublicKeyPem, appId, certMode = false, appCertPem, delivery, log } = {}) {
  if (!appId || !(appPublicKeyPem || (certMode && appCertPem))) throw new Error('startAlipayGateway: appId and appPublicKeyPem (or, in certificate mode, appCertPem) are required');
  if (appCertPem && !certMode) throw new Error('startAlipayGateway: appCertPem is for certificate mode (certMode: true)');
  const sellerId = `2088${digits(12)}`;
  // Public-key mode: one generated "Alipay public key". Certificate mode: the key of the newest Alipay
  // certificate signs; every certificate issued stays downloadable by its SN.
  const certs = certMode ? await certificates({ appId, sellerId, appPublicKeyPem, appCertPem }) : null;
  const alipayCerts = certs ? [certs.pki.alipay] : [];
  const keys = certs ? null : await generateRsaKeys();
  const appKey = certs ? certs.appKey : crypto.createPublicKey(appPublicKeyPem);
  const signingKey = () => (certs ? alipayCerts.at(-1).privateKey : keys.privateKey);
  const currentSn = () => (certs ? alipayCerts.at(-1).sn : null);
  const say = (line) => log?.(`alipay: ${line}`);
  const notifier = createNotifier({ provider: 'alipay', accepted: (r) => r.body === 'success', log: say });
  deliveryPlan(delivery); // throws on a bad option
  let defaults = { ...delivery }; // the delivery of notifications no control call started (refunds)
  const users = new Map(); // user_id and open_id → user
  const usedCodes = new Set();
  const refreshTokens = new Map(); // refresh_token → user
  const trades = new Map(); // trade_no → trade
  const byOutTradeNo = new Map(); // out_trade_no → trade
  let requests = 0;
  let tradeSeq = 0;

  function newUser() {
    const user = { user_id: `2088${digits(12)}`, open_id: `0${alnum(46)}`, logon_id: `${digits(3)}******${digits(2)}` };
    users.set(user.user_id, user).set(user.open_id, user);
    return user;
  }

  function issueTokens(user) {
    const token = () => `authusrB${crypto.randomBytes(16).toString('hex')}X${digits(2)}`;
    const refresh_token = token();
    refreshTokens.set(refresh_token, user);
    // Alipay's own answer: keys in alphabetical order, no code/msg, lifetimes as numbers.
    return {
      access_token: token(),
      auth_start: beijingTime(),
      expires_in: 1296000,
      open_id: user.open_id,
      re_expires_in: 2592000,
      refresh_token,
      user_id: user.user_id,
    };
  }

  function oauthToken(p) {
    const refuse = (subCode, subMsg) => new Refusal('40002', subCode, subMsg, { node: 'error_response' });
    if (p.grant_type === 'authorization_code') {
      if (!p.code || usedCodes.has(p.code)) throw refuse('isv.code-invalid', '授权码code无效');
      usedCodes.add(p.code); // an auth code is good once
      return issueTokens(newUser());
    }
    if (p.grant_type === 'refresh_token') {
      const user = refreshTokens.get(p.refresh_token);
      if (!user) throw refuse('isv.refresh-token-invalid', '刷新令牌refresh_token无效');
      refreshTokens.delete(p.refresh_token);
      return issueTokens(user);
    }
    throw refuse('isv.grant-type-invalid', 'grant_type参数不正确');
  }

  function bizContent(p) {
    let biz;
    try {
      biz = JSON.parse(p.biz_content ?? '');
    } catch {
      throw invalidParameter('biz_content不是合法的JSON');
    }
    if (biz === null || typeof biz !== 'object' || Array.isArray(biz)) throw invalidParameter('biz_content不是JSON对象');
    return biz;
  }

  /** The trade named by out_trade_no or trade_no; precreated trades nobody scanned do not exist yet for queries. */
  function findTrade(biz) {
    if (!biz.out_trade_no && !biz.trade_no) throw invalidParameter('out_trade_no和trade_no不能同时为空');
    const trade = biz.trade_no ? trades.get(biz.trade_no) : byOutTradeNo.get(biz.out_trade_no);
    if (!trade || (biz.trade_no && biz.out_trade_no && trade.out_trade_no !== biz.out_trade_no) || !trade.visible) {
      throw business('ACQ.TRADE_NOT_EXIST', '交易不存在');
    }
    return trade;
  }

  /** The buyer as query and refund answers name it. */
  const buyerOf = (t) => (t.buyer_open_id ? { buyer_open_id: t.buyer_open_id } : { buyer_user_id: t.user.user_id });

  function createTrade(biz, kind, notifyUrl) {
    if (typeof biz.out_trade_no !== 'string' || !/^[A-Za-z0-9_]{1,64}$/.test(biz.out_trade_no)) throw invalidParameter('out_trade_no');
    const fen = toFen(biz.total_amount);
    if (fen === null) throw invalidParameter('total_amount');
    if (typeof biz.subject !== 'string' || !biz.subject.trim() || biz.subject.length > 256) throw invalidParameter('subject');
    let user = null;
    if (kind === 'create') {
      if (biz.product_code !== 'JSAPI_PAY') throw invalidParameter('product_code必须为JSAPI_PAY');
      if ((biz.buyer_id === undefined) === (biz.buyer_open_id === undefined)) throw invalidParameter('buyer_id和buyer_open_id必须且只能传一个');
      user = users.get(biz.buyer_id ?? biz.buyer_open_id);
      if (!user || (biz.buyer_id !== undefined && biz.buyer_id !== user.user_id)) throw business('ACQ.BUYER_NOT_EXIST', '买家不存在');
      if (biz.op_app_id !== undefined && !/^\d{16}$/.test(biz.op_app_id)) throw invalidParameter('op_app_id');
    }
    if (notifyUrl !== undefined && (typeof notifyUrl !== 'string' || !/^https?:\/\/\S+$/.test(notifyUrl))) throw invalidParameter('notify_url');
    // What makes a repeated out_trade_no "the same trade": its content, compared field by field.
    const fingerprint = JSON.stringify([kind, fen, biz.subject, biz.buyer_id, biz.buyer_open_id, biz.op_app_id, biz.passback_params, notifyUrl]);
    const existing = byOutTradeNo.get(biz.out_trade_no);
    if (existing) {
      if (existing.status === 'TRADE_SUCCESS' || existing.status === 'TRADE_FINISHED') throw business('ACQ.TRADE_HAS_SUCCESS', '交易已被支付');
      if (existing.status === 'TRADE_CLOSED') throw business('ACQ.TRADE_HAS_CLOSE', '交易已经关闭');
      if (existing.fingerprint !== fingerprint) throw business('ACQ.TRADE_HAS_EXIST', '交易已经存在');
      return existing.reply;
    }
    const now = Date.now();
    const trade = {
      trade_no: `${beijingTime(now).slice(0, 10).replaceAll('-', '')}22001${digits(7)}${String(++tradeSeq).padStart(8, '0')}`,
      out_trade_no: biz.out_trade_no,
      fen,
      subject: biz.subject,
      user,
      buyer_open_id: biz.buyer_open_id,
      passback_params: biz.passback_params,
      notify_url: notifyUrl,
      status: 'WAIT_BUYER_PAY',
      visible: kind === 'create', // a precreated QR trade exists for queries only once scanned
      gmt_create: beijingTime(now),
      refunds: new Map(), // out_request_no → { fen, gmt }
      refunded: 0,
      fingerprint,
    };
    trade.reply =
      kind === 'create'
        ? { out_trade_no: trade.out_trade_no, trade_no: trade.trade_no }
        : { out_trade_no: trade.out_trade_no, qr_code: `https://qr.alipay.com/bax0${alnum(20).toLowerCase()}` };
    trades.set(trade.trade_no, trade);
    byOutTradeNo.set(trade.out_trade_no, trade);
    return trade.reply;
  }

  function tradeQuery(biz) {
    const t = findTrade(biz);
    const paid = t.status !== 'WAIT_BUYER_PAY' && t.gmt_payment;
    return {
      trade_no: t.trade_no,
      out_trade_no: t.out_trade_no,
      buyer_logon_id: t.user.logon_id,
      trade_status: t.status,
      total_amount: yuan(t.fen),
      buyer_pay_amount: yuan(paid ? t.fen : 0),
      receipt_amount: yuan(paid ? t.fen : 0),
      ...(paid ? { send_pay_date: t.gmt_payment } : {}),
      ...buyerOf(t),
    };
  }

  function tradeClose(biz) {
    const t = findTrade(biz);
    if (t.status !== 'WAIT_BUYER_PAY') throw business('ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
    t.status = 'TRADE_CLOSED';
    return { trade_no: t.trade_no, out_trade_no: t.out_trade_no };
  }

  function tradeRefund(biz) {
    const t = findTrade(biz);
    const fen = toFen(biz.refund_amount);
    if (fen === null) throw invalidParameter('refund_amount');
    const key = biz.out_request_no ?? t.out_trade_no; // without out_request_no: one refund per trade
    const done = t.refunds.get(key);
    if (done && done.fen !== fen) throw business('ACQ.INVALID_PARAMETER', '同一退款请求号的退款金额不一致');
    if (!done) {
      if (t.status !== 'TRADE_SUCCESS') throw business('ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
      if (t.refunded + fen > t.fen) throw business('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');
      t.refunds.set(key, { fen, gmt: beijingTime() });
      t.refunded += fen;
      if (t.refunded === t.fen) Object.assign(t, { status: 'TRADE_CLOSED', gmt_close: beijingTime() }); // fully refunded
      // Alipay's refund notification: trade_status_sync with refund_fee (in all), gmt_refund and out_biz_no.
      const now = Date.now();
      const refund = { refund_fee: yuan(t.refunded), gmt_refund: `${beijingTime(now)}.${String(now % 1000).padStart(3, '0')}`, out_biz_no: key };
      setImmediate(() => notifyTrade(t, 'refund', deliveryPlan(defaults), refund).catch(() => {}));
    }
    return {
      trade_no: t.trade_no,
      out_trade_no: t.out_trade_no,
      buyer_logon_id: t.user.logon_id,
      fund_change: done ? 'N' : 'Y',
      refund_fee: yuan(t.refunded),
      gmt_refund_pay: t.refunds.get(key).gmt,
      ...buyerOf(t),
    };
  }

  function refundQuery(biz) {
    const t = findTrade(biz);
    const key = biz.out_request_no ?? t.out_trade_no;
    const r = t.refunds.get(key);
    // A refund Alipay does not know is a success without refund_status.
    return {
      trade_no: t.trade_no,
      out_trade_no: t.out_trade_no,
      out_request_no: key,
      total_amount: yuan(t.fen),
      ...(r ? { refund_amount: yuan(r.fen), refund_status: 'REFUND_SUCCESS', gmt_refund_pay: r.gmt } : {}),
    };
  }

  /** `alipay.open.app.alipaycert.download`: a certificate Alipay issued, by SN, as base64 of its file (leaf + CA). */
  function certDownload(biz) {
    if (typeof biz.alipay_cert_sn !== 'string' || !biz.alipay_cert_sn) throw invalidParameter('alipay_cert_sn');
    const found = alipayCerts.find((c) => c.sn === biz.alipay_cert_sn);
    if (!found) throw business('isv.alipay-cert-not-exist', certs ? '支付宝公钥证书不存在' : '应用未使用公钥证书模式');
    return { alipay_cert_content: Buffer.from(found.chainPem, 'utf8').toString('base64') };
  }

  /** The business methods by v2 name: `(biz, params)` → the response node's fields; each also has a v3 path. */
  const METHODS = {
    'alipay.system.oauth.token': (biz, p) => oauthToken(p),
    'alipay.trade.create': (biz, p) => createTrade(biz, 'create', p.notify_url),
    'alipay.trade.precreate': (biz, p) => createTrade(biz, 'precreate', p.notify_url),
    'alipay.trade.query': tradeQuery,
    'alipay.trade.close': tradeClose,
    'alipay.trade.refund': tradeRefund,
    'alipay.trade.fastpay.refund.query': refundQuery,
    'alipay.open.app.alipaycert.download': certDownload,
  };
  /** Methods whose parameters are top-level (no biz_content). */
  const TOP_LEVEL = new Set(['alipay.system.oauth.token']);

  /**
   * `{"<node>":<node text>[,"alipay_cert_sn":"…"],"sign":"…"}` with the node text as Alipay writes it (`/` escaped),
   * signed as sent; certificate mode names the signing certificate.
   */
  function wire(nodeName, node, hash) {
    const text = JSON.stringify(node).replaceAll('/', '\\/');
    const sn = hash && certs ? `,"alipay_cert_sn":"${currentSn()}"` : '';
    const sign = hash ? `,"sign":"${rsaSignText(hash, text, signingKey())}"` : '';
    return `{"${nodeName}":${text}${sn}${sign}}`;
  }

  // v3: the same methods, `/v3/` + the v2 name with `.` as `/`; the JSON body is the biz_content (top-level
  // parameters and notify_url included). A Refusal becomes a signed 400 `{ code: sub_code, message }`.
  const v3 = createV3Api({
    appId,
    appKey: () => appKey,
    cert: () => (certs ? { appCertSn: certs.appCertSn, rootCertSn: certs.rootCertSn } : null),
    signer: () => ({ privateKey: signingKey(), sn: currentSn() }),
    say,
    dispatch(path, body) {
      const method = Object.keys(METHODS).find((m) => `/v3/${m.replaceAll('.', '/')}` === path);
      if (!method) return null;
      try {
        return [200, METHODS[method](body, body)];
      } catch (e) {
        if (!(e instanceof Refusal)) throw e;
        return [400, { code: e.subCode, message: e.message, links: [] }];
      }
    },
  });

  /** Checks one gateway.do request (its query text and form body text); returns the response body text. */
  function gateway(queryText, bodyText) {
    let nodeName = 'error_response';
    let hash = null;
    try {
      let pairs;
      try {
        pairs = [...form.decode(queryText).map((kv) => [...kv, 'query']), ...form.decode(bodyText)];
      } catch {
        throw new Refusal('40002', 'isv.invalid-encoding', '参数编码错误');
      }
      const p = {};
      for (const [k, v] of pairs) {
        if (Object.hasOwn(p, k)) throw new Refusal('40002', 'isv.invalid-parameter', `参数重复：${k}`);
        p[k] = v;
      }
      const inQuery = new Set(pairs.filter((kv) => kv[2] === 'query').map(([k]) => k));
      if (!p.method) throw new Refusal('40001', 'isv.missing-method', '缺少方法名参数');
      if (!Object.hasOwn(METHODS, p.method)) throw new Refusal('40002', 'isv.invalid-method', '不存在的方法名');
      nodeName = `${p.method.replaceAll('.', '_')}_response`;
      if (!p.app_id) throw new Refusal('40001', 'isv.missing-app-id', '缺少AppID参数');
      if (p.app_id !== appId) throw new Refusal('40002', 'isv.invalid-app-id', '无效的AppID参数');
      if (!p.sign_type) throw new Refusal('40001', 'isv.missing-signature-type', '缺少签名类型参数');
      if (!Object.hasOwn(HASH, p.sign_type)) throw new Refusal('40002', 'isv.invalid-signature-type', '无效签名类型');
      if (!p.sign) throw new Refusal('40001', 'isv.missing-signature', '缺少签名参数');
      if (!inQuery.has('charset')) {
        throw new Refusal('40002', 'isv.invalid-signature', '验签出错，请确认charset参数放在了URL查询字符串中且各参数值使用charset参数指示的字符集编码');
      }
      if (p.charset.toLowerCase() !== 'utf-8') throw new Refusal('40002', 'isv.invalid-charset', '字符集错误');
      if (certs) {
        // Which app certificate (hence key) signed, and which root file the app trusts: both must be this app's.
        // The sub_codes of a missing one are inferred; the invalid ones are Alipay's (shared/specs/alipay.md §4.4).
        if (!p.app_cert_sn) throw new Refusal('40001', 'isv.missing-app-cert-sn', '缺少应用公钥证书序列号');
        if (p.app_cert_sn !== certs.appCertSn) throw new Refusal('40002', 'isv.invalid-app-cert-sn', '无效的应用公钥证书序列号');
        if (!p.alipay_root_cert_sn) throw new Refusal('40001', 'isv.missing-alipay-root-cert-sn', '缺少支付宝根证书序列号');
        if (p.alipay_root_cert_sn !== certs.rootCertSn) throw new Refusal('40002', 'isv.invalid-alipay-root-cert-sn', '无效的支付宝根证书序列号');
      }
      const content = stringToSign(p);
      if (!rsaVerifyText(HASH[p.sign_type], content, appKey, p.sign)) {
        throw new Refusal('40002', 'isv.invalid-signature', `验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：${content}`);
      }
      hash = HASH[p.sign_type]; // from here on, answers are signed with the request's sign_type
      if (!p.timestamp) throw new Refusal('40001', 'isv.missing-timestamp', '缺少时间戳参数');
      const when = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(p.timestamp) ? Date.parse(`${p.timestamp.replace(' ', 'T')}+08:00`) : NaN;
      if (!(Number.isFinite(when) && beijingTime(when) === p.timestamp && Math.abs(Date.now() - when) <= CLOCK_SKEW_MS)) {
        throw new Refusal('40002', 'isv.invalid-timestamp', '非法的时间戳参数');
      }
      if (!p.version) throw new Refusal('40001', 'isv.missing-version', '缺少版本参数');
      if (p.version !== '1.0') throw new Refusal('40002', 'isv.invalid-version', '版本号错误');
      if (p.format !== undefined && p.format.toLowerCase() !== 'json') throw new Refusal('40002', 'isv.invalid-format', '无效的数据格式');
      const result = METHODS[p.method](TOP_LEVEL.has(p.method) ? {} : bizContent(p), p);
      say(`${p.method} → ok`);
      return wire(nodeName, p.method === 'alipay.system.oauth.token' ? result : { code: '10000', msg: 'Success', ...result }, hash);
    } catch (e) {
      if (!(e instanceof Refusal)) throw e;
      say(`${nodeName} → ${e.code} ${e.subCode}${e.signed ? '' : ' (unsigned)'}`);
      const node = e.node ?? nodeName;
      return wire(node, { code: e.code, msg: MSG[e.code], sub_code: e.subCode, sub_msg: e.message }, e.signed && node === nodeName ? hash : null);
    }
  }

  function unpaid(id, what) {
    const t = trades.get(id) ?? byOutTradeNo.get(id);
    if (!t) throw new Error(`${what}: no trade ${id}`);
    if (t.status !== 'WAIT_BUYER_PAY') throw new Error(`${what}: trade ${id} is ${t.status}`);
    return t;
  }

  const result = (t, deliveries) => ({ provider: 'alipay', outTradeNo: t.out_trade_no, providerId: t.trade_no, status: t.status, deliveries });

  /**
   * Alipay's trade_status_sync for trade `t` (kind 'payment', 'close' or 'refund' with `refund` fields), signed with
   * the payment rule, delivered by `plan`. Resolves the attempts (none without a notify_url).
   */
  function notifyTrade(t, kind, plan, refund) {
    if (!t.notify_url) return Promise.resolve([]);
    const amount = yuan(t.fen);
    const paid = Boolean(t.gmt_payment);
    const fields = {
      gmt_create: t.gmt_create,
      charset: 'utf-8',
      seller_email: 'shop@example.com',
      subject: t.subject,
      ...(t.user ? { buyer_logon_id: t.user.logon_id } : {}),
      ...(paid ? { invoice_amount: amount, fund_bill_list: JSON.stringify([{ amount, fundChannel: 'ALIPAYACCOUNT' }]), receipt_amount: amount, buyer_pay_amount: amount } : {}),
      notify_id: `${beijingTime().slice(0, 10).replaceAll('-', '')}0022${digits(20)}`,
      notify_type: 'trade_status_sync',
      trade_status: t.status,
      app_id: appId,
      sign_type: 'RSA2',
      seller_id: sellerId,
      ...(paid ? { gmt_payment: t.gmt_payment } : {}),
      ...(t.gmt_close ? { gmt_close: t.gmt_close } : {}),
      ...(refund ?? {}),
      notify_time: beijingTime(),
      ...(t.passback_params ? { passback_params: t.passback_params } : {}),
      version: '1.0',
      out_trade_no: t.out_trade_no,
      total_amount: amount,
      trade_no: t.trade_no,
      auth_app_id: appId,
      ...(t.buyer_open_id ? { buyer_open_id: t.buyer_open_id } : t.user ? { buyer_id: t.user.user_id } : {}),
      ...(paid ? { point_amount: '0.00' } : {}),
    };
    fields.sign = rsaSignText('sha256', stringToSign(fields, ['sign', 'sign_type']), signingKey());
    const body = form.encode(fields); // Alipay re-sends the same notification (same notify_id) on each attempt
    const contentType = 'application/x-www-form-urlencoded; charset=utf-8';
    return notifier.deliver(t.notify_url, () => ({ body, contentType }), { kind, event: t.status, id: t.out_trade_no }, plan);
  }

  const server = await startServer((req, body) => {
    requests += 1;
    const url = new URL(req.url, 'http://127.0.0.1');
    const plain = (status, text) => ({ status, headers: { 'content-type': 'text/plain' }, body: text });
    if (body === null) return plain(413, 'Payload Too Large');
    if (v3.owns(url.pathname)) {
      try {
        return v3.handle(req, url, body);
      } catch (e) {
        say(`internal error: ${e.stack}`);
        return plain(500, 'Internal Server Error');
      }
    }
    if (url.pathname !== '/gateway.do') return plain(404, 'Not Found');
    if (req.method !== 'POST') return plain(405, 'Method Not Allowed');
    // Like a servlet, only a form-encoded body carries parameters.
    const isForm = /^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '');
    try {
      return { status: 200, headers: { 'content-type': 'text/html;charset=utf-8' }, body: gateway(url.search.slice(1), isForm ? body.toString('utf8') : '') };
    } catch (e) {
      say(`internal error: ${e.stack}`);
      return plain(500, 'Internal Server Error');
    }
  });

  const spki = (key) => crypto.createPublicKey(key).export({ type: 'spki', format: 'pem' });
  return {
    url: `${server.url}/gateway.do`,
    /** The v3 endpoint (the client's `endpoint`; aggpay derives it from `url` by dropping `/gateway.do`). */
    endpoint: server.url,
    /** Whether the gateway is in certificate mode. */
    certMode: Boolean(certs),
    /** The "Alipay public key" (支付宝公钥) that signs now, SPKI PEM; in certificate mode the current certificate's. */
    get alipayPublicKeyPem() {
      return spki(signingKey());
    },
    /** Certificate mode: Alipay's current certificate file (alipayCertPublicKey_RSA2.crt: the leaf, then its CA). */
    get alipayCertPem() {
      return certs ? alipayCerts.at(-1).chainPem : undefined;
    },
    /** Certificate mode: its SN (alipay_cert_sn), which changes on rotateCertificate(). */
    get alipayCertSn() {
      return currentSn() ?? undefined;
    },
    /** Certificate mode: the root file (alipayRootCert.crt) and its SN (alipay_root_cert_sn). */
    alipayRootCertPem: certs?.pki.rootPem,
    alipayRootCertSn: certs?.rootCertSn,
    /** Certificate mode: the app certificate (appCertPublicKey_<appId>.crt, as given or minted) and its SN (app_cert_sn). */
    appCertPem: certs?.appCertPem,
    appCertMinted: certs?.appCertMinted,
    appCertSn: certs?.appCertSn,
    /**
     * Certificate mode: Alipay gets a new certificate (the same subject, a new key and SN) that signs answers and
     * notifications from now on; the download method still hands out the old ones. Resolves `{ serial,
     * previousSerial, pem }`: the new SN, the previous SN, the new certificate file.
     */
    async rotateCertificate() {
      if (!certs) throw new Error('rotateCertificate: the Alipay gateway is in public-key mode (start it with certMode: true)');
      const previousSerial = currentSn();
      const { privateKey, publicKey } = await generateRsaKeys();
      alipayCerts.push({ ...(await certs.pki.issue(certs.alipaySubject, publicKey)), privateKey });
      say(`Alipay certificate rotated: ${previousSerial} → ${currentSn()}`);
      return { serial: currentSn(), previousSerial, pem: alipayCerts.at(-1).chainPem };
    },
    /** How many HTTP requests the gateway has received. */
    get requests() {
      return requests;
    },
    /** The notifications sent so far, every attempt. */
    deliveries: notifier.deliveries,
    /** The state of a trade as a query would show it, or null. */
    trade(id) {
      const t = trades.get(id) ?? byOutTradeNo.get(id);
      return t ? { outTradeNo: t.out_trade_no, tradeNo: t.trade_no, status: t.status, totalAmount: yuan(t.fen), refundFee: yuan(t.refunded), notifyUrl: t.notify_url ?? null } : null;
    },
    /** The delivery used for notifications no control call started (refunds): `{ delivery, delayMs, timeScale }`. */
    configure(options = {}) {
      deliveryPlan(options);
      defaults = { ...defaults, ...options };
    },
    /**
     * The buyer paid trade `id` (Alipay's trade_no, or the out_trade_no): TRADE_SUCCESS, and Alipay's payment
     * notification goes to the trade's notify_url as `options.delivery` says. Resolves the ControlResult.
     */
    async pay(id, options) {
      const t = unpaid(id, 'pay');
      const plan = deliveryPlan(options, defaults);
      t.user ??= newUser(); // a precreated QR trade: whoever scanned it
      Object.assign(t, { status: 'TRADE_SUCCESS', gmt_payment: beijingTime(), visible: true });
      return result(t, await notifyTrade(t, 'payment', plan));
    },
    /** The unpaid trade closes (the buyer gave up and it timed out): TRADE_CLOSED, notified as Alipay does. */
    async cancel(id, options) {
      const t = unpaid(id, 'cancel');
      Object.assign(t, { status: 'TRADE_CLOSED', gmt_close: beijingTime() });
      return result(t, await notifyTrade(t, 'close', deliveryPlan(options, defaults)));
    },
    /**
     * The buyer's payment failed at the cashier: the trade stays WAIT_BUYER_PAY and Alipay notifies nothing; the
     * result's `clientResult` is what my.tradePay returns to the mini program (resultCode 4000).
     */
    async fail(id) {
      const t = unpaid(id, 'fail');
      return { ...result(t, []), clientResult: { resultCode: '4000', memo: '订单支付失败' } };
    },
    idle: () => notifier.idle(),
    async close() {
      notifier.close();
      await server.close();
    },
  };
}
