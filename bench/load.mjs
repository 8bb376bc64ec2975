// Measures, never asserts: the merchant app (examples/merchant) on Node taking Alipay payment
// notifications from many concurrent connections. The app runs in a child process (its own event loop
// and core) with an SQLite database of fresh orders; this process holds the keep-alive connections and
// posts notifications signed with node:crypto, each for an order of its own, a bounded number per level
// of concurrency, over 127.0.0.1 only. Every reply must be Alipay's `success` and every order must end
// paid. For each level: notifications per second, and the median and 99th-percentile latency. The
// child's heap and RSS are read before and after every level, to show whether anything grows with
// the load. For scale: the same load against a server that only answers (this machine's HTTP ceiling),
// and the bare limit, one `crypto.verify` per notification.
// Run after a build: node bench/load.mjs [--per-level=2000] [--levels=1,8,32,128]
import crypto from 'node:crypto';
import { fork } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { nodeSign, notifyContent } from '../js-tests/alipay-helpers.mjs';

const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;

if (process.argv.includes('--serve-echo')) {
  // The HTTP ceiling: a server that reads the body and answers `success`, nothing else.
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-length': 7 }).end('success'));
  });
  server.listen(0, '127.0.0.1', () => process.send({ url: `http://127.0.0.1:${server.address().port}` }));
  process.on('message', (message) => {
    if (message.close) server.close(() => process.exit(0));
  });
} else if (process.argv.includes('--serve')) {
  // The child: the sandbox (for the config the app needs), then the app, verifying notifications
  // against the parent's "Alipay" public key; orders are created as the parent lists them.
  const { createMerchantApp } = await import('../examples/merchant/app.mjs');
  const { startLocalProviders } = await import('../examples/merchant/local.mjs');
  const { sandbox, config } = await startLocalProviders();
  const setup = await new Promise((resolve) => process.once('message', resolve));
  config.alipay = { ...config.alipay, alipayPublicKey: setup.alipayPublicKeyPem };
  const dbPath = path.join(setup.dir, 'merchant.db');
  const app = await createMerchantApp({ dbPath, config, routerSecret: crypto.randomBytes(32).toString('hex') });
  for (const outTradeNo of setup.orders) {
    app.store.createOrder({ outTradeNo, store: 'STORE42', wallet: 'alipay', provider: 'alipay', client: 'h5', amount: { minor: 1234, currency: 'CNY' }, subject: '咖啡', buyerId: '2088102146225135' });
  }
  const memory = () => ({ heap: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss });
  process.on('message', async (message) => {
    if (message.memory) process.send({ memory: memory() });
    if (message.paid) process.send({ paid: message.paid.filter((id) => app.store.getOrder(id)?.status === 'paid').length });
    if (message.close) {
      await app.close();
      await sandbox.close();
      process.exit(0);
    }
  });
  process.send({ url: app.url, appId: config.alipay.appId });
} else {
  const PER_LEVEL = Number(arg('per-level', 2000));
  const LEVELS = arg('levels', '1,8,32,128').split(',').map(Number);
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aggpay-load-'));
  const orders = LEVELS.map((_, level) => Array.from({ length: PER_LEVEL }, (_, i) => `L${level}N${String(i).padStart(6, '0')}`));
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { execArgv: process.env.AGGPAY_BENCH_SERVER_ARGS?.split(' ') ?? [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  /** The child's next message carrying `key`; a child that exits first is an error, not a hang. */
  const reply = (key) => new Promise((resolve, reject) => {
    const exited = (code) => reject(new Error(`bench/load.mjs: the app's process exited (${code}) before it answered`));
    const on = (message) => {
      if (key in message) {
        child.off('message', on);
        child.off('exit', exited);
        resolve(message);
      }
    };
    child.on('message', on);
    child.once('exit', exited);
  });
  try {
    child.send({ alipayPublicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }), dir, orders: orders.flat() });
    const { url, appId } = await reply('url');
    const target = new URL('/notify/alipay', url);

    /**
     * Alipay's notification for `outTradeNo`, signed as Alipay signs (the payment rule) with node:crypto:
     * `{ body, content, sign }`, the string it signs and the signature as well.
     */
    const notificationFor = (outTradeNo, i) => {
      const pairs = Object.entries({
        app_id: appId, buyer_id: '2088102146225135', charset: 'utf-8', gmt_payment: '2026-12-02 10:00:01', notify_id: `n${outTradeNo}${i}`,
        notify_time: '2026-12-02 10:00:02', notify_type: 'trade_status_sync', out_trade_no: outTradeNo, sign_type: 'RSA2', subject: '咖啡',
        total_amount: '12.34', trade_no: `2026120222${String(i).padStart(12, '0')}`, trade_status: 'TRADE_SUCCESS', version: '1.0',
      });
      const content = notifyContent(pairs, 'payment');
      const sign = nodeSign(content, privateKey);
      return { body: new URLSearchParams([...pairs, ['sign', sign]]).toString(), content, sign };
    };
    /** Posts every body to `url` from `connections` keep-alive connections, each posting its share one after another. */
    async function run(url, bodies, connections) {
      const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
      const post = (body) => new Promise((resolve, reject) => {
        const start = performance.now();
        const request = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'content-length': Buffer.byteLength(body) }, timeout: 15_000 }, (response) => {
          let text = '';
          response.setEncoding('utf8').on('data', (c) => { text += c; }).on('end', () => {
            if (response.statusCode !== 200 || text !== 'success') reject(new Error(`bench/load.mjs: the server answered ${response.statusCode} ${text.slice(0, 200)}`));
            else resolve(performance.now() - start);
          });
        });
        request.on('timeout', () => request.destroy(new Error('bench/load.mjs: a request timed out')));
        request.on('error', reject);
        request.end(body);
      });
      let next = 0;
      const latencies = [];
      const start = performance.now();
      await Promise.all(Array.from({ length: connections }, async () => {
        while (next < bodies.length) latencies.push(await post(bodies[next++]));
      }));
      const seconds = (performance.now() - start) / 1000;
      agent.destroy();
      latencies.sort((a, b) => a - b);
      return { rate: bodies.length / seconds, p50: latencies[Math.floor(latencies.length / 2)], p99: latencies[Math.floor(latencies.length * 0.99)] };
    }
    const rows = [];
    child.send({ memory: true });
    const memories = [(await reply('memory')).memory];
    for (const [level, connections] of LEVELS.entries()) {
      const bodies = orders[level].map((id, i) => notificationFor(id, i).body);
      const { rate, p50, p99 } = await run(target, bodies, connections);
      child.send({ paid: orders[level] });
      const { paid } = await reply('paid');
      if (paid !== bodies.length) throw new Error(`bench/load.mjs: ${paid} of ${bodies.length} orders are paid`);
      child.send({ memory: true });
      memories.push((await reply('memory')).memory);
      rows.push({ connections, rate, p50, p99 });
    }
    // The HTTP ceiling: the same load against a server that only answers, at each level.
    const echo = fork(fileURLToPath(import.meta.url), ['--serve-echo'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const echoUrl = await new Promise((resolve) => echo.once('message', (m) => resolve(m.url)));
    for (const [level, connections] of LEVELS.entries()) {
      const bodies = orders[level].map((id) => `out_trade_no=${id}&${'x'.repeat(700)}`);
      const { rate, p50, p99 } = await run(new URL('/notify/alipay', echoUrl), bodies, connections);
      rows[level].ceiling = { rate, p50, p99 };
    }
    echo.send({ close: true });
    await new Promise((resolve) => echo.once('exit', resolve));
    // The bare limit: one crypto.verify per notification, on one core, in this process.
    const { content, sign } = notificationFor('BARE', 0);
    const signature = Buffer.from(sign, 'base64');
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 1000) n += crypto.verify('sha256', content, publicKey, signature) ? 1 : 0;
    const bare = (n * 1000) / (performance.now() - t0);

    const mib = (x) => `${(x / 1048576).toFixed(1)}`;
    console.log(`examples/merchant on Node ${process.versions.node} (the app in one process, the load in another); ${os.cpus().length} × ${os.cpus()[0].model.trim()}; ${PER_LEVEL} notifications per level, each for its own order, every reply \`success\` and every order paid\n`);
    console.log('| concurrent connections | notifications/s | p50 latency | p99 latency | app heap / RSS after (MiB) | HTTP ceiling: a server that only answers |');
    console.log('|---:|---:|---:|---:|---|---|');
    rows.forEach((r, i) => console.log(`| ${r.connections} | ${r.rate.toFixed(0)} | ${r.p50.toFixed(2)} ms | ${r.p99.toFixed(2)} ms | ${mib(memories[i + 1].heap)} / ${mib(memories[i + 1].rss)} | ${r.ceiling.rate.toFixed(0)}/s, p50 ${r.ceiling.p50.toFixed(2)} ms, p99 ${r.ceiling.p99.toFixed(2)} ms |`));
    console.log(`\nBefore the first level: heap ${mib(memories[0].heap)} MiB, RSS ${mib(memories[0].rss)} MiB. The bare limit, one \`crypto.verify\` per notification on one core: ${bare.toFixed(0)}/s.`);
  } finally {
    if (child.exitCode === null) {
      child.send({ close: true });
      await new Promise((resolve) => child.once('exit', resolve));
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
