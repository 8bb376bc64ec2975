// Measures, never asserts: the time each request of examples/edge-worker takes in workerd (miniflare),
// with the `webcrypto` engine and with the `wasm` engine (its AGGPAY_ENGINE var). The worker is bundled
// with esbuild as the README's edge section does and started once per engine; every kind of request —
// a notification from each provider (signed here with node:crypto), an Alipay order (the outbound call
// answered by a stand-in gateway that checks the signature) and a baseline (`GET /`, answered 405 before
// any aggpay code runs) — is sent one at a time, in interleaved rounds. What a request adds to the
// baseline is the worker's own time for it: aggpay's work, the handler, and for an order the stand-in's
// round trip. workerd freezes timers inside a request (Spectre mitigation), so this is measured from
// outside, as wall time on an otherwise idle machine; a deployed worker's billed CPU time excludes the
// outbound wait.
// Run after a build: node bench/edge-requests.mjs [--rounds=7] [--per=20]
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { Miniflare } from 'miniflare';
import { decodeForm, keyPairs, nodeSign, nodeVerify, notifyContent, signContent, signedResponse } from '../js-tests/alipay-helpers.mjs';
import { makeRng } from '../js-tests/helpers.mjs';
import { alnum, apiV3Key, notification, rsaPair, transaction } from '../js-tests/wechatpay-helpers.mjs';
import { median } from './measure.mjs';

const arg = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const ROUNDS = arg('rounds', 7);
const PER = arg('per', 20);
const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const exampleDir = path.join(repoRoot, 'examples', 'edge-worker');
const rng = makeRng('bench-edge-requests');

// The example's configuration: wrangler.toml's [vars], and keys standing in for the providers'.
const vars = Object.fromEntries(
  [...fs.readFileSync(path.join(exampleDir, 'wrangler.toml'), 'utf8').split('[vars]')[1].matchAll(/^([A-Z0-9_]+) = "([^"]*)"$/gm)].map((m) => [m[1], m[2]]),
);
const alipayKeys = keyPairs();
const wechatKey = rsaPair();
const useepayKey = rsaPair();
const API_V3_KEY = apiV3Key(rng);
const secrets = {
  ALIPAY_PUBLIC_KEY: alipayKeys.alipay.spkiPem,
  ALIPAY_PRIVATE_KEY: alipayKeys.app.pkcs8Pem,
  WECHATPAY_PUBLIC_KEY: wechatKey.spkiPem,
  WECHATPAY_API_V3_KEY: API_V3_KEY,
  USEEPAY_PUBLIC_KEY: useepayKey.spkiPem,
};

// Each request is made fresh (its own ids, a current WeChat Pay timestamp), before it is timed.
const REQUESTS = {
  baseline: () => ({ path: '/', init: { method: 'GET' }, expect: [405] }),
  'Alipay notification': () => {
    const pairs = Object.entries({
      notify_time: '2026-12-02 10:00:00', notify_type: 'trade_status_sync', notify_id: `n${alnum(rng, 20)}`, app_id: vars.ALIPAY_APP_ID,
      charset: 'utf-8', version: '1.0', sign_type: 'RSA2', trade_status: 'TRADE_SUCCESS', out_trade_no: `A${alnum(rng, 12)}`,
      trade_no: '2026120222001446881', total_amount: '12.34', subject: '咖啡 Table 7', gmt_payment: '2026-12-02 10:00:01',
    });
    const body = new URLSearchParams([...pairs, ['sign', nodeSign(notifyContent(pairs, 'payment'), alipayKeys.alipay.privateKey)]]).toString();
    return { path: '/notify/alipay', init: { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body }, expect: [200, 'success'] };
  },
  'WeChat Pay notification (verify + decrypt)': () => {
    const resource = transaction(rng, { mchid: vars.WECHATPAY_MCHID, appid: `wx${alnum(rng, 16)}` });
    const { body, headers } = notification(rng, {
      key: API_V3_KEY, signer: wechatKey.privateKey, serial: vars.WECHATPAY_PUBLIC_KEY_ID, resource, timestamp: Math.floor(Date.now() / 1000),
    });
    return { path: '/notify/wechatpay', init: { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body }, expect: [204, ''] };
  },
  'UseePay notification': () => {
    const fields = {
      version: '1.0', merchantNo: vars.USEEPAY_MERCHANT_NO, transactionId: `T${alnum(rng, 10)}`, transactionType: 'pay', amount: '1234',
      currency: 'HKD', resultCode: 'succeed', errorCode: '0000', errorMsg: 'Approved or completed successfully', reference: `R${alnum(rng, 10)}`, signType: 'RSA',
    };
    const sign = crypto.sign('sha256', signContent(Object.entries(fields)), useepayKey.privateKey).toString('base64');
    return { path: '/notify/useepay', init: { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...fields, sign }).toString() }, expect: [200, 'OK'] };
  },
  'Alipay order (sign, send, verify the reply)': () => {
    const order = { outTradeNo: `W${alnum(rng, 12)}`, subject: '咖啡', amountMinor: 1234, userId: '2088102146225135' };
    return { path: '/orders', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(order) }, expect: [200] };
  },
};

/** The stand-in Alipay gateway (the worker's outbound fetch): checks the signature with node:crypto, answers signed. */
async function gateway(request) {
  const url = new URL(request.url);
  const params = [...decodeForm(url.search.slice(1)), ...decodeForm(await request.text())];
  const get = (name) => params.find(([k]) => k === name)?.[1];
  if (!nodeVerify(signContent(params), get('sign'), alipayKeys.app.publicKey)) return new Response('bad signature', { status: 400 });
  const node = JSON.stringify({ code: '10000', msg: 'Success', out_trade_no: JSON.parse(get('biz_content')).out_trade_no, trade_no: '2026120222001446899' });
  return new Response(signedResponse('alipay.trade.create', node, alipayKeys.alipay.privateKey), { headers: { 'content-type': 'application/json;charset=utf-8' } });
}

async function send(mf, make) {
  const { path: at, init, expect } = make();
  const start = performance.now();
  const response = await mf.dispatchFetch(`https://worker.example${at}`, init);
  const text = await response.text();
  const ms = performance.now() - start;
  if (response.status !== expect[0] || (expect.length > 1 && text !== expect[1])) {
    throw new Error(`bench/edge-requests.mjs: ${at} answered ${response.status} ${text.slice(0, 200)}; refusing to time it`);
  }
  return ms;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'aggpay-edge-requests-'));
try {
  await esbuild.build({
    entryPoints: [path.join(exampleDir, 'src', 'index.mjs')], bundle: true, format: 'esm', conditions: ['workerd'], loader: { '.wasm': 'copy' },
    assetNames: '[name]', outdir: work, logLevel: 'warning', nodePaths: [path.join(repoRoot, 'node_modules')],
  });
  const script = fs.readdirSync(work).find((f) => /\.m?js$/.test(f));
  const engines = ['webcrypto', 'wasm'];
  const results = {};
  for (const engine of engines) {
    const mf = new Miniflare({
      host: '127.0.0.1', port: 0, compatibilityDate: '2025-09-01', modules: true, modulesRoot: work, scriptPath: path.join(work, script),
      modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }], bindings: { ...vars, ...secrets, AGGPAY_ENGINE: engine }, outboundService: gateway,
    });
    try {
      for (const make of Object.values(REQUESTS)) await send(mf, make); // the isolate, the clients and their keys, once
      const times = Object.fromEntries(Object.keys(REQUESTS).map((k) => [k, []]));
      for (let round = 0; round < ROUNDS; round++) {
        for (const [kind, make] of Object.entries(REQUESTS)) {
          const per = [];
          for (let i = 0; i < PER; i++) per.push(await send(mf, make));
          times[kind].push(median(per));
        }
      }
      results[engine] = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
    } finally {
      await mf.dispose();
    }
  }
  console.log(`examples/edge-worker in workerd (miniflare ${JSON.parse(fs.readFileSync(path.join(repoRoot, 'node_modules/miniflare/package.json'), 'utf8')).version}); ${os.cpus().length} × ${os.cpus()[0].model.trim()}, Node ${process.versions.node}; medians of ${ROUNDS} rounds of ${PER} requests each\n`);
  console.log(`| request (ms over the 405 baseline) | ${engines.map((e) => `\`${e}\` engine`).join(' | ')} |`);
  console.log(`|---|${engines.map(() => '---:').join('|')}|`);
  for (const kind of Object.keys(REQUESTS)) {
    if (kind === 'baseline') continue;
    console.log(`| ${kind} | ${engines.map((e) => (results[e][kind] - results[e].baseline).toFixed(2)).join(' | ')} |`);
  }
  console.log(`| *the baseline itself (GET /, 405)* | ${engines.map((e) => results[e].baseline.toFixed(2)).join(' | ')} |`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
