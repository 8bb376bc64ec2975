// The one-code journey: aggpay's sandbox and the merchant app (examples/merchant/), and one printed URL
// scanned by every kind of buyer. An Alipay buyer pays in Alipay's browser (H5) and in the mini program; a
// WeChat buyer in the mini program (WeChat Pay direct) and in WeChat's browser (the official account, H5);
// then the merchant moves the store's WeChat payments to UseePay (WeChat Pay HK) — configuration, not print
// — and a WeChat buyer scanning the very same code pays through UseePay. Notifications are delivered twice;
// one order is refunded (its notification completes it); a forged notification is refused. One printed line
// per step, then the orders as the database holds them. The buyer's side (the wallet's browser, the mini
// program, the cashier) is played here over HTTP and through the sandbox's control API; everything the
// merchant does is the app's.
//
//   node examples/journeys/one-code.mjs      (after `bash scripts/build.sh`)
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createMerchantApp } from '../merchant/app.mjs';
import { startLocalProviders } from '../merchant/local.mjs';
import { runIfMain, runSteps } from './steps.mjs';

const STEPS = 9;
const UA = {
  alipay: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Ariver/1.0.0 AliApp(AP/10.6.10.6000) Nebula AlipayClient/10.6.10.6000 Language/zh-Hans',
  wechat: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x1800322c) NetType/WIFI Language/zh_CN',
};

/** Integer minor units as decimal text (`1999` → `19.99`): integer arithmetic only, never a float. */
const decimal = (minor) => `${Math.trunc(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;

async function request(url, { method = 'GET', headers = {}, body } = {}) {
  const res = await fetch(url, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  return { status: res.status, headers: Object.fromEntries(res.headers), text, json: () => JSON.parse(text) };
}
const postJson = (url, object, headers = {}) => request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(object) });

/**
 * Runs the journey; returns `{ steps, orders }` — `orders` the final table's rows — and throws on the first
 * failed step.
 */
export async function runOneCodeJourney({ print = console.log } = {}) {
  let orders;
  const { steps } = await runSteps({ label: 'onecode', title: 'One-code journey', total: STEPS, print }, async ({ step, closeAtEnd }) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aggpay-one-code-'));
    closeAtEnd(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const dbPath = path.join(dir, 'merchant.db');
    const adminToken = crypto.randomBytes(16).toString('hex');
    const admin = { authorization: `Bearer ${adminToken}` };
    let sandbox, config, app, db, printed;
    const orderRow = (no) => db.prepare('SELECT status, amount_minor, currency FROM orders WHERE out_trade_no = ?').get(no);
    const stored = (no) => db.prepare('SELECT count(*) AS n FROM notifications WHERE out_trade_no = ?').get(no).n;
    const snapshot = () => ['orders', 'payments', 'refunds', 'notifications'].map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all());

    /** The sandbox pays `placed` with the notification delivered twice; the DB shows it paid, stored once. */
    async function payTwice(placed) {
      const { deliveries } = await sandbox.pay({ provider: placed.provider, id: placed.outTradeNo, delivery: 'twice' });
      assert.deepEqual(deliveries.map((d) => d.accepted), [true, true], `both copies acknowledged: ${deliveries.map((d) => d.status)}`);
      assert.equal(deliveries[0].sent.body, deliveries[1].sent.body, 'the same notification twice');
      const row = orderRow(placed.outTradeNo);
      assert.equal(row.status, 'paid');
      assert.equal(stored(placed.outTradeNo), 1, 'the second copy is recognized as a duplicate');
      return `paid ${decimal(row.amount_minor)} ${row.currency}; notified twice (${deliveries.map((d) => d.replyBody || d.status).join(', ')}), stored once`;
    }
    /** The mini program, opened with `launch` (the options carrying the printed URL): its login code and the amount typed, to `/api/checkout`. */
    async function miniProgramCheckout(wallet, code, launch, amount) {
      const res = await postJson(`${app.url}/api/checkout`, { wallet, code, launch, amount });
      assert.equal(res.status, 200, res.text);
      return res.json();
    }
    /** The wallet's browser opens `url`: redirected to the wallet's silent authorization, back with `code` → the pay page's buyer token. */
    async function h5Authorize(wallet, url, codeParams) {
      const landing = await request(url, { headers: { 'user-agent': UA[wallet] } });
      assert.equal(landing.status, 302, landing.text);
      const authorize = new URL(landing.headers.location);
      const state = authorize.searchParams.get('state');
      const cookie = landing.headers['set-cookie'].split(';')[0];
      const callback = new URL(url); // the wallet sends the browser back to the printed URL, with the code and the state
      for (const [name, value] of Object.entries({ ...codeParams, state })) callback.searchParams.set(name, value);
      const back = await request(callback, { headers: { 'user-agent': UA[wallet], cookie, accept: 'application/json' } });
      assert.equal(back.status, 200, back.text);
      return { authorize, cookie, buyerToken: back.json().buyerToken };
    }
    const h5Checkout = async ({ cookie, buyerToken }, amount) => {
      const res = await postJson(`${app.url}/h5/checkout`, { buyerToken, amount }, { cookie, accept: 'application/json' });
      assert.equal(res.status, 200, res.text);
      return res.json();
    };

    await step('printed code', async () => {
      ({ sandbox, config } = await startLocalProviders());
      closeAtEnd(() => sandbox.close());
      app = await createMerchantApp({ dbPath, config, routerSecret: crypto.randomBytes(32).toString('hex'), adminToken });
      closeAtEnd(() => app.close());
      db = new Database(dbPath, { readonly: true }); // the operator's view, beside the app's connection
      closeAtEnd(async () => db.close());
      printed = `${app.url}/q/STORE42?table=7`;
      return printed;
    });

    let alipayH5;
    await step('Alipay H5', async () => {
      const { authorize, ...buyer } = await h5Authorize('alipay', printed, { app_id: config.alipay.appId, source: 'alipay_wallet', scope: 'auth_base', auth_code: `h5-${crypto.randomUUID()}` });
      assert.equal(authorize.searchParams.get('scope'), 'auth_base');
      alipayH5 = await h5Checkout(buyer, '0.01');
      assert.equal(alipayH5.launch.api, 'AlipayJSBridge.tradePay');
      return `auth_base with a signed state → code → AlipayJSBridge.tradePay({ tradeNO }) → ${await payTwice(alipayH5)}`;
    });

    await step('Alipay mini program', async () => {
      const placed = await miniProgramCheckout('alipay', `mp-${crypto.randomUUID()}`, { query: { qrCode: printed } }, '19.99'); // my.getAuthCode's code
      assert.equal(placed.launch.api, 'my.tradePay');
      return `query.qrCode → my.getAuthCode → my.tradePay({ tradeNO }) → ${await payTwice(placed)}`;
    });

    let wechatPayOrder;
    await step('WeChat mini program', async () => {
      const { code } = await sandbox.issueCode({ kind: 'login', appId: config.miniProgram.appId }); // wx.login()
      wechatPayOrder = await miniProgramCheckout('wechat', code, { query: { q: encodeURIComponent(printed), scancode_time: String(Math.floor(Date.now() / 1000)) } }, '25.00');
      assert.deepEqual([wechatPayOrder.provider, wechatPayOrder.launch.api], ['wechatpay', 'wx.requestPayment']);
      const check = sandbox.wechatpay.server.requestPayment(wechatPayOrder.launch.params, { appId: config.miniProgram.appId });
      assert.equal(check.errMsg, 'requestPayment:ok', check.errMsg);
      return `query.q → wx.login → jscode2session → WeChat Pay JSAPI → wx.requestPayment (paySign ok) → ${await payTwice(wechatPayOrder)}`;
    });

    await step('WeChat H5', async () => {
      const { code } = await sandbox.issueCode({ kind: 'oauth', appId: config.officialAccount.appId });
      const { authorize, ...buyer } = await h5Authorize('wechat', printed, { code });
      assert.deepEqual([authorize.searchParams.get('appid'), authorize.searchParams.get('scope')], [config.officialAccount.appId, 'snsapi_base']);
      const placed = await h5Checkout(buyer, '8.80');
      assert.deepEqual([placed.launch.api, placed.launch.params.appId], ['WeixinJSBridge.getBrandWCPayRequest', config.officialAccount.appId]);
      const check = sandbox.wechatpay.server.requestPayment(placed.launch.params);
      assert.equal(check.errMsg, 'requestPayment:ok', check.errMsg);
      return `snsapi_base (official account) → WeixinJSBridge getBrandWCPayRequest (paySign ok) → ${await payTwice(placed)}`;
    });

    await step('WeChat via UseePay', async () => {
      // The merchant moves the store's WeChat payments to UseePay; the printed code does not change.
      const moved = await request(`${app.url}/api/stores/STORE42`, { method: 'PUT', headers: { 'content-type': 'application/json', ...admin }, body: JSON.stringify({ wechat: 'useepay' }) });
      assert.equal(moved.status, 200, moved.text);
      const { code } = await sandbox.issueCode({ kind: 'login', appId: config.miniProgram.appId });
      const placed = await miniProgramCheckout('wechat', code, { query: { q: encodeURIComponent(printed) } }, '38.00');
      assert.deepEqual([placed.provider, placed.amount.currency], ['useepay', 'HKD']);
      const check = sandbox.useepay.server.requestPayment(placed.launch.params);
      assert.equal(check.errMsg, 'requestPayment:ok', check.errMsg);
      return `the store moved to UseePay (admin), the same printed URL → wx.login → UseePay JSAPI → wx.requestPayment → ${await payTwice(placed)}`;
    });

    await step('refund', async () => {
      const res = await postJson(`${app.url}/api/orders/${wechatPayOrder.outTradeNo}/refund`, { amount: '5.00', reason: 'one coffee less' }, admin);
      assert.equal(res.status, 200, res.text);
      const answered = res.json().status;
      await sandbox.idle(); // REFUND.SUCCESS on its way
      const refund = db.prepare('SELECT status FROM refunds WHERE out_trade_no = ?').get(wechatPayOrder.outTradeNo);
      assert.deepEqual([answered, refund.status], ['pending', 'refunded']);
      return `5.00 CNY of the WeChat Pay order: ${answered} (PROCESSING), then REFUND.SUCCESS notified → refunded`;
    });

    await step('forged notification', async () => {
      const before = snapshot();
      const genuine = (await sandbox.deliveries({ provider: 'alipay' })).find((d) => d.id === alipayH5.outTradeNo).sent.body;
      const forged = genuine.replace('total_amount=0.01', 'total_amount=1000.00');
      assert.notEqual(forged, genuine);
      const res = await request(`${app.url}/notify/alipay`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: forged });
      assert.deepEqual([res.status, res.text], [400, 'fail']);
      assert.deepEqual(snapshot(), before, 'the database is unchanged');
      return 'Alipay notification, total_amount 0.01 → 1000.00: signature refused, 400 fail; database unchanged';
    });

    await step('database', async () => {
      orders = db.prepare(`SELECT out_trade_no, wallet, provider, client, amount_minor, currency, status,
          (SELECT coalesce(sum(amount_minor), 0) FROM refunds r WHERE r.out_trade_no = o.out_trade_no AND r.status = 'refunded') AS refunded_minor
        FROM orders o ORDER BY created_at, rowid`).all();
      assert.equal(orders.length, 5);
      assert.ok(orders.every((o) => o.status === 'paid'), orders.map((o) => o.status).join(', '));
      const notifications = db.prepare('SELECT count(*) AS n FROM notifications').get().n;
      return `${orders.length} orders, all paid (one partly refunded); ${notifications} notifications stored of ${(await sandbox.deliveries()).length} delivered`;
    });

    const columns = ['out_trade_no', 'wallet', 'provider', 'client', 'amount', 'status', 'refunded'];
    const rows = orders.map((o) => [o.out_trade_no, o.wallet, o.provider, o.client, `${decimal(o.amount_minor)} ${o.currency}`, o.status, decimal(o.refunded_minor)]);
    const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
    for (const row of [columns, widths.map((w) => '-'.repeat(w)), ...rows]) print(`  ${row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()}`);
  });
  return { steps, orders };
}

runIfMain(import.meta.url, () => runOneCodeJourney());
