// examples/edge-worker's configuration and the providers it hears from, shared by its test
// (edge-worker.test.mjs) and bench/edge-requests.mjs: wrangler.toml's [vars], keys standing in for the
// providers' (node:crypto signs as each provider does), each provider's notification, and the stand-in
// Alipay gateway the worker's order call reaches (miniflare's outbound service).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { decodeForm, keyPairs, nodeSign, nodeVerify, notifyContent, signContent, signedResponse } from './alipay-helpers.mjs';
import { repoRoot } from './helpers.mjs';
import { alnum, apiV3Key, notification, rsaPair, transaction } from './wechatpay-helpers.mjs';

export const exampleDir = path.join(repoRoot, 'examples', 'edge-worker');

/** wrangler.toml's [vars]: the worker's non-secret configuration, which the signed messages must match. */
export const vars = Object.fromEntries(
  [...fs.readFileSync(path.join(exampleDir, 'wrangler.toml'), 'utf8').split('[vars]')[1].matchAll(/^([A-Z0-9_]+) = "([^"]*)"$/gm)].map((m) => [m[1], m[2]]),
);

/**
 * The providers' keys and the merchant's, made fresh, and the notifications they sign. `rng` (helpers.mjs
 * makeRng) makes the ids. Returns `{ alipayKeys, wechatKey, useepayKey, apiV3Key, secrets, notifications }`:
 * `secrets` are the worker's secret bindings; `notifications[provider]({ tamper })` is `{ headers, body }`,
 * with the amount (Alipay, UseePay) or the event type (WeChat Pay) changed after signing when `tamper`.
 */
export function makeProviders(rng) {
  const alipayKeys = keyPairs(); // .app: the merchant's app key; .alipay: Alipay's
  const wechatKey = rsaPair();
  const useepayKey = rsaPair();
  const v3Key = apiV3Key(rng);
  const secrets = {
    ALIPAY_PUBLIC_KEY: alipayKeys.alipay.spkiPem,
    ALIPAY_PRIVATE_KEY: alipayKeys.app.pkcs8Pem,
    WECHATPAY_PUBLIC_KEY: wechatKey.spkiPem,
    WECHATPAY_API_V3_KEY: v3Key,
    USEEPAY_PUBLIC_KEY: useepayKey.spkiPem,
  };
  const notifications = {
    alipay({ tamper = false } = {}) {
      const pairs = Object.entries({
        notify_time: '2026-12-01 10:00:00', notify_type: 'trade_status_sync', notify_id: `n${alnum(rng, 20)}`, app_id: vars.ALIPAY_APP_ID,
        charset: 'utf-8', version: '1.0', sign_type: 'RSA2', trade_status: 'TRADE_SUCCESS', out_trade_no: `A${alnum(rng, 12)}`,
        trade_no: '2026120122001446881', total_amount: '12.34', subject: '咖啡 Table 7', gmt_payment: '2026-12-01 10:00:01',
      });
      const sign = nodeSign(notifyContent(pairs, 'payment'), alipayKeys.alipay.privateKey);
      const body = new URLSearchParams([...pairs, ['sign', sign]]).toString();
      return { headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: tamper ? body.replace('total_amount=12.34', 'total_amount=0.01') : body };
    },
    wechatpay({ tamper = false } = {}) {
      const resource = transaction(rng, { mchid: vars.WECHATPAY_MCHID, appid: `wx${alnum(rng, 16)}` });
      const { body, headers } = notification(rng, {
        key: v3Key, signer: wechatKey.privateKey, serial: vars.WECHATPAY_PUBLIC_KEY_ID, resource, timestamp: Math.floor(Date.now() / 1000),
      });
      return { headers: { ...headers, 'content-type': 'application/json' }, body: tamper ? body.replace('"TRANSACTION.SUCCESS"', '"TRANSACTION.SUCCES5"') : body };
    },
    useepay({ tamper = false } = {}) {
      const fields = {
        version: '1.0', merchantNo: vars.USEEPAY_MERCHANT_NO, transactionId: `T${alnum(rng, 10)}`, transactionType: 'pay', amount: '1234',
        currency: 'HKD', resultCode: 'succeed', errorCode: '0000', errorMsg: 'Approved or completed successfully', reference: `R${alnum(rng, 10)}`, signType: 'RSA',
      };
      const sign = crypto.sign('sha256', signContent(Object.entries(fields)), useepayKey.privateKey).toString('base64');
      const body = new URLSearchParams({ ...fields, sign }).toString();
      return { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: tamper ? body.replace('amount=1234', 'amount=1') : body };
    },
  };
  return { alipayKeys, wechatKey, useepayKey, apiV3Key: v3Key, secrets, notifications };
}

/**
 * The stand-in Alipay gateway: checks each request's signature with node:crypto against the app public
 * key and answers `alipay.trade.create` signed with Alipay's key (trade_no 2026120122001446899), or
 * Alipay's invalid-signature error. Every request it sees is pushed to `seen` as `{ url, method, params }`.
 */
export function alipayGateway(alipayKeys, seen = []) {
  return async (request) => {
    const url = new URL(request.url);
    const body = await request.text();
    const params = [...decodeForm(url.search.slice(1)), ...decodeForm(body)];
    seen.push({ url: `${url.origin}${url.pathname}`, method: request.method, params });
    const get = (name) => params.find(([k]) => k === name)?.[1];
    if (!nodeVerify(signContent(params), get('sign'), alipayKeys.app.publicKey)) {
      return Response.json({ error_response: { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-signature', sub_msg: '验签出错' } });
    }
    const { out_trade_no: outTradeNo } = JSON.parse(get('biz_content'));
    const node = JSON.stringify({ code: '10000', msg: 'Success', out_trade_no: outTradeNo, trade_no: '2026120122001446899' });
    return new Response(signedResponse('alipay.trade.create', node, alipayKeys.alipay.privateKey), { headers: { 'content-type': 'application/json;charset=utf-8' } });
  };
}
