// aggpay/sandbox: local emulations of the providers a merchant's own tests run against, like stripe-mock.
// startSandbox() starts the chosen emulations (Alipay gateway v2 and v3, in public-key or certificate mode, WeChat
// login + official-account OAuth, WeChat Pay APIv3, UseePay) and one control server a test drives over HTTP (`POST /control/<op>`, JSON) or through the same
// methods in JS. Node built-ins only: every signature is made and checked with node:crypto, never with aggpay.
// Every server binds 127.0.0.1 on a free port (the control server on `controlPort` when given).
import crypto from 'node:crypto';
import { startServer } from './http.mjs';
import { DELIVERY_MODES, RETRY_SCHEDULES } from './notify.mjs';
import { randomDigits, randomText } from './random.mjs';
import { generateRsaKeys } from './signing.mjs';
import { startAlipayGateway } from './alipay.mjs';
import { startUseePayGateway } from './useepay.mjs';
import { startWechatLogin } from './wechat-login.mjs';
import { startWechatPayGateway } from './wechatpay.mjs';

export { startAlipayGateway, startUseePayGateway, startWechatLogin, startWechatPayGateway, startServer, DELIVERY_MODES, RETRY_SCHEDULES };

export const PROVIDERS = Object.freeze(['alipay', 'wechat-login', 'wechatpay', 'useepay']);
const PAYMENT_PROVIDERS = ['alipay', 'wechatpay', 'useepay'];
const CONTROL_MAX_BODY = 16 * 1024;

const pem = async () => {
  const { publicKey, privateKey } = await generateRsaKeys();
  return { privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }), publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) };
};

/**
 * A merchant's credentials as each provider's console would hand them out, for a merchant with none yet: an Alipay
 * app id and app key pair (RSA2), a WeChat mini program / official account app id and secret, a WeChat Pay mchid,
 * merchant API key pair, certificate serial and APIv3 key, a UseePay merchant number, website and key pair (plus an
 * MD5 key). Private keys are PKCS#8 PEM; they never leave this process unless you write them.
 */
export async function generateMerchantKeys() {
  const [alipay, wechatpay, useepay] = await Promise.all([pem(), pem(), pem()]);
  const wxAppId = `wx${crypto.randomBytes(8).toString('hex')}`;
  return {
    alipay: { appId: `2021${randomDigits(12)}`, ...alipay },
    wechat: { apps: [{ appId: wxAppId, appSecret: crypto.randomBytes(16).toString('hex') }] },
    wechatpay: {
      mchid: `19${randomDigits(8)}`, appId: wxAppId, merchantSerial: crypto.randomBytes(20).toString('hex').toUpperCase(),
      apiV3Key: randomText(32), ...wechatpay,
    },
    useepay: { merchantNo: `5000000${randomDigits(8)}`, appId: 'shop.example.com', signType: 'RSA', md5Key: crypto.randomBytes(16).toString('hex'), ...useepay },
  };
}

class ControlError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * Starts the sandbox. `options.providers` (default all of PROVIDERS); the merchant's registered credentials per
 * provider (`alipay`, `wechat`, `wechatpay`, `useepay`); a provider left without them gets generated ones, returned
 * in `merchant`. `delivery`: the default notification delivery (`{ delivery, delayMs, timeScale }`). See
 * types/sandbox.d.ts for the whole shape.
 */
export async function startSandbox(options = {}) {
  const { providers = PROVIDERS, delivery, controlPort = 0, log } = options;
  for (const p of providers) if (!PROVIDERS.includes(p)) throw new TypeError(`startSandbox: unknown provider ${JSON.stringify(p)} (one of ${PROVIDERS.join(', ')})`);
  const wants = (p) => providers.includes(p);
  // An Alipay registration may be only `{ certMode: true }`: the app and its keys are generated then.
  const alipayGiven = options.alipay && Object.keys(options.alipay).some((k) => k !== 'certMode') ? options.alipay : null;
  const needsGenerated = (wants('alipay') && !alipayGiven) || (wants('wechatpay') && !options.wechatpay) || (wants('useepay') && !options.useepay)
    || ((wants('wechat-login') || wants('wechatpay')) && !options.wechat);
  const generated = needsGenerated ? await generateMerchantKeys() : null;
  const merchant = {};
  const started = [];
  const sandbox = { merchant, controlUrl: null };
  try {
    let wechatApps = options.wechat?.apps;
    if (!wechatApps && (wants('wechat-login') || wants('wechatpay'))) {
      // WeChat Pay's app id must be a registered app: reuse the merchant's when only WeChat Pay was given.
      wechatApps = options.wechatpay?.appId ? [{ appId: options.wechatpay.appId, appSecret: crypto.randomBytes(16).toString('hex') }] : generated.wechat.apps;
      merchant.wechat = { apps: wechatApps };
    }
    if (wants('alipay')) {
      const m = alipayGiven ?? (merchant.alipay = { ...generated.alipay });
      const certMode = Boolean(options.alipay?.certMode);
      const gw = await startAlipayGateway({ appId: m.appId, appPublicKeyPem: m.appPublicKeyPem ?? m.publicKeyPem, certMode, appCertPem: m.appCertPem, delivery, log });
      started.push(gw);
      if (merchant.alipay && gw.appCertMinted) merchant.alipay.appCertPem = gw.appCertPem;
      sandbox.alipay = certMode ? {
        gateway: gw.url, endpoint: gw.endpoint, appId: m.appId, certMode,
        // These follow rotateCertificate({ provider: 'alipay' }).
        get alipayPublicKeyPem() {
          return gw.alipayPublicKeyPem;
        },
        get alipayCertPem() {
          return gw.alipayCertPem;
        },
        get alipayCertSn() {
          return gw.alipayCertSn;
        },
        alipayRootCertPem: gw.alipayRootCertPem, alipayRootCertSn: gw.alipayRootCertSn,
        appCertPem: gw.appCertPem, appCertSn: gw.appCertSn, server: gw,
        clientConfig: {
          appId: m.appId, gateway: gw.url, appCert: gw.appCertPem, alipayRootCert: gw.alipayRootCertPem,
          get alipayCert() {
            return gw.alipayCertPem;
          },
        },
      } : {
        gateway: gw.url, endpoint: gw.endpoint, appId: m.appId, certMode, alipayPublicKeyPem: gw.alipayPublicKeyPem, server: gw,
        clientConfig: { appId: m.appId, gateway: gw.url, alipayPublicKey: gw.alipayPublicKeyPem },
      };
    }
    if (wants('wechat-login')) {
      const login = await startWechatLogin({ apps: wechatApps, log });
      started.push(login);
      sandbox.wechat = { apiBase: login.apiBase, oauthBase: login.apiBase, appIds: wechatApps.map((a) => a.appId), server: login };
    }
    if (wants('wechatpay')) {
      const m = options.wechatpay ?? (merchant.wechatpay = { ...generated.wechatpay, appId: wechatApps[0].appId });
      const merchantSerialNo = m.merchantSerial ?? m.merchantSerialNo;
      // Every registered WeChat app is bound to the merchant id: JSAPI orders for the mini program's and the
      // official account's buyers alike.
      const wx = await startWechatPayGateway({
        mchid: m.mchid, appId: m.appId, appIds: wechatApps.map((a) => a.appId), apiV3Key: m.apiV3Key, merchantSerialNo,
        merchantPublicKey: m.merchantPublicKeyPem ?? m.publicKeyPem, delivery, log,
      });
      started.push(wx);
      sandbox.wechatpay = {
        baseUrl: wx.apiBase, mchid: m.mchid, appId: m.appId, merchantSerial: merchantSerialNo,
        get platformSerial() {
          return wx.platformSerial;
        },
        get platformCertificatePem() {
          return wx.platformCertificatePem;
        },
        wechatpayPublicKeyId: wx.publicKeyId, wechatpayPublicKeyPem: wx.publicKeyPem, server: wx,
        clientConfig: { mchid: m.mchid, appId: m.appId, merchantSerialNo, apiV3Key: m.apiV3Key, baseUrl: wx.apiBase, wechatpayPublicKey: wx.publicKeyPem, wechatpayPublicKeyId: wx.publicKeyId },
      };
    }
    if (wants('useepay')) {
      const m = options.useepay ?? (merchant.useepay = generated.useepay);
      const signType = m.signType ?? (m.merchantPublicKeyPem || m.publicKeyPem ? 'RSA' : 'MD5');
      const gw = await startUseePayGateway({
        merchantNo: m.merchantNo, appId: m.appId ?? 'shop.example.com', signType, md5Key: m.md5Key, merchantPublicKeyPem: m.merchantPublicKeyPem ?? m.publicKeyPem, delivery, log,
      });
      started.push(gw);
      sandbox.useepay = {
        gateway: gw.gateway, gatewayUrl: `${gw.gateway}/api`, merchantNo: m.merchantNo, appId: m.appId ?? 'shop.example.com', signType,
        useepayPublicKeyPem: gw.useepayPublicKeyPem, server: gw,
        clientConfig: { merchantNo: m.merchantNo, appId: m.appId ?? 'shop.example.com', signType, gateway: gw.gateway, ...(signType === 'RSA' ? { useepayPublicKey: gw.useepayPublicKeyPem } : {}) },
      };
    }
  } catch (e) {
    await Promise.allSettled(started.map((s) => s.close()));
    throw e;
  }

  // The control operations, the same for JS and HTTP: each takes one plain object and resolves plain JSON.
  const payments = () => PAYMENT_PROVIDERS.filter((p) => sandbox[p]);
  const lookup = {
    alipay: (id) => sandbox.alipay.server.trade(id),
    wechatpay: (id) => sandbox.wechatpay.server.order(id) ?? null,
    useepay: (id) => sandbox.useepay.server.transaction(id),
  };
  /** The payment emulation named by `provider`, or the one that knows trade `id`. */
  function providerOf({ provider, id }, only = payments()) {
    if (provider !== undefined) {
      if (!only.includes(provider)) throw new ControlError(400, `provider must be one of ${only.join(', ')} (started), not ${JSON.stringify(provider)}`);
      return provider;
    }
    if (only.length === 1) return only[0];
    const knows = only.filter((p) => lookup[p] && id !== undefined && lookup[p](String(id)));
    if (knows.length !== 1) throw new ControlError(400, 'name the provider: { provider, id }');
    return knows[0];
  }
  const trade = (what) => async (args = {}) => {
    if (typeof args.id !== 'string' || !args.id) throw new ControlError(400, `${what}: id (the out_trade_no / transactionId, or the provider's id) is required`);
    const provider = providerOf(args);
    const { id, provider: _p, ...delivery } = args;
    try {
      return await sandbox[provider].server[what](id, delivery);
    } catch (e) {
      throw new ControlError(/^\w+: no /.test(e.message) ? 404 : e instanceof TypeError ? 400 : 409, e.message);
    }
  };
  const need = (provider, what) => {
    if (!sandbox[provider]) throw new ControlError(400, `${what}: the ${provider} emulation is not started`);
    return sandbox[provider];
  };
  const strip = (value) => JSON.parse(JSON.stringify(value));

  const control = {
    /** The buyer pays: `{ provider?, id, delivery?, delayMs?, timeScale?, retry?, wait? }`. */
    pay: trade('pay'),
    /** The unpaid trade closes. */
    cancel: trade('cancel'),
    /** The buyer's payment fails. */
    fail: trade('fail'),
    /** A trade's state, or 404. */
    async trade(args = {}) {
      const provider = providerOf(args);
      const found = lookup[provider](String(args.id));
      if (!found) throw new ControlError(404, `trade: no trade ${args.id}`);
      return { provider, ...strip(found) };
    },
    /** The default delivery of notifications no control call started (refunds), for one provider or all. */
    async configure({ provider, ...plan } = {}) {
      for (const p of provider ? [providerOf({ provider })] : payments()) {
        try {
          sandbox[p].server.configure(plan);
        } catch (e) {
          throw new ControlError(400, e.message);
        }
      }
      return { ok: true };
    },
    /**
     * WeChat Pay (the default) issues a new platform certificate (a new serial); the old one stays listed a while.
     * `{ provider: 'alipay' }`: Alipay's certificate is renewed (certificate mode), a new SN signing from now on.
     */
    async rotateCertificate({ provider = 'wechatpay' } = {}) {
      if (provider === 'alipay') {
        const gw = need('alipay', 'rotateCertificate').server;
        if (!gw.certMode) throw new ControlError(409, 'rotateCertificate: the Alipay emulation is in public-key mode; start it with alipay: { certMode: true }');
        return { provider, ...(await gw.rotateCertificate()) };
      }
      if (provider !== 'wechatpay') throw new ControlError(400, `rotateCertificate: provider must be 'wechatpay' (the default) or 'alipay', not ${JSON.stringify(provider)}`);
      return { provider, ...(await need('wechatpay', 'rotateCertificate (name { provider: \'alipay\' } for Alipay)').server.rotateCertificate()) };
    },
    /** WeChat Pay sends a probe (WECHATPAY/SIGNTEST/) notification: `{ url?, id? }`. */
    async probe({ provider = 'wechatpay', url, id } = {}) {
      if (provider !== 'wechatpay') throw new ControlError(400, 'probe: only wechatpay sends probe signatures');
      try {
        return strip(await need('wechatpay', 'probe').server.probe({ url, id }));
      } catch (e) {
        throw e instanceof ControlError ? e : new ControlError(400, e.message);
      }
    },
    /** A code from wx.login (`kind: 'login'`, default) or an official account's OAuth redirect (`kind: 'oauth'`). */
    async issueCode({ kind = 'login', appId, openid, unionid, scope, snapshot } = {}) {
      const login = need('wechat', 'issueCode').server;
      try {
        const code = kind === 'oauth' ? login.issueOauthCode(openid, { appId, unionid, scope, snapshot }) : login.issueCode(openid, { appId, unionid });
        return { code };
      } catch (e) {
        throw new ControlError(400, e.message);
      }
    },
    /** Every notification attempt so far, oldest first (`{ provider? }` narrows to one). */
    async deliveries({ provider } = {}) {
      return strip(payments().filter((p) => !provider || p === provider).flatMap((p) => sandbox[p].server.deliveries))
        .sort((a, b) => a.at.localeCompare(b.at));
    },
    /** Resolves when no notification is under way. */
    async idle() {
      await Promise.all(payments().map((p) => sandbox[p].server.idle()));
      return { ok: true };
    },
    /** What a merchant configures: URLs, ids, the sandbox's public keys and certificates. */
    async describe() {
      return describe();
    },
  };

  function describe() {
    const out = { control: sandbox.controlUrl };
    if (sandbox.alipay) {
      const a = sandbox.alipay;
      out.alipay = { gateway: a.gateway, endpoint: a.endpoint, appId: a.appId, certMode: a.certMode, alipayPublicKeyPem: a.alipayPublicKeyPem };
      if (a.certMode) {
        Object.assign(out.alipay, {
          alipayCertPem: a.alipayCertPem, alipayCertSn: a.alipayCertSn, alipayRootCertPem: a.alipayRootCertPem, alipayRootCertSn: a.alipayRootCertSn,
          appCertPem: a.appCertPem, appCertSn: a.appCertSn,
        });
      }
    }
    if (sandbox.wechat) out.wechat = { apiBase: sandbox.wechat.apiBase, oauthBase: sandbox.wechat.oauthBase, appIds: sandbox.wechat.appIds };
    if (sandbox.wechatpay) {
      const w = sandbox.wechatpay;
      out.wechatpay = {
        baseUrl: w.baseUrl, mchid: w.mchid, appId: w.appId, merchantSerial: w.merchantSerial, platformSerial: w.platformSerial,
        platformCertificatePem: w.platformCertificatePem, wechatpayPublicKeyId: w.wechatpayPublicKeyId, wechatpayPublicKeyPem: w.wechatpayPublicKeyPem,
      };
    }
    if (sandbox.useepay) {
      const u = sandbox.useepay;
      out.useepay = { gateway: u.gateway, gatewayUrl: u.gatewayUrl, merchantNo: u.merchantNo, appId: u.appId, signType: u.signType, useepayPublicKeyPem: u.useepayPublicKeyPem };
    }
    out.retrySchedulesMs = RETRY_SCHEDULES;
    return out;
  }

  const server = await startServer(async (req, body) => {
    const json = (status, object) => ({ status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(object) });
    const url = new URL(req.url, 'http://127.0.0.1');
    const op = /^\/control\/([A-Za-z]+)$/.exec(url.pathname)?.[1];
    if (!op || !Object.hasOwn(control, op)) return json(404, { error: `no such control operation: ${url.pathname}`, operations: Object.keys(control) });
    if (body === null) return json(413, { error: 'body too large' });
    let args;
    if (req.method === 'GET') {
      args = Object.fromEntries(url.searchParams);
    } else if (req.method === 'POST') {
      try {
        args = body.length ? JSON.parse(body.toString('utf8')) : {};
      } catch {
        return json(400, { error: 'the body must be JSON' });
      }
      if (args === null || typeof args !== 'object' || Array.isArray(args)) return json(400, { error: 'the body must be a JSON object' });
    } else {
      return json(405, { error: 'GET or POST' });
    }
    try {
      return json(200, strip(await control[op](args)));
    } catch (e) {
      if (e instanceof ControlError) return json(e.status, { error: e.message });
      log?.(`sandbox control: ${e.stack}`);
      return json(500, { error: e.message });
    }
  }, { maxBody: CONTROL_MAX_BODY, port: controlPort }).catch(async (e) => {
    await Promise.allSettled(started.map((s) => s.close()));
    throw e;
  });
  sandbox.controlUrl = server.url;

  let closed = false;
  return Object.assign(sandbox, control, {
    describe,
    /** Stops every emulation (cancelling scheduled notifications) and the control server. */
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...started.map((s) => s.close()), server.close()]);
    },
  });
}
