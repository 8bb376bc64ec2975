// The WeChat Pay APIv3 mini-program journey (examples/journeys/wechatpay.mjs), and self-checks of the
// emulation it runs against (aggpay/sandbox, pkg/sandbox/wechatpay.mjs), with requests signed by hand with
// node:crypto: it refuses what WeChat Pay refuses (a bad signature, with WeChat's view of the signed
// message; a stale timestamp), its replies verify with node:crypto over the raw body, its notification
// resources decrypt with node:crypto, and it retries a delivery the merchant refuses.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { runWechatPayJourney } from '../examples/journeys/wechatpay.mjs';
import { startWechatPayGateway } from 'aggpay/sandbox';
import { withTimeout } from './helpers.mjs';

const TIMEOUT = 60_000;
const EXPECTED_STEPS = 10;

test('WeChat Pay journey: every step passes, one line per step', { timeout: TIMEOUT }, async () => {
  const lines = [];
  const { steps } = await withTimeout(runWechatPayJourney({ print: (l) => lines.push(l) }), TIMEOUT - 5_000, 'journey');
  assert.equal(steps.length, EXPECTED_STEPS, lines.join('\n'));
  assert.ok(steps.every((s) => s.ok), lines.join('\n'));
  assert.equal(lines.length, EXPECTED_STEPS, 'one printed line per step');
  for (const [i, line] of lines.entries()) assert.match(line, new RegExp(`^wechat  ${i + 1}/${EXPECTED_STEPS} .+ ok .+  \\d+ ms$`));
  assert.match(lines[5], /probe → 401/);
  assert.match(lines[6], /duplicate recognized/);
});

describe('WeChat Pay stand-in (requests signed by hand with node:crypto)', { timeout: TIMEOUT }, () => {
  const mchid = '1900000109';
  const appId = 'wxd678efh567hg6787';
  const serial = '5157F09EFDC096DE15EBE81A47057A7232F1B8E1';
  const apiV3Key = crypto.randomBytes(16).toString('hex');
  const merchant = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  let wx;
  let notified; // a local endpoint that records what the stand-in POSTs, answering `answers` in turn
  const received = [];
  const answers = [];
  before(async () => {
    wx = await startWechatPayGateway({ mchid, appId, apiV3Key, merchantSerialNo: serial, merchantPublicKey: merchant.publicKey, delivery: { timeScale: 1 / 10_000 } });
    notified = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(answers.shift() ?? 204).end();
      });
    });
    await new Promise((resolve) => notified.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    await wx.close();
    await new Promise((resolve) => notified.close(resolve));
  });

  /** A request signed the way WeChat Pay documents it, with node:crypto; `tamper` changes the body after signing. */
  async function call(method, path, body = '', { tamper = null, timestamp = Math.floor(Date.now() / 1000) } = {}) {
    const nonce = crypto.randomBytes(16).toString('hex');
    const message = `${method}\n${path}\n${timestamp}\n${nonce}\n${body}\n`;
    const signature = crypto.sign('sha256', Buffer.from(message), merchant.privateKey).toString('base64');
    const res = await fetch(wx.apiBase + path, {
      method,
      body: (tamper ? tamper(body) : body) || undefined,
      headers: {
        authorization: `WECHATPAY2-SHA256-RSA2048 mchid="${mchid}",nonce_str="${nonce}",signature="${signature}",timestamp="${timestamp}",serial_no="${serial}"`,
        'content-type': 'application/json', accept: 'application/json', 'user-agent': 'aggpay-test',
      },
    });
    return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
  }

  /** Whether node:crypto verifies a reply or notification over its raw body with `key`. */
  const verifies = ({ headers, body }, key) =>
    crypto.verify('sha256', Buffer.from(`${headers['wechatpay-timestamp']}\n${headers['wechatpay-nonce']}\n${body}\n`), key, Buffer.from(headers['wechatpay-signature'], 'base64'));
  const certificateKey = () => new crypto.X509Certificate(wx.platformCertificatePem).publicKey;

  test('a signed request is answered and the reply verifies over its raw body with the platform certificate', async () => {
    const res = await call('POST', '/v3/pay/transactions/jsapi', JSON.stringify({ appid: appId, mchid, description: '测试', out_trade_no: 'S0000001', notify_url: `http://127.0.0.1:${notified.address().port}/n`, amount: { total: 100 }, payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' } }));
    assert.equal(res.status, 200, res.body);
    assert.match(JSON.parse(res.body).prepay_id, /^wx\d{14}/);
    assert.equal(res.headers['wechatpay-serial'], wx.platformSerial);
    assert.equal(new crypto.X509Certificate(wx.platformCertificatePem).serialNumber, wx.platformSerial);
    assert.ok(verifies(res, certificateKey()));
  });

  test('a body changed after signing is 401 SIGN_ERROR with WeChat\'s view of the signed message', async () => {
    const body = JSON.stringify({ mchid });
    const res = await call('POST', '/v3/pay/transactions/out-trade-no/S0000001/close', body, { tamper: (b) => b.replace(mchid, '1900000110') });
    assert.equal(res.status, 401);
    const error = JSON.parse(res.body);
    assert.equal(error.code, 'SIGN_ERROR');
    assert.ok(error.detail.sign_information.truncated_sign_message.endsWith(`\n${body.replace(mchid, '1900000110')}\n`));
    assert.ok(verifies(res, certificateKey()), 'error replies are signed too');
  });

  test('a timestamp five minutes old is refused', async () => {
    const res = await call('GET', '/v3/certificates', '', { timestamp: Math.floor(Date.now() / 1000) - 300 });
    assert.equal(res.status, 401);
  });

  test('certificates decrypt with the APIv3 key (node:crypto AES-256-GCM) to the platform certificate', async () => {
    const res = await call('GET', '/v3/certificates');
    const [entry] = JSON.parse(res.body).data;
    const { nonce, associated_data: aad, ciphertext } = entry.encrypt_certificate;
    const data = Buffer.from(ciphertext, 'base64');
    const decipher = crypto.createDecipheriv('aes-256-gcm', Buffer.from(apiV3Key), Buffer.from(nonce));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(data.subarray(-16));
    const pem = Buffer.concat([decipher.update(data.subarray(0, -16)), decipher.final()]).toString('utf8');
    assert.equal(pem, wx.platformCertificatePem);
    assert.equal(entry.serial_no, wx.platformSerial);
  });

  test('a paid order is notified: encrypted, signed, delivered twice; a refused delivery is retried; after rotation the public key signs', async () => {
    const params = { appId, timeStamp: String(Math.floor(Date.now() / 1000)), nonceStr: 'n0nce', package: '' };
    const res = await call('POST', '/v3/pay/transactions/jsapi', JSON.stringify({ appid: appId, mchid, description: '测试', out_trade_no: 'S0000002', notify_url: `http://127.0.0.1:${notified.address().port}/n`, amount: { total: 1 }, payer: { openid: 'o2' } }));
    params.package = `prepay_id=${JSON.parse(res.body).prepay_id}`;
    const message = `${params.appId}\n${params.timeStamp}\n${params.nonceStr}\n${params.package}\n`;
    const paySign = crypto.sign('sha256', Buffer.from(message), merchant.privateKey).toString('base64');
    assert.equal(wx.requestPayment({ ...params, signType: 'RSA', paySign }).errMsg, 'requestPayment:ok');
    assert.match(wx.requestPayment({ ...params, signType: 'RSA', paySign: paySign.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }).errMsg, /paySign invalid/);

    received.length = 0;
    answers.push(500); // the first delivery is refused: WeChat Pay delivers it again
    wx.rotateToPublicKey();
    const { deliveries } = await wx.pay('S0000002', { delivery: 'twice', retry: true });
    assert.deepEqual(deliveries.map((d) => d.status), [500, 204, 204]);
    assert.equal(received.length, 3);
    const publicKey = crypto.createPublicKey(wx.publicKeyPem);
    for (const delivery of received) {
      assert.equal(delivery.headers['wechatpay-serial'], wx.publicKeyId);
      assert.ok(verifies(delivery, publicKey));
      const { resource, event_type: type } = JSON.parse(delivery.body);
      assert.equal(type, 'TRANSACTION.SUCCESS');
      const data = Buffer.from(resource.ciphertext, 'base64');
      const decipher = crypto.createDecipheriv('aes-256-gcm', Buffer.from(apiV3Key), Buffer.from(resource.nonce));
      decipher.setAAD(Buffer.from(resource.associated_data));
      decipher.setAuthTag(data.subarray(-16));
      const plain = JSON.parse(Buffer.concat([decipher.update(data.subarray(0, -16)), decipher.final()]).toString('utf8'));
      assert.deepEqual([plain.out_trade_no, plain.trade_state, plain.amount.total], ['S0000002', 'SUCCESS', 1]);
    }
    assert.equal(received[0].body, received[2].body, 'the same notification, delivered again');
  });
});
