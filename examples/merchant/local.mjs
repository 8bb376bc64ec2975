// The providers on this machine: aggpay's sandbox (`aggpay/sandbox`) — Alipay's gateway, WeChat's login and
// web authorization, WeChat Pay (direct, APIv3) and UseePay (WeChat Pay HK) — with keys it generates, and the
// app config that points the merchant app at it. Used by `main.mjs`, the tests and the demo; in production
// the config holds the keys from the providers' consoles and no sandbox runs.
import crypto from 'node:crypto';
import { startSandbox } from 'aggpay/sandbox';

/** The stores, each printed code's: STORE42 takes WeChat payments through WeChat Pay, HK01 through UseePay. */
export const STORES = {
  STORE42: { name: 'Coffee 42', wechat: 'wechatpay' },
  HK01: { name: 'Tea House HK', wechat: 'useepay' },
};

/** A WeChat app as the WeChat console hands it out. */
const wechatApp = () => ({ appId: `wx${crypto.randomBytes(8).toString('hex')}`, appSecret: crypto.randomBytes(16).toString('hex') });

/**
 * Starts the sandbox with two WeChat apps — the merchant's mini program and its official account (for H5),
 * both bound to the WeChat Pay merchant id — and generated keys for everything else. `options` go to
 * `startSandbox` (`delivery`, `log`). Resolves `{ sandbox, config }`: `config` for `createMerchantApp`;
 * `sandbox` to play the buyer (`pay`, `issueCode`, …) and to `close()` at the end.
 */
export async function startLocalProviders(options = {}) {
  const [miniProgram, officialAccount] = [wechatApp(), wechatApp()];
  const sandbox = await startSandbox({ ...options, wechat: { apps: [miniProgram, officialAccount] } });
  const { merchant } = sandbox; // the private keys the sandbox generated for this merchant
  const config = {
    stores: STORES,
    alipay: { ...sandbox.alipay.clientConfig, privateKey: merchant.alipay.privateKeyPem },
    // Both of WeChat Pay's keys: the platform certificate signs until WeChat switches to its public key.
    wechatpay: { ...sandbox.wechatpay.clientConfig, privateKey: merchant.wechatpay.privateKeyPem, platformCertificates: sandbox.wechatpay.platformCertificatePem },
    useepay: { ...sandbox.useepay.clientConfig, privateKey: merchant.useepay.privateKeyPem },
    miniProgram: { ...miniProgram, apiBase: sandbox.wechat.apiBase },
    officialAccount: { ...officialAccount, apiBase: sandbox.wechat.oauthBase },
  };
  return { sandbox, config };
}
