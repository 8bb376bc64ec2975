// Measures, never asserts: what the browser entry adds to a page's cold start in Chromium
// (playwright-core, /usr/bin/chromium). The package's directory is served from 127.0.0.1 (no-store)
// with two pages: one that loads nothing, one whose module imports aggpay through an import map (the
// bundled browser entry, dist/browser.mjs, as the package's `browser` condition resolves it, fetches and instantiates the .wasm before the import resolves), hashes once, and builds
// one signed alipay.trade.create (engine auto: synchronous calls run in Wasm in a browser). Each page is
// opened N times, alternating, each time in a fresh browser context (no HTTP or code cache), and read
// at the end of its script: milliseconds since navigation start, and inside the aggpay page the import
// and the first signed request on their own. The request is checked against node:crypto's signature first.
// Run after a build: node bench/browser-coldstart.mjs [N=11]
import crypto from 'node:crypto';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { assertRequestSigned } from '../js-tests/alipay-helpers.mjs';
import { CHROMIUM, CHROMIUM_ARGS, serveStatic } from '../js-tests/helpers.mjs';
import { median } from './measure.mjs';

const N = Number(process.argv[2] ?? 11);
const pkgDir = fileURLToPath(new URL('../pkg/', import.meta.url));
const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
const biz = { out_trade_no: 'T1', total_amount: { minor: 8888, currency: 'CNY' }, subject: '咖啡', buyer_id: '2088102146225135' };

const page = (body) => `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="importmap">${JSON.stringify({ imports: { aggpay: '/pkg/dist/browser.mjs' } })}</script>
<script type="module">${body}</script>`;
const pages = {
  '/empty.html': ['text/html; charset=utf-8', page('window.done = { total: performance.now() };')],
  '/aggpay.html': ['text/html; charset=utf-8', page(`
const t0 = performance.now();
const { Alipay, primitives } = await import('aggpay');
primitives.sha256('first call');
const t1 = performance.now();
const request = new Alipay({ appId: '2021000122671080', privateKey: ${JSON.stringify(pem)} }).buildTradeCreate(${JSON.stringify(biz)}, { timestamp: 1764640800000 });
const t2 = performance.now();
window.done = { total: t2, importMs: t1 - t0, firstRequestMs: t2 - t1, request };`)],
};

const { chromium } = await import('playwright-core');
const server = await serveStatic({ root: pkgDir, mount: '/pkg/', pages, maxRequests: 100_000 });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
try {
  const open = async (name) => {
    const context = await browser.newContext();
    try {
      const tab = await context.newPage();
      await tab.goto(`${server.url}${name}.html`, { timeout: 30_000 });
      await tab.waitForFunction(() => window.done, null, { timeout: 30_000 });
      return await tab.evaluate(() => window.done);
    } finally {
      await context.close();
    }
  };
  // The request a browser built must carry node:crypto's signature, byte for byte (the tests' own check).
  assertRequestSigned((await open('aggpay')).request, privateKey, 'RSA2', 'the request built in Chromium');
  await open('empty'); // the browser's own first page
  const times = { empty: [], aggpay: [], importMs: [], firstRequestMs: [] };
  for (let i = 0; i < N; i++) {
    for (const name of i % 2 ? ['aggpay', 'empty'] : ['empty', 'aggpay']) {
      const done = await open(name);
      times[name].push(done.total);
      if (name === 'aggpay') {
        times.importMs.push(done.importMs);
        times.firstRequestMs.push(done.firstRequestMs);
      }
    }
  }
  const ms = (xs) => `${median(xs).toFixed(0)} ms`;
  console.log(`Chromium ${browser.version()} (headless), ${os.cpus().length} × ${os.cpus()[0].model.trim()}; medians of ${N} fresh contexts each`);
  console.log(`empty page ${ms(times.empty)}, page with aggpay ${ms(times.aggpay)} (since navigation start): aggpay adds ${(median(times.aggpay) - median(times.empty)).toFixed(0)} ms`);
  console.log(`inside the page: import('aggpay') and a first call ${ms(times.importMs)}, then the first signed alipay.trade.create (Wasm) ${ms(times.firstRequestMs)}`);
} finally {
  await browser.close();
  await server.close();
}
