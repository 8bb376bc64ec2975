// aggpay/sandbox as a merchant's own test suite drives it: aggpay clients against the emulations, a tiny notify
// endpoint verifying what arrives with aggpay, the control API in JS and over HTTP, misconfigured merchants refused
// the way each provider refuses them, and the `aggpay sandbox` command.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AggpayError, Alipay, UseePay, WechatMiniProgram, WechatOfficialAccount, WechatPay, send } from 'aggpay';
import { generateMerchantKeys, startSandbox, startServer } from 'aggpay/sandbox';
import { caught, makeTempDir, pkgDir, removeDir, run, startSandboxCommand } from './helpers.mjs';

const FAST = 1 / 100_000; // the retry schedules compressed: Alipay's 4 minutes become 2.4 ms
const rsa = () => {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }), publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) };
};

let keys, sandbox, merchant, alipay, wechatpay, useepay;
/** What the merchant's notify endpoint received: { path, headers, body, error?, event? }; `answers[path]` queues replies. */
const received = [];
const answers = { alipay: [], wechatpay: [], useepay: [] };
const clients = [];

before(async () => {
  keys = await generateMerchantKeys();
  // The merchant registers its public keys with the sandbox, as it would in each provider's console.
  sandbox = await startSandbox({
    alipay: { appId: keys.alipay.appId, appPublicKeyPem: keys.alipay.publicKeyPem },
    wechat: keys.wechat,
    wechatpay: { ...keys.wechatpay, merchantPublicKeyPem: keys.wechatpay.publicKeyPem },
    useepay: { merchantNo: keys.useepay.merchantNo, appId: keys.useepay.appId, signType: 'RSA', merchantPublicKeyPem: keys.useepay.publicKeyPem, md5Key: keys.useepay.md5Key },
  });
  assert.deepEqual(Object.keys(sandbox.merchant), [], 'nothing generated: every provider had the merchant\'s keys');
  merchant = await startServer((req, body) => {
    const provider = req.url.slice(1);
    const entry = { path: req.url, headers: req.headers, body: body.toString('utf8') };
    received.push(entry);
    try {
      if (provider === 'alipay') entry.event = alipay.verifyNotify(body).event;
      else if (provider === 'wechatpay') entry.event = wechatpay.verifyNotify({ headers: req.headers, body }).event;
      else if (provider === 'useepay') entry.event = useepay.verifyNotify(body).event;
    } catch (error) {
      entry.error = error;
      return provider === 'wechatpay' ? WechatPay.failureReply(error) : { status: provider === 'useepay' ? 500 : 200, body: 'fail' };
    }
    const queued = answers[provider]?.shift();
    if (queued) return queued;
    return provider === 'alipay' ? { status: 200, body: 'success' } : provider === 'useepay' ? { status: 200, body: 'OK' } : { status: 204 };
  });
  alipay = new Alipay({ ...sandbox.alipay.clientConfig, privateKey: keys.alipay.privateKeyPem, notifyUrl: `${merchant.url}/alipay` });
  wechatpay = new WechatPay({ ...sandbox.wechatpay.clientConfig, privateKey: keys.wechatpay.privateKeyPem, notifyUrl: `${merchant.url}/wechatpay` });
  useepay = new UseePay({ ...sandbox.useepay.clientConfig, privateKey: keys.useepay.privateKeyPem, notifyUrl: `${merchant.url}/useepay` });
  clients.push(alipay, wechatpay, useepay);
});

after(async () => {
  await sandbox?.close();
  await merchant?.close();
  for (const c of clients) c.free?.();
});

const since = (n, provider) => received.slice(n).filter((r) => r.path === `/${provider}`);
let seq = 0;
const newId = (prefix) => `${prefix}${Date.now()}${++seq}`;

async function alipayTrade() {
  const outTradeNo = newId('A');
  const res = await send(alipay.buildTradePrecreate({ out_trade_no: outTradeNo, total_amount: { minor: 100, currency: 'CNY' }, subject: 'Tea' }));
  assert.equal(alipay.parseResponse('alipay.trade.precreate', res.body).out_trade_no, outTradeNo);
  return outTradeNo;
}

describe('Alipay', () => {
  it("pay with 'twice': the identical notification arrives twice, and aggpay verifies both", async () => {
    const id = await alipayTrade();
    const n = received.length;
    const paid = await sandbox.pay({ provider: 'alipay', id, delivery: 'twice' });
    assert.equal(paid.status, 'TRADE_SUCCESS');
    assert.deepEqual(paid.deliveries.map((d) => [d.copy, d.status, d.replyBody, d.accepted]), [[1, 200, 'success', true], [2, 200, 'success', true]]);
    const got = since(n, 'alipay');
    assert.equal(got.length, 2);
    assert.equal(got[0].body, got[1].body, 'the same notification, byte for byte');
    for (const { event, error } of got) {
      assert.ifError(error);
      assert.deepEqual([event.paid, event.outTradeNo, event.tradeNo, event.amount.minor], [true, id, paid.providerId, 100]);
    }
  });

  it("'retry' re-delivers on Alipay's schedule (compressed) until the merchant answers exactly success", async () => {
    const id = await alipayTrade();
    answers.alipay.push({ status: 200, body: 'fail' }, { status: 500, body: 'oops' }, { status: 200, body: 'success\n' });
    const paid = await sandbox.pay({ id, provider: 'alipay', delivery: 'retry', timeScale: FAST });
    assert.deepEqual(paid.deliveries.map((d) => [d.attempt, d.status, d.accepted]), [[1, 200, false], [2, 500, false], [3, 200, false], [4, 200, true]]);
    assert.equal(new Set(paid.deliveries.map((d) => d.sent.body)).size, 1, 'the same notification every time');
  });

  it("'late' and 'none': the control call returns first; the merchant queries", async () => {
    const id = await alipayTrade();
    const n = received.length;
    const paid = await sandbox.pay({ provider: 'alipay', id, delivery: 'late', delayMs: 50 });
    assert.deepEqual(paid.deliveries, []);
    assert.equal(since(n, 'alipay').length, 0, 'not yet');
    const q = alipay.parseResponse('alipay.trade.query', (await send(alipay.buildTradeQuery({ out_trade_no: id }))).body);
    assert.equal(q.trade_status, 'TRADE_SUCCESS');
    await sandbox.idle();
    assert.equal(since(n, 'alipay').length, 1, 'arrived late');
    const quiet = await alipayTrade();
    assert.deepEqual((await sandbox.pay({ provider: 'alipay', id: quiet, delivery: 'none' })).deliveries, []);
  });

  it('cancel closes the unpaid trade (TRADE_CLOSED notified); fail leaves it unpaid with my.tradePay 4000', async () => {
    const id = await alipayTrade();
    const closed = await sandbox.cancel({ provider: 'alipay', id });
    assert.equal(closed.status, 'TRADE_CLOSED');
    const event = received.find((r) => r.event?.outTradeNo === id)?.event;
    assert.deepEqual([event.tradeStatus, event.paid], ['TRADE_CLOSED', false]);
    const other = await alipayTrade();
    const failed = await sandbox.fail({ id: other, provider: 'alipay' });
    assert.deepEqual([failed.status, failed.clientResult.resultCode, failed.deliveries.length], ['WAIT_BUYER_PAY', '4000', 0]);
  });

  it('a refund notifies trade_status_sync with refund_fee, gmt_refund and out_biz_no', async () => {
    const id = await alipayTrade();
    await sandbox.pay({ provider: 'alipay', id });
    const n = received.length;
    const r = alipay.parseResponse('alipay.trade.refund', (await send(alipay.buildTradeRefund({ out_trade_no: id, refund_amount: { minor: 40, currency: 'CNY' }, out_request_no: `R${id}` }))).body);
    assert.equal(r.fund_change, 'Y');
    await sandbox.idle();
    const [{ event }] = since(n, 'alipay');
    assert.deepEqual([event.params.refund_fee, event.params.out_biz_no, event.tradeStatus], ['0.40', `R${id}`, 'TRADE_SUCCESS']);
    assert.match(event.params.gmt_refund, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
  });

  it('misconfigured merchants are refused as Alipay refuses them: wrong key, wrong app id (unsigned 40002)', async () => {
    const cases = [
      [{ ...sandbox.alipay.clientConfig, privateKey: rsa().privateKeyPem }, 'isv.invalid-signature'],
      [{ ...sandbox.alipay.clientConfig, appId: '2021000000000001', privateKey: keys.alipay.privateKeyPem }, 'isv.invalid-app-id'],
    ];
    for (const [config, subCode] of cases) {
      const wrong = new Alipay(config);
      clients.push(wrong);
      const res = await send(wrong.buildTradeQuery({ out_trade_no: 'X1' }));
      assert.ok(!JSON.parse(res.body).sign, 'a gateway refusal is unsigned');
      const e = caught(() => wrong.parseResponse('alipay.trade.query', res.body));
      assert.ok(e instanceof AggpayError);
      assert.deepEqual([e.code, e.providerCode, e.subCode], ['ERR_PROVIDER_REJECTED', '40002', subCode]);
    }
  });
});

async function wechatOrder() {
  const outTradeNo = newId('W');
  const res = await send(wechatpay.buildJsapiPrepay({ description: 'Tea', out_trade_no: outTradeNo, amount: { minor: 1999, currency: 'CNY' }, payer: { openid: 'o-buyer' } }));
  assert.equal(res.status, 200, res.body);
  wechatpay.verifyResponse(res);
  return outTradeNo;
}

describe('WeChat Pay', () => {
  it('a new platform certificate: downloaded beside the old one, then a notification signed by the new serial verifies', async () => {
    wechatpay.addPlatformCertificates(wechatpay.verifyCertificates(await send(wechatpay.buildCertificatesRequest())));
    const rotated = await sandbox.rotateCertificate({ provider: 'wechatpay' });
    assert.notEqual(rotated.serial, rotated.previousSerial);
    assert.equal(sandbox.wechatpay.platformSerial, rotated.serial);
    // The merchant downloads the list again (as it must when an unknown serial shows up): both are served.
    const listed = wechatpay.verifyCertificates(await send(wechatpay.buildCertificatesRequest()));
    assert.deepEqual(listed.map((c) => c.serialNo).sort(), [rotated.previousSerial, rotated.serial].sort(), 'the old certificate is still served');
    wechatpay.addPlatformCertificates(listed.filter((c) => c.serialNo === rotated.serial));
    const id = await wechatOrder();
    const n = received.length;
    const paid = await sandbox.pay({ provider: 'wechatpay', id });
    assert.equal(paid.deliveries[0].sent.headers['wechatpay-serial'], rotated.serial);
    assert.deepEqual([paid.deliveries[0].status, paid.deliveries[0].accepted], [204, true]);
    const [{ event, error }] = since(n, 'wechatpay');
    assert.ifError(error);
    assert.deepEqual([event.paid, event.outTradeNo, event.amount.minor], [true, id, 1999]);
    // A merchant that never downloaded the new certificate refuses it (and WeChat Pay would retry).
    const stale = new WechatPay({ ...sandbox.wechatpay.clientConfig, privateKey: keys.wechatpay.privateKeyPem });
    clients.push(stale);
    const e = caught(() => stale.verifyNotify({ headers: paid.deliveries[0].sent.headers, body: paid.deliveries[0].sent.body }));
    assert.ok(e instanceof AggpayError && /not configured/.test(e.message), String(e));
  });

  it('a probe notification (WECHATPAY/SIGNTEST/) arrives and aggpay refuses it with ERR_SIGNATURE_PROBE', async () => {
    const id = await wechatOrder();
    const { deliveries } = await sandbox.probe({ id });
    assert.equal(deliveries.length, 1);
    assert.ok(deliveries[0].probe);
    assert.match(deliveries[0].sent.headers['wechatpay-signature'], /^WECHATPAY\/SIGNTEST\//);
    const entry = received.filter((r) => r.path === '/wechatpay').at(-1);
    assert.equal(entry.error?.code, 'ERR_SIGNATURE_PROBE');
    assert.ok(deliveries[0].status >= 400 && !deliveries[0].accepted);
  });

  it("'retry' on WeChat's schedule until 200/204; cancel → CLOSED, fail → PAYERROR (no notification)", async () => {
    const id = await wechatOrder();
    answers.wechatpay.push({ status: 500, headers: { 'content-type': 'application/json' }, body: '{"code":"FAIL","message":"busy"}' });
    const paid = await sandbox.pay({ provider: 'wechatpay', id, delivery: 'retry', timeScale: FAST });
    assert.deepEqual(paid.deliveries.map((d) => [d.attempt, d.status]), [[1, 500], [2, 204]]);
    for (const [op, state] of [['cancel', 'CLOSED'], ['fail', 'PAYERROR']]) {
      const other = await wechatOrder();
      const r = await sandbox[op]({ provider: 'wechatpay', id: other });
      assert.deepEqual([r.status, r.deliveries.length], [state, 0]);
      const q = wechatpay.verifyResponse(await send(wechatpay.buildQuery({ outTradeNo: other })));
      assert.equal(q.trade_state, state);
    }
  });

  it('misconfigured merchants get 401 SIGN_ERROR: wrong key, wrong serial, stale timestamp', async () => {
    const base = { ...sandbox.wechatpay.clientConfig, privateKey: keys.wechatpay.privateKeyPem };
    const cases = [
      [new WechatPay({ ...base, privateKey: rsa().privateKeyPem }), {}],
      [new WechatPay({ ...base, merchantSerialNo: '0'.repeat(40) }), {}],
      [wechatpay, { now: Date.now() - 10 * 60_000 }],
    ];
    for (const [client, stamp] of cases) {
      if (client !== wechatpay) clients.push(client);
      const res = await send(client.buildQuery({ outTradeNo: 'NOPE0001' }, stamp));
      assert.equal(res.status, 401, res.body);
      assert.equal(JSON.parse(res.body).code, 'SIGN_ERROR');
      const e = caught(() => client.verifyResponse(res));
      assert.ok(e instanceof AggpayError, String(e));
    }
  });

  it('every registered WeChat app is bound to the merchant id: a mini program and an official account each pay their own orders', async () => {
    const apps = [0, 1].map(() => ({ appId: `wx${crypto.randomBytes(8).toString('hex')}`, appSecret: crypto.randomBytes(16).toString('hex') }));
    const two = await startSandbox({ providers: ['wechat-login', 'wechatpay'], wechat: { apps } });
    const m = two.merchant.wechatpay;
    const client = new WechatPay({ ...two.wechatpay.clientConfig, privateKey: m.privateKeyPem, platformCertificates: two.wechatpay.platformCertificatePem, notifyUrl: 'https://shop.example.com/n' });
    try {
      for (const [i, { appId }] of apps.entries()) {
        const res = await send(client.buildJsapiPrepay({ appid: appId, description: 'Tea', out_trade_no: newId('M'), amount: { minor: 100, currency: 'CNY' }, payer: { openid: 'o-buyer' } }));
        const { prepay_id: prepayId } = client.verifyResponse(res);
        const { appId: _omitted, ...miniProgramParams } = client.requestPaymentParams({ prepayId, appId });
        const other = apps[1 - i].appId;
        assert.equal(two.wechatpay.server.requestPayment(miniProgramParams, { appId }).errMsg, 'requestPayment:ok', 'wx.requestPayment in the order\'s app');
        assert.match(two.wechatpay.server.requestPayment(miniProgramParams, { appId: other }).errMsg, /appId does not match the order/);
        assert.equal(two.wechatpay.server.requestPayment(client.requestPaymentParams({ prepayId, appId })).errMsg, 'requestPayment:ok', 'WeixinJSBridge: appId in the parameters');
      }
      const stranger = await send(client.buildJsapiPrepay({ appid: 'wx0000000000000000', description: 'Tea', out_trade_no: newId('M'), amount: { minor: 100, currency: 'CNY' }, payer: { openid: 'o-buyer' } }));
      assert.deepEqual([stranger.status, JSON.parse(stranger.body).code], [400, 'PARAM_ERROR'], 'an app not bound to the merchant');
    } finally {
      client.free();
      await two.close();
    }
  });
});

describe('UseePay', () => {
  async function order() {
    const id = newId('U');
    const res = await send(useepay.buildJsapiPay({ transactionId: id, amount: { minor: 100, currency: 'HKD' }, subAppId: keys.wechat.apps[0].appId, subOpenId: 'o-buyer', subject: 'Tea' }));
    assert.equal(useepay.parseJsapiPay(res.body).resultCode, 'pending');
    return id;
  }

  it('fail → a signed `failed` notification; cancel → `closed` (3300); pay twice → two identical ones', async () => {
    for (const [op, resultCode] of [['fail', 'failed'], ['cancel', 'closed'], ['pay', 'succeed']]) {
      const id = await order();
      const n = received.length;
      const r = await sandbox[op]({ id, delivery: op === 'pay' ? 'twice' : 'now' }); // the provider found by id
      assert.equal(r.provider, 'useepay');
      assert.equal(r.status, resultCode);
      const got = since(n, 'useepay');
      assert.equal(got.length, op === 'pay' ? 2 : 1);
      for (const { event, error } of got) {
        assert.ifError(error);
        assert.deepEqual([event.resultCode, event.paid, event.transactionId], [resultCode, op === 'pay', id]);
      }
    }
  });

  it("'retry' on UseePay's schedule until HTTP 200", async () => {
    const id = await order();
    answers.useepay.push({ status: 503, body: 'busy' });
    const r = await sandbox.pay({ id, provider: 'useepay', delivery: 'retry', timeScale: FAST });
    assert.deepEqual(r.deliveries.map((d) => [d.attempt, d.status, d.accepted]), [[1, 503, false], [2, 200, true]]);
  });

  it('misconfigured merchants get an unsigned failed 1001: wrong RSA key, MD5 key mismatch, wrong merchantNo', async () => {
    const base = { ...sandbox.useepay.clientConfig };
    const cases = [
      [{ ...base, privateKey: rsa().privateKeyPem }, 'Invalid signature'],
      [{ ...base, signType: 'MD5', useepayPublicKey: undefined, md5Key: 'not-the-registered-key' }, 'Invalid signature'],
      [{ ...base, merchantNo: '500000099999999', privateKey: keys.useepay.privateKeyPem }, 'Invalid merchantNo'],
    ];
    for (const [config, errorMsg] of cases) {
      const client = new UseePay(Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)));
      clients.push(client);
      const res = await send(client.buildQuery({ transactionId: 'T1' }));
      const reply = JSON.parse(res.body);
      assert.deepEqual([reply.resultCode, reply.errorCode, reply.errorMsg, reply.sign], ['failed', '1001', errorMsg, undefined]);
    }
  });
});

describe('WeChat login and official-account OAuth', () => {
  it('codes from the control API exchange through aggpay; a wrong secret gets 40125', async () => {
    const { appId, appSecret } = keys.wechat.apps[0];
    const mp = new WechatMiniProgram({ appId, appSecret, apiBase: sandbox.wechat.apiBase });
    const oa = new WechatOfficialAccount({ appId, appSecret, apiBase: sandbox.wechat.oauthBase });
    const wrong = new WechatMiniProgram({ appId, appSecret: 'x'.repeat(32), apiBase: sandbox.wechat.apiBase });
    clients.push(mp, oa, wrong);
    const session = mp.parseCode2Session((await send(mp.buildCode2Session((await sandbox.issueCode()).code))).body);
    assert.match(session.openid, /^o/);
    const token = oa.parseOauthAccessToken((await send(oa.buildOauthAccessToken((await sandbox.issueCode({ kind: 'oauth', snapshot: true })).code))).body);
    assert.deepEqual([token.scope, token.isSnapshotUser], ['snsapi_base', true]);
    const res = await send(wrong.buildCode2Session((await sandbox.issueCode()).code));
    assert.equal(JSON.parse(res.body).errcode, 40125);
    const e = caught(() => wrong.parseCode2Session(res.body));
    assert.deepEqual([e instanceof AggpayError, e.providerCode], [true, '40125']);
  });
});

describe('the control API over HTTP', () => {
  const call = async (op, body, method = 'POST') => {
    const res = await fetch(`${sandbox.controlUrl}/control/${op}`, method === 'POST' ? { method, body: typeof body === 'string' ? body : JSON.stringify(body) } : {});
    return { status: res.status, body: await res.json() };
  };

  it('pay, deliveries, trade, configure, describe; errors as 400/404/409', async () => {
    const id = await alipayTrade();
    const paid = await call('pay', { provider: 'alipay', id, delivery: 'twice' });
    assert.equal(paid.status, 200);
    assert.deepEqual([paid.body.status, paid.body.deliveries.length], ['TRADE_SUCCESS', 2]);
    const log = await call('deliveries?provider=alipay', null, 'GET');
    assert.deepEqual(log.body.filter((d) => d.id === id).map((d) => [d.url, d.status, d.replyBody, d.attempt]), [
      [`${merchant.url}/alipay`, 200, 'success', 1], [`${merchant.url}/alipay`, 200, 'success', 1],
    ]);
    assert.equal((await call('trade', { provider: 'alipay', id })).body.status, 'TRADE_SUCCESS');
    assert.equal((await call('pay', { provider: 'alipay', id })).status, 409, 'paid already');
    assert.equal((await call('pay', { provider: 'alipay', id: 'NOPE' })).status, 404);
    assert.equal((await call('pay', { provider: 'alipay', id: await alipayTrade(), delivery: 'sometimes' })).status, 400);
    assert.equal((await call('pay', '{not json')).status, 400);
    assert.equal((await call('nothing', {})).status, 404);
    assert.deepEqual((await call('configure', { provider: 'alipay', delivery: 'none' })).body, { ok: true });
    const described = (await call('describe', null, 'GET')).body;
    assert.equal(described.alipay.gateway, sandbox.alipay.gateway);
    assert.equal(described.wechatpay.platformSerial, sandbox.wechatpay.platformSerial);
    assert.ok(!JSON.stringify(described).includes('PRIVATE KEY'), 'no private key in the description');
    await call('configure', { provider: 'alipay', delivery: 'now' });
  });
});

describe('aggpay sandbox (the command)', () => {
  const BIN = path.join(pkgDir, 'bin', 'aggpay.mjs');
  let dir;
  before(() => {
    dir = makeTempDir('sandbox-cli');
  });
  after(() => removeDir(dir));

  it('--out <dir> --json: starts, writes the files, serves the control API, stops cleanly on SIGTERM', { timeout: 60_000 }, async () => {
    const { described, line, stop } = await startSandboxCommand(['--out', dir, '--json', '--providers', 'alipay,wechatpay']);
    try {
      assert.ok(described.alipay && described.wechatpay && !described.useepay);
      for (const file of Object.values(described.files)) assert.ok(fs.existsSync(file), file);
      assert.equal(fs.statSync(described.files.merchantKeys).mode & 0o777, 0o600, 'generated merchant keys are private');
      assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'sandbox.json'), 'utf8')).control, described.control);
      assert.equal(fs.readFileSync(described.files.alipayPublicKey, 'utf8'), described.alipay.alipayPublicKeyPem);
      assert.ok(!line.includes('PRIVATE KEY'), 'no private key printed');
      const res = await fetch(`${described.control}/control/deliveries`);
      assert.deepEqual(await res.json(), []);
    } finally {
      assert.deepEqual(await stop(), { code: 0, signal: null });
    }
    await assert.rejects(fetch(`${described.control}/control/deliveries`), 'the control server is closed');
  });

  it('--help exits 0; a bad flag or command exits 2', async () => {
    const help = await run(process.execPath, [BIN, 'sandbox', '--help']);
    assert.match(help.stdout, /Usage: aggpay sandbox/);
    assert.match((await run(process.execPath, [BIN, '--help'])).stdout, /^\s+sandbox \[options\]/m, 'the top-level help lists the command');
    for (const args of [['sandbox', '--bogus'], ['sandbox', '--port', 'x'], ['deploy'], ['sandbox', '--providers', 'paypal'], ['sandbox', 'extra'], []]) {
      await assert.rejects(run(process.execPath, [BIN, ...args]), (e) => {
        assert.equal(e.code ?? e.exitCode, 2, `${args.join(' ')}: ${e.message}`);
        return true;
      });
    }
  });
});
