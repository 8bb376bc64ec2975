// The providers on this machine: the stand-ins of Alipay's gateway, WeChat's login and web authorization,
// and WeChat Pay (direct, APIv3) or UseePay (WeChat Pay HK), each with freshly generated keys, and the app
// config that points the merchant app at them. Used by `main.mjs` and the tests; in production the config
// holds the keys from the providers' consoles and no stand-in runs.
import crypto from 'node:crypto';
import { startAlipayGateway } from '../standins/alipay-gateway.mjs';
import { startUseePayGateway } from '../standins/useepay-gateway.mjs';
import { startWechatLogin } from '../standins/wechat-login.mjs';
import { startWechatOauth } from '../standins/wechat-oauth.mjs';
import { startWechatPayGateway } from '../standins/wechatpay-gateway.mjs';

function rsaPair() {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }), publicKey: publicKey.export({ type: 'spki', format: 'pem' }) };
}

/**
 * Starts the stand-ins; `wechat`: `wechatpay` (default) or `useepay`, the provider of WeChat payments.
 * Resolves `{ config, alipay, login, oauth, wechatpay?, useepay?, close }`: `config` for `createMerchantApp`,
 * and each stand-in (to play the buyer: `alipay.pay(tradeNo)`, `login.issueCode()`, …).
 */
export async function startLocalProviders({ wechat = 'wechatpay', log } = {}) {
  const started = [];
  const keep = (standin) => (started.push(standin), standin);
  try {
    const alipayApp = rsaPair();
    const alipayAppId = `2021${crypto.randomInt(10 ** 11, 10 ** 12)}`;
    const alipay = keep(await startAlipayGateway({ appId: alipayAppId, appPublicKeyPem: alipayApp.publicKey, log }));
    // One WeChat AppID serves as the mini program and the official account here: the WeChat Pay stand-in binds
    // one AppID to the merchant. In production each has its own, both bound to the merchant id.
    const wxAppId = `wx${crypto.randomBytes(8).toString('hex')}`;
    const wxAppSecret = crypto.randomBytes(16).toString('hex');
    const login = keep(await startWechatLogin({ appId: wxAppId, appSecret: wxAppSecret, log }));
    const oauth = keep(await startWechatOauth({ appId: wxAppId, appSecret: wxAppSecret, log }));
    const config = {
      stores: { STORE42: { name: 'Coffee 42' } },
      alipay: { appId: alipayAppId, privateKey: alipayApp.privateKey, alipayPublicKey: alipay.alipayPublicKeyPem, gateway: alipay.url },
      miniProgram: { appId: wxAppId, appSecret: wxAppSecret, apiBase: login.apiBase },
      officialAccount: { appId: wxAppId, appSecret: wxAppSecret, apiBase: oauth.apiBase },
    };
    const merchant = rsaPair();
    const out = { config, alipay, login, oauth };
    if (wechat === 'wechatpay') {
      const mchid = `19${crypto.randomInt(10 ** 7, 10 ** 8)}`;
      const merchantSerialNo = crypto.randomBytes(20).toString('hex').toUpperCase();
      const apiV3Key = crypto.randomBytes(16).toString('hex');
      const gw = keep(await startWechatPayGateway({ mchid, appId: wxAppId, apiV3Key, merchantSerialNo, merchantPublicKey: merchant.publicKey, log }));
      config.wechat = {
        provider: 'wechatpay',
        mchid,
        privateKey: merchant.privateKey,
        merchantSerialNo,
        apiV3Key,
        platformCertificates: gw.platformCertificatePem,
        wechatpayPublicKey: gw.publicKeyPem,
        wechatpayPublicKeyId: gw.publicKeyId,
        appId: wxAppId,
        baseUrl: gw.apiBase,
      };
      out.wechatpay = gw;
    } else {
      const merchantNo = `5000000${crypto.randomInt(10 ** 7, 10 ** 8)}`;
      const gw = keep(await startUseePayGateway({ merchantNo, appId: 'shop.example.com', signType: 'RSA', merchantPublicKeyPem: merchant.publicKey, log }));
      config.wechat = { provider: 'useepay', merchantNo, appId: 'shop.example.com', signType: 'RSA', privateKey: merchant.privateKey, useepayPublicKey: gw.useepayPublicKeyPem, gateway: gw.gateway };
      out.useepay = gw;
    }
    return { ...out, close: () => Promise.all(started.map((s) => s.close())) };
  } catch (error) {
    await Promise.all(started.map((s) => s.close()));
    throw error;
  }
}
