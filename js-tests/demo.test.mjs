// The demo (examples/demo.mjs, what `bash scripts/demo.sh` runs): the whole command, the one-code journey it
// opens with (the sandbox and the merchant app, the orders as the database holds them), the Alipay journey,
// and self-checks of the Alipay gateway stand-in it runs against: requests are signed here by hand with
// node:crypto (never with aggpay), so the stand-in is checked on its own — it accepts a correct request, signs
// its answer over the node text as sent, and refuses what Alipay refuses (a tampered biz_content, a reused auth
// code, a UTC timestamp).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { runAlipayJourney } from '../examples/journeys/alipay.mjs';
import { runOneCodeJourney } from '../examples/journeys/one-code.mjs';
import { startAlipayGateway } from 'aggpay/sandbox';
import { beijingTime } from '../pkg/sandbox/alipay.mjs';
import { run, withTimeout } from './helpers.mjs';

const TIMEOUT = 60_000;
const STEPS = 9;

const ONE_CODE_STEPS = ['printed code', 'Alipay H5', 'Alipay mini program', 'WeChat mini program', 'WeChat H5', 'WeChat via UseePay', 'refund', 'forged notification', 'database'];

test('the demo command runs the one-code journey first, then every provider journey, and exits 0', { timeout: 150_000 }, async () => {
  const { stdout } = await run(process.execPath, [fileURLToPath(new URL('../examples/demo.mjs', import.meta.url))], { timeout: 140_000 });
  const lines = stdout.trim().split('\n');
  const first = lines.findIndex((l) => l.startsWith('onecode '));
  assert.ok(first > 0 && lines.slice(0, first).every((l) => !/^\w+ +\d+\/\d+ /.test(l)), 'the one-code journey comes first');
  assert.deepEqual(lines.slice(first, first + ONE_CODE_STEPS.length).map((l) => l.slice(0, 35).trimEnd()), ONE_CODE_STEPS.map((name, i) => `onecode ${i + 1}/${ONE_CODE_STEPS.length} ${name}`));
  assert.match(lines.at(-1), /^demo: 5 journey\(s\), \d+ steps, all passed \(\d+ ms\)$/);
  assert.ok(!/FAIL/.test(stdout), stdout);
});

test('one-code journey: every step on one line, then the orders as the database holds them', { timeout: TIMEOUT }, async () => {
  const lines = [];
  const { steps, orders } = await withTimeout(runOneCodeJourney({ print: (l) => lines.push(l) }), TIMEOUT - 5_000, 'one-code journey');
  assert.deepEqual(steps.map((s) => [s.step, s.name, s.ok]), ONE_CODE_STEPS.map((name, i) => [i + 1, name, true]), lines.join('\n'));
  for (const [i, line] of lines.slice(0, steps.length).entries()) assert.match(line, new RegExp(`^onecode ${i + 1}/${steps.length} .+ ok .+  \\d+ ms$`));
  assert.match(lines[0], /ok http:\/\/127\.0\.0\.1:\d+\/q\/STORE42\?table=7 /, 'the printed URL');
  for (const i of [1, 2, 3, 4, 5]) assert.match(lines[i], /notified twice \(.+\), stored once/);
  assert.match(lines[7], /signature refused, 400 fail; database unchanged/);

  // The table: a header, a rule, one row per order — as SQLite holds them.
  const table = lines.slice(steps.length).map((l) => l.trim().split(/\s{2,}/));
  assert.deepEqual(table[0], ['out_trade_no', 'wallet', 'provider', 'client', 'amount', 'status', 'refunded']);
  assert.deepEqual(table.slice(2).map((r) => r.slice(1)), [
    ['alipay', 'alipay', 'h5', '0.01 CNY', 'paid', '0.00'],
    ['alipay', 'alipay', 'mini-program', '19.99 CNY', 'paid', '0.00'],
    ['wechat', 'wechatpay', 'mini-program', '25.00 CNY', 'paid', '5.00'],
    ['wechat', 'wechatpay', 'h5', '8.80 CNY', 'paid', '0.00'],
    ['wechat', 'useepay', 'mini-program', '38.00 HKD', 'paid', '0.00'],
  ]);
  assert.deepEqual(table.slice(2).map((r) => r[0]), orders.map((o) => o.out_trade_no));
  assert.deepEqual(orders.map((o) => [o.amount_minor, o.refunded_minor]), [[1, 0], [1999, 0], [2500, 500], [880, 0], [3800, 0]], 'integer minor units in the database');
});

test('Alipay journey: every step passes, one line per step', { timeout: TIMEOUT }, async () => {
  const lines = [];
  const { steps } = await withTimeout(runAlipayJourney({ print: (l) => lines.push(l) }), TIMEOUT - 5_000, 'Alipay journey');
  assert.equal(steps.length, STEPS, lines.join('\n'));
  assert.ok(steps.every((s) => s.ok), lines.join('\n'));
  assert.deepEqual(steps.map((s) => s.step), Array.from({ length: STEPS }, (_, i) => i + 1));
  assert.equal(lines.length, STEPS, 'one printed line per step');
  for (const [i, line] of lines.entries()) assert.match(line, new RegExp(`^alipay  ${i + 1}/${STEPS} .+ ok .+  \\d+ ms$`));
  assert.match(lines[8], /ERR_PROVIDER_REJECTED .*isv\.invalid-signature/);
});

describe('Alipay gateway stand-in (requests signed by hand with node:crypto)', () => {
  const appId = '2021000122671080';
  const QUERY = ['app_id', 'method', 'format', 'charset', 'sign_type', 'sign', 'timestamp', 'version', 'notify_url', 'return_url',
    'auth_token', 'app_auth_token', 'app_cert_sn', 'alipay_root_cert_sn', 'ws_service_url'];
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  let gw;
  before(async () => {
    gw = await startAlipayGateway({ appId, appPublicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) });
  });
  after(() => gw?.close());

  /** Signs `params` (RSA2) by the documented rule, applies `tamper` to the signed params, POSTs with the Node SDK's split. */
  async function call(method, params, { timestamp = Date.now(), tamper = () => {} } = {}) {
    const p = { app_id: appId, method, format: 'JSON', charset: 'utf-8', sign_type: 'RSA2', timestamp: beijingTime(timestamp), version: '1.0', ...params };
    const content = Object.keys(p).filter((k) => p[k] !== '').sort().map((k) => `${k}=${p[k]}`).join('&');
    p.sign = crypto.sign('sha256', Buffer.from(content, 'utf8'), privateKey).toString('base64');
    tamper(p);
    const part = (inQuery) => new URLSearchParams(Object.entries(p).filter(([k]) => QUERY.includes(k) === inQuery)).toString();
    const res = await fetch(`${gw.url}?${part(true)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
      body: part(false),
      signal: AbortSignal.timeout(10_000),
    });
    assert.equal(res.status, 200);
    return res.text();
  }
  /** `{ name, nodeText, sign }` of a raw response, without re-serializing anything. */
  const split = (raw) => {
    const m = /^\{"(\w+)":(\{.*\})(?:,"sign":"([A-Za-z0-9+/=]+)")?\}$/s.exec(raw);
    assert.ok(m, `response shape: ${raw}`);
    return { name: m[1], nodeText: m[2], node: JSON.parse(m[2]), sign: m[3] };
  };

  test('accepts a correct request; the answer is signed over the node text exactly as sent (slashes escaped)', async () => {
    const raw = await call('alipay.trade.precreate', { biz_content: JSON.stringify({ out_trade_no: 'P20261124001', total_amount: '12.30', subject: '咖啡' }) });
    const { name, nodeText, node, sign } = split(raw);
    assert.equal(name, 'alipay_trade_precreate_response');
    assert.equal(node.code, '10000');
    assert.match(node.qr_code, /^https:\/\/qr\.alipay\.com\/bax0/);
    assert.ok(nodeText.includes('"https:\\/\\/qr.alipay.com\\/bax0'), 'slashes escaped on the wire');
    assert.ok(crypto.verify('sha256', Buffer.from(nodeText, 'utf8'), gw.alipayPublicKeyPem, Buffer.from(sign, 'base64')), 'response signature');
  });

  test('a biz_content tampered with after signing is refused, unsigned, with isv.invalid-signature', async () => {
    const biz = JSON.stringify({ out_trade_no: 'P20261124002', total_amount: '0.01', subject: 'x' });
    const raw = await call('alipay.trade.precreate', { biz_content: biz }, { tamper: (p) => (p.biz_content = biz.replace('0.01', '100.00')) });
    const { name, node, sign } = split(raw);
    assert.equal(name, 'alipay_trade_precreate_response');
    assert.equal(sign, undefined, 'unsigned');
    assert.equal(node.code, '40002');
    assert.equal(node.msg, 'Invalid Arguments');
    assert.equal(node.sub_code, 'isv.invalid-signature');
    assert.ok(node.sub_msg.includes('"total_amount":"100.00"'), 'the gateway shows the string it checked');
  });

  test('an auth code is good once: reuse gets an unsigned error_response isv.code-invalid', async () => {
    const code = `auth-code-${crypto.randomBytes(6).toString('hex')}`;
    const first = split(await call('alipay.system.oauth.token', { grant_type: 'authorization_code', code }));
    assert.equal(first.name, 'alipay_system_oauth_token_response');
    assert.match(first.node.user_id, /^2088\d{12}$/);
    assert.ok(first.node.open_id && first.sign);
    const again = split(await call('alipay.system.oauth.token', { grant_type: 'authorization_code', code }));
    assert.equal(again.name, 'error_response');
    assert.equal(again.sign, undefined, 'unsigned');
    assert.deepEqual([again.node.code, again.node.sub_code], ['40002', 'isv.code-invalid']);
  });

  test('a timestamp in UTC instead of Beijing time is refused with isv.invalid-timestamp', async () => {
    const query = { biz_content: '{"out_trade_no":"nope"}' };
    const utc = split(await call('alipay.trade.query', query, { timestamp: Date.now() - 8 * 3600_000 }));
    assert.deepEqual([utc.node.code, utc.node.sub_code, utc.sign], ['40002', 'isv.invalid-timestamp', undefined]);
    const beijing = split(await call('alipay.trade.query', query)); // the same request in Beijing time gets through
    assert.equal(beijing.node.sub_code, 'ACQ.TRADE_NOT_EXIST');
    assert.ok(beijing.sign, 'a business failure is signed');
  });
});
