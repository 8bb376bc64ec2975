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
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { Miniflare } from 'miniflare';
import { alipayGateway, exampleDir, makeProviders, vars } from '../js-tests/edge-worker-helpers.mjs';
import { makeRng } from '../js-tests/helpers.mjs';
import { alnum } from '../js-tests/wechatpay-helpers.mjs';
import { median } from './measure.mjs';

const arg = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const ROUNDS = arg('rounds', 7);
const PER = arg('per', 20);
const repoRoot = fileURLToPath(new URL('../', import.meta.url));
// The example's configuration (wrangler.toml's [vars]), keys standing in for the providers', their
// notifications and the stand-in Alipay gateway: the same as the example's test.
const { alipayKeys, secrets, notifications } = makeProviders(makeRng('bench-edge-requests'));
const gateway = alipayGateway(alipayKeys);
const rng = makeRng('bench-edge-orders');

// Each request is made fresh (its own ids, a current WeChat Pay timestamp), before it is timed.
const REQUESTS = {
  baseline: () => ({ path: '/', init: { method: 'GET' }, expect: [405] }),
  'Alipay notification': () => ({ path: '/notify/alipay', init: { method: 'POST', ...notifications.alipay() }, expect: [200, 'success'] }),
  'WeChat Pay notification (verify + decrypt)': () => ({ path: '/notify/wechatpay', init: { method: 'POST', ...notifications.wechatpay() }, expect: [204, ''] }),
  'UseePay notification': () => ({ path: '/notify/useepay', init: { method: 'POST', ...notifications.useepay() }, expect: [200, 'OK'] }),
  'Alipay order (sign, send, verify the reply)': () => {
    const order = { outTradeNo: `W${alnum(rng, 12)}`, subject: '咖啡', amountMinor: 1234, userId: '2088102146225135' };
    return { path: '/orders', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(order) }, expect: [200] };
  },
};

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
