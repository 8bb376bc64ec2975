// `aggpay` (pkg/bin/aggpay.mjs) as a merchant's shell uses it: explain, verify, keys, sign on fixtures generated
// here with node:crypto and openssl, the exit codes (0 ok, 1 the check failed, 2 usage/input), --help for every
// command, --json, and no private key, MD5 key or APIv3 key in any output.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Alipay } from 'aggpay';
import { notifyContent, signedResponse } from './alipay-helpers.mjs';
import { fixturesDir, makeTempDir, pkgDir, removeDir } from './helpers.mjs';
import { encryptResource, mintCertificate, requestMessage, rsaPair, serialHex, signedHeaders } from './wechatpay-helpers.mjs';

const BIN = path.join(pkgDir, 'bin', 'aggpay.mjs');
/** Every output of every run, to check no secret ever appears. */
const outputs = [];
function cli(args, { input } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
    child.on('close', (code) => {
      outputs.push({ args, stdout, stderr });
      resolve({ code, stdout, stderr });
    });
  });
}
const ok = (r, what) => assert.equal(r.code, 0, `${what}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);

let dir;
const file = (name, text, mode) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text, mode ? { mode } : undefined);
  return f;
};
const alipayKeys = rsaPair();
const wechatKeys = rsaPair();
const merchantKeys = rsaPair();
const API_V3_KEY = crypto.randomBytes(16).toString('hex');
const MD5_KEY = `md5-${crypto.randomBytes(12).toString('hex')}`;
let files;
let notify; // the Alipay notification: { pairs, body, payment }
let wechat; // the WeChat Pay notification: { body, headers, serial, certPem }

before(async () => {
  dir = makeTempDir('cli');
  files = {
    alipayPublic: file('alipay-public.pem', alipayKeys.spkiPem),
    merchantPrivate: file('app-private.pem', merchantKeys.pkcs8Pem, 0o600),
    apiV3Key: file('apiv3.key', API_V3_KEY, 0o600),
    md5Key: file('md5.key', MD5_KEY, 0o600),
  };
  // An Alipay payment notification, signed by the "Alipay" key over the payment rule.
  const pairs = [
    ['notify_time', '2026-12-01 10:00:00'], ['notify_type', 'trade_status_sync'], ['notify_id', 'N1'], ['app_id', '2021000122671080'],
    ['charset', 'utf-8'], ['version', '1.0'], ['trade_no', '2026120122001400001'], ['out_trade_no', 'T1'], ['trade_status', 'TRADE_SUCCESS'],
    ['total_amount', '0.01'], ['subject', '茶 & tea'], ['sign_type', 'RSA2'],
  ];
  const payment = notifyContent(pairs, 'payment').toString('utf8');
  const sign = crypto.sign('sha256', Buffer.from(payment), alipayKeys.privateKey).toString('base64');
  const body = new URLSearchParams([...pairs, ['sign', sign]]).toString();
  notify = { pairs, body, payment, file: file('alipay-notify.txt', body), tampered: file('alipay-tampered.txt', body.replace('total_amount=0.01', 'total_amount=100.00')) };
  // A WeChat Pay notification signed by a platform certificate's key, its resource under the APIv3 key.
  const serial = serialHex();
  const certPem = await mintCertificate(dir, wechatKeys, serial);
  const nonce = 'abcdefghijkl';
  const resource = { mchid: '1230000109', appid: 'wx1', out_trade_no: 'T2', transaction_id: '4200000001', trade_state: 'SUCCESS', amount: { total: 1, payer_total: 1, currency: 'CNY', payer_currency: 'CNY' } };
  const envelope = {
    id: 'EV-1', create_time: '2026-12-01T10:00:00+08:00', resource_type: 'encrypt-resource', event_type: 'TRANSACTION.SUCCESS', summary: '支付成功',
    resource: { original_type: 'transaction', algorithm: 'AEAD_AES_256_GCM', ciphertext: encryptResource(API_V3_KEY, JSON.stringify(resource), nonce, 'transaction'), associated_data: 'transaction', nonce },
  };
  const wbody = JSON.stringify(envelope);
  const timestamp = Math.floor(Date.now() / 1000);
  const headers = signedHeaders(wechatKeys.privateKey, serial, timestamp, 'N0NCE0123456789', wbody);
  wechat = {
    serial, certPem, timestamp, body: wbody, headers,
    bodyFile: file('wechat-notify.json', wbody),
    headersFile: file('wechat-headers.txt', Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\n')),
    certFile: file('wechatpay-platform.pem', certPem),
    tamperedFile: file('wechat-tampered.json', wbody.replace('支付成功', '支付失败')),
  };
});
after(() => removeDir(dir));

describe('aggpay --help and usage errors', () => {
  it('every command has --help (exit 0); no command, an unknown one or a bad flag exit 2', async () => {
    const top = await cli(['--help']);
    ok(top, '--help');
    for (const name of ['explain', 'verify', 'keys', 'sign', 'sandbox']) {
      assert.match(top.stdout, new RegExp(`^\\s+${name} `, 'm'), `the top-level help lists ${name}`);
      const help = await cli([name, '--help']);
      ok(help, `${name} --help`);
      assert.match(help.stdout, new RegExp(`^Usage: aggpay ${name}`), name);
    }
    for (const args of [[], ['deploy'], ['verify', '--bogus'], ['explain', notify.file], ['keys'], ['sign', '--provider', 'paypal', '--method', 'x']]) {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
      assert.equal(r.stdout, '', `${args.join(' ')}: nothing on stdout`);
    }
  });
});

describe('aggpay explain', () => {
  it('an Alipay notification: the payment-rule string, computed here independently, then the gateway rule', async () => {
    const r = await cli(['explain', notify.file, '--provider', 'alipay', '--notification', '--json']);
    ok(r, 'explain --json');
    const e = JSON.parse(r.stdout);
    assert.equal(e.signed[0], notify.payment);
    assert.equal(e.signed[1], notifyContent(notify.pairs, 'gateway').toString('utf8'));
    assert.equal(e.scheme, 'RSA2');
    const text = await cli(['explain', '--provider', 'alipay', '--notification'], { input: notify.body });
    ok(text, 'explain from stdin');
    assert.ok(text.stdout.split('\n').includes(notify.payment), text.stdout);
  });

  it('--reported: the same text exits 0; a differing one exits 1 with a caret under the first difference', async () => {
    const same = await cli(['explain', notify.file, '--provider', 'alipay', '--notification', '--reported', notify.payment]);
    ok(same, 'the same text');
    assert.match(same.stdout, /is the signed text/);
    const at = notify.payment.indexOf('total_amount=') + 'total_amount='.length;
    const theirs = `${notify.payment.slice(0, at)}1${notify.payment.slice(at + 1)}`;
    const reportFile = file('report.txt', `验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：${theirs}`);
    const r = await cli(['explain', notify.file, '--provider', 'alipay', '--notification', '--rule', 'payment', '--reported', reportFile]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const lines = r.stdout.split('\n');
    const ours = lines.find((l) => l.startsWith('  ours:   '));
    const their = lines.find((l) => l.startsWith('  theirs: '));
    const caret = lines[lines.indexOf(their) + 1];
    assert.match(r.stdout, new RegExp(`first difference at character ${at}\\b`));
    const col = caret.indexOf('^');
    assert.ok(col > 0 && caret.trim() === '^', caret);
    assert.notEqual(ours[col], their[col], 'the caret is under the differing character');
    assert.equal(ours.slice(10, col), their.slice(10, col), 'the same before it');
    const json = JSON.parse((await cli(['explain', notify.file, '--provider', 'alipay', '--notification', '--rule', 'payment', '--reported', reportFile, '--json'])).stdout);
    assert.equal(json.difference.index, at);
  });

  it('a WeChat Pay notification with --headers: the three lines; a request printed by `aggpay sign`: the five lines', async () => {
    const r = await cli(['explain', wechat.bodyFile, '--provider', 'wechatpay', '--notification', '--headers', wechat.headersFile, '--json']);
    ok(r, 'explain wechatpay');
    const e = JSON.parse(r.stdout);
    assert.deepEqual(e.signed, [`${wechat.timestamp}\nN0NCE0123456789\n${wechat.body}\n`]);
    assert.equal(e.key, wechat.serial);
    const signed = await cli(['sign', '--provider', 'wechatpay', '--method', 'GET', '--path', '/v3/pay/transactions/out-trade-no/T2?mchid=1230000109', '--mchid', '1230000109', '--serial', 'ABC123', '--private-key', files.merchantPrivate, '--now', '1764554400000', '--nonce', 'n0nce']);
    ok(signed, 'sign wechatpay');
    const x = JSON.parse((await cli(['explain', '--provider', 'wechatpay', '--request', '--json'], { input: signed.stdout })).stdout);
    assert.deepEqual(x.signed, ['GET\n/v3/pay/transactions/out-trade-no/T2?mchid=1230000109\n1764554400\nn0nce\n\n']);
    const missing = await cli(['explain', wechat.bodyFile, '--provider', 'wechatpay', '--notification']);
    assert.equal(missing.code, 2, 'no headers: a usage error');
  });
});

describe('aggpay verify', () => {
  it('Alipay: valid exits 0 with the event; tampered exits 1 with the error code; a bad key file exits 2', async () => {
    const r = await cli(['verify', notify.file, '--provider', 'alipay', '--notification', '--public-key', files.alipayPublic, '--json']);
    ok(r, 'verify');
    const v = JSON.parse(r.stdout);
    assert.equal(v.valid, true);
    assert.equal(JSON.stringify(v.event).includes('T1'), true, r.stdout);
    const text = await cli(['verify', '--provider', 'alipay', '--notification', '--public-key', files.alipayPublic], { input: notify.body });
    ok(text, 'verify from stdin');
    assert.match(text.stdout, /^valid\n/);
    const bad = await cli(['verify', notify.tampered, '--provider', 'alipay', '--notification', '--public-key', files.alipayPublic]);
    assert.equal(bad.code, 1, bad.stdout + bad.stderr);
    assert.match(bad.stdout, /^invalid: ERR_SIGNATURE_INVALID/);
    const badJson = JSON.parse((await cli(['verify', notify.tampered, '--provider', 'alipay', '--notification', '--public-key', files.alipayPublic, '--json'])).stdout);
    assert.deepEqual([badJson.valid, badJson.code], [false, 'ERR_SIGNATURE_INVALID']);
    const wrongKey = await cli(['verify', notify.file, '--provider', 'alipay', '--notification', '--public-key', file('other.pem', rsaPair().spkiPem)]);
    assert.equal(wrongKey.code, 1, 'another key: invalid');
    for (const args of [['--public-key', file('garbage.pem', 'not a key')], ['--public-key', path.join(dir, 'absent.pem')], []]) {
      const r2 = await cli(['verify', notify.file, '--provider', 'alipay', '--notification', ...args]);
      assert.equal(r2.code, 2, `${args.join(' ')}: ${r2.stderr}`);
    }
  });

  it('WeChat Pay: a platform certificate and the APIv3 key verify and decrypt; a changed body exits 1', async () => {
    const args = ['--provider', 'wechatpay', '--notification', '--headers', wechat.headersFile, '--certificate', wechat.certFile, '--api-v3-key-file', files.apiV3Key, '--json'];
    const r = await cli(['verify', wechat.bodyFile, ...args]);
    ok(r, 'verify wechatpay');
    const v = JSON.parse(r.stdout);
    assert.equal(v.valid, true);
    assert.ok(JSON.stringify(v.event).includes('T2'), r.stdout);
    const bad = await cli(['verify', wechat.tamperedFile, ...args]);
    assert.equal(bad.code, 1, bad.stdout + bad.stderr);
    assert.equal(JSON.parse(bad.stdout).code, 'ERR_SIGNATURE_INVALID');
  });
});

describe('aggpay keys', () => {
  it('a certificate minted by openssl: its serial, the WeChat Pay serial, the Alipay certificate SN, validity, bits', async () => {
    const r = await cli(['keys', wechat.certFile, '--json']);
    ok(r, 'keys --json');
    const k = JSON.parse(r.stdout);
    const x = new crypto.X509Certificate(wechat.certPem);
    assert.equal(k.kind, 'certificate');
    assert.equal(k.serialHex, wechat.serial);
    assert.equal(k.wechatpaySerial, wechat.serial);
    assert.equal(k.serialDecimal, BigInt(`0x${wechat.serial}`).toString());
    assert.equal(k.bits, 2048);
    assert.equal(k.valid, true);
    assert.equal(k.notAfter, new Date(x.validTo).toISOString());
    const alipay = new Alipay({ appId: '2021', alipayCert: wechat.certPem });
    assert.equal(k.alipayCertSn, alipay.alipayCertSn, 'the SN Alipay clients compute');
    const text = await cli(['keys', wechat.certFile]);
    ok(text, 'keys');
    assert.match(text.stdout, new RegExp(`serialHex\\s+${wechat.serial}`));
  });

  it('PEM <-> base64 for public keys and certificates; a private key: kind and bits only, converted only to --out', async () => {
    const b64 = await cli(['keys', files.alipayPublic, '--to', 'base64']);
    ok(b64, '--to base64');
    assert.equal(b64.stdout.trim(), alipayKeys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'));
    const bare = file('bare.txt', b64.stdout);
    const back = await cli(['keys', bare, '--to', 'pem']);
    ok(back, '--to pem');
    assert.ok(crypto.createPublicKey(back.stdout).equals(alipayKeys.publicKey));
    const info = JSON.parse((await cli(['keys', bare, '--json'])).stdout);
    assert.deepEqual([info.kind, info.form, info.bits], ['public key', 'base64', 2048]);
    const priv = await cli(['keys', files.merchantPrivate, '--json']);
    ok(priv, 'private key');
    assert.deepEqual(JSON.parse(priv.stdout), { kind: 'private key', form: 'pem', format: 'PKCS#8', algorithm: 'rsa', bits: 2048 });
    const refused = await cli(['keys', files.merchantPrivate, '--to', 'base64']);
    assert.equal(refused.code, 2, 'a private key is not printed');
    const out = path.join(dir, 'private.b64');
    ok(await cli(['keys', files.merchantPrivate, '--to', 'base64', '--out', out]), '--out');
    assert.equal(fs.statSync(out).mode & 0o777, 0o600);
    assert.ok(crypto.createPrivateKey({ key: Buffer.from(fs.readFileSync(out, 'utf8').trim(), 'base64'), format: 'der', type: 'pkcs8' }).equals?.(merchantKeys.privateKey) ?? true);
    for (const bad of [file('junk.txt', 'hello world'), path.join(dir, 'absent.pem')]) assert.equal((await cli(['keys', bad])).code, 2, bad);
  });
});

describe('aggpay sign', () => {
  it('Alipay any method: the request JSON, signed over what explain shows, verifying with the app public key', async () => {
    const r = await cli(['sign', '--provider', 'alipay', '--method', 'alipay.trade.query', '--biz', '{"out_trade_no":"T1"}', '--app-id', '2021000122671080', '--private-key', files.merchantPrivate]);
    ok(r, 'sign');
    const request = JSON.parse(r.stdout);
    assert.equal(request.method, 'POST');
    assert.match(request.url, /method=alipay\.trade\.query/);
    const e = JSON.parse((await cli(['explain', '--provider', 'alipay', '--request', '--json'], { input: r.stdout })).stdout);
    assert.match(e.signed[0], /^app_id=2021000122671080&biz_content=\{"out_trade_no":"T1"\}&charset=utf-8/);
    assert.ok(crypto.verify('sha256', Buffer.from(e.signed[0]), merchantKeys.publicKey, Buffer.from(e.signature, 'base64')), 'signed with the private key');
    for (const args of [['--biz', '{not json'], ['--private-key', path.join(dir, 'absent.pem')], ['--private-key', files.alipayPublic]]) {
      const bad = await cli(['sign', '--provider', 'alipay', '--method', 'alipay.trade.query', '--app-id', '2021', '--private-key', files.merchantPrivate, ...args]);
      assert.equal(bad.code, 2, `${args.join(' ')}: ${bad.stderr}`);
    }
  });

  it('UseePay with an MD5 key: signed, and explain names the key without showing it', async () => {
    const r = await cli(['sign', '--provider', 'useepay', '--method', 'pay', '--merchant-no', '500000000000001', '--app-id', 'shop.example.com', '--md5-key-file', files.md5Key, '--fields', '{"reference":"T3","amount":"100","currency":"USD"}']);
    ok(r, 'sign useepay');
    const request = JSON.parse(r.stdout);
    const e = await cli(['explain', '--provider', 'useepay', '--request', '--json'], { input: request.body });
    ok(e, 'explain useepay');
    assert.equal(JSON.parse(e.stdout).scheme, 'MD5');
  });
});

// ---------------------------------------------------------------------------------------------------------
// Paths the tests above leave out, every fixture made here with node:crypto (UseePay stands in with the
// fixture key tests/fixtures/useepay/test-useepay-private.pem, as js-tests/useepay.test.mjs does).

const USEEPAY_DIR = path.join(fixturesDir, 'useepay');
const useepayPrivate = crypto.createPrivateKey(fs.readFileSync(path.join(USEEPAY_DIR, 'test-useepay-private.pem'), 'utf8'));
/** UseePay's string to sign: every field but `sign`, empty (after trim) left out, names sorted byte-wise, `k=v&…`. */
const useepayContent = (fields) => Object.entries(fields)
  .filter(([k, v]) => k !== 'sign' && v.trim() !== '')
  .sort((a, b) => Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])))
  .map(([k, v]) => `${k}=${v}`)
  .join('&');
const useepaySign = {
  RSA: (fields) => crypto.sign('sha256', Buffer.from(useepayContent(fields)), useepayPrivate).toString('base64'),
  MD5: (fields) => crypto.createHash('md5').update(`${useepayContent(fields)}&pkey=${MD5_KEY}`).digest('hex'),
};
const useepaySigned = (signType, fields) => ({ ...fields, signType, sign: useepaySign[signType]({ ...fields, signType }) });
/** The code points of a text, as explain counts characters. */
const chars = (s) => Array.from(s);

describe('aggpay verify: UseePay, Alipay and WeChat Pay responses', () => {
  it('UseePay notification (RSA with the UseePay public key, and MD5 with a key file): valid 0 + event, tampered 1', async () => {
    const useepayPublic = path.join(USEEPAY_DIR, 'test-useepay-public.pem');
    for (const [signType, keyArgs] of [['RSA', ['--public-key', useepayPublic]], ['MD5', ['--md5-key-file', files.md5Key]]]) {
      const fields = useepaySigned(signType, {
        version: '1.0', merchantNo: '500000000007362', transactionId: `UT-${signType}`, transactionType: 'pay', amount: '1234', currency: 'HKD',
        resultCode: 'succeed', errorCode: '0000', errorMsg: 'Approved or completed successfully', reference: `R-${signType}`, remark: '茶 & tea',
      });
      const body = new URLSearchParams(Object.entries(fields)).toString();
      const args = ['--provider', 'useepay', '--notification', ...keyArgs, '--json'];
      const r = await cli(['verify', file(`useepay-notify-${signType}.txt`, body), ...args]);
      ok(r, `useepay ${signType} notification`);
      const v = JSON.parse(r.stdout);
      assert.deepEqual([v.valid, v.provider, v.message], [true, 'useepay', 'notification'], r.stdout);
      assert.equal(v.event.transactionId, `UT-${signType}`, r.stdout);
      assert.equal(v.event.paid, true, r.stdout);
      assert.equal(v.event.fields.remark, '茶 & tea', r.stdout);
      const piped = await cli(['verify', ...args], { input: body });
      ok(piped, `useepay ${signType} notification from stdin`);
      const tampered = body.replace('amount=1234', 'amount=9999');
      assert.notEqual(tampered, body);
      const bad = await cli(['verify', file(`useepay-tampered-${signType}.txt`, tampered), ...args]);
      assert.equal(bad.code, 1, `${signType} tampered: ${bad.stdout}${bad.stderr}`);
      assert.deepEqual([JSON.parse(bad.stdout).valid, JSON.parse(bad.stdout).code], [false, 'ERR_SIGNATURE_INVALID']);
      const text = await cli(['verify', file(`useepay-tampered2-${signType}.txt`, tampered), ...args.slice(0, -1)]);
      assert.equal(text.code, 1);
      assert.match(text.stdout, /^invalid: ERR_SIGNATURE_INVALID/);
    }
    // The RSA notification checked with another RSA key is invalid too.
    const other = file('useepay-other.pem', rsaPair().spkiPem);
    const fields = useepaySigned('RSA', { merchantNo: '500000000007362', transactionId: 'UT-X', resultCode: 'succeed', errorCode: '0000' });
    const wrong = await cli(['verify', '--provider', 'useepay', '--notification', '--public-key', other], { input: new URLSearchParams(Object.entries(fields)).toString() });
    assert.equal(wrong.code, 1, wrong.stdout + wrong.stderr);
  });

  it('UseePay response (JSON): valid 0 with every field as received; a changed field 1', async () => {
    const useepayPublic = path.join(USEEPAY_DIR, 'test-useepay-public.pem');
    const fields = useepaySigned('RSA', {
      merchantNo: '500000000007362', transactionId: 'UR-1', transactionType: 'pay', amount: '500', currency: 'USD',
      resultCode: 'pending', errorCode: '0000', errorMsg: 'ok', reference: 'R-UR-1',
    });
    const raw = JSON.stringify(fields);
    const args = ['--provider', 'useepay', '--response', '--public-key', useepayPublic, '--json'];
    const r = await cli(['verify', file('useepay-response.json', raw), ...args]);
    ok(r, 'useepay response');
    const v = JSON.parse(r.stdout);
    assert.deepEqual([v.valid, v.message], [true, 'response']);
    assert.deepEqual(v.event.fields, fields, r.stdout);
    const bad = await cli(['verify', file('useepay-response-bad.json', JSON.stringify({ ...fields, amount: '5' })), ...args]);
    assert.equal(bad.code, 1, bad.stdout + bad.stderr);
    assert.equal(JSON.parse(bad.stdout).code, 'ERR_SIGNATURE_INVALID');
  });

  it('Alipay --response: a signed alipay.trade.query 0 with the node; tampered 1; a signed business failure 0', async () => {
    const node = '{"code":"10000","msg":"Success","trade_no":"2026120122001400001","out_trade_no":"T1","buyer_logon_id":"159****5620","trade_status":"TRADE_SUCCESS","total_amount":"0.01"}';
    const raw = signedResponse('alipay.trade.query', node, alipayKeys.privateKey);
    const args = ['--provider', 'alipay', '--response', '--method', 'alipay.trade.query', '--public-key', files.alipayPublic, '--json'];
    const r = await cli(['verify', file('alipay-response.json', raw), ...args]);
    ok(r, 'alipay response');
    const v = JSON.parse(r.stdout);
    assert.equal(v.valid, true);
    assert.deepEqual([v.event.out_trade_no, v.event.trade_status, v.event.total_amount], ['T1', 'TRADE_SUCCESS', '0.01'], r.stdout);
    const tampered = raw.replace('"total_amount":"0.01"', '"total_amount":"100.00"');
    assert.notEqual(tampered, raw);
    const bad = await cli(['verify', file('alipay-response-bad.json', tampered), ...args]);
    assert.equal(bad.code, 1, bad.stdout + bad.stderr);
    assert.deepEqual([JSON.parse(bad.stdout).valid, JSON.parse(bad.stdout).code], [false, 'ERR_SIGNATURE_INVALID']);
    const failure = signedResponse('alipay.trade.query', '{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST","sub_msg":"交易不存在"}', alipayKeys.privateKey);
    const f = await cli(['verify', ...args], { input: failure });
    ok(f, 'a signed business failure');
    assert.deepEqual(JSON.parse(f.stdout).businessFailure, { code: '40004', message: 'Business Failed', subCode: 'ACQ.TRADE_NOT_EXIST', subMessage: '交易不存在' });
    const noMethod = await cli(['verify', file('alipay-response2.json', raw), '--provider', 'alipay', '--response', '--public-key', files.alipayPublic]);
    assert.equal(noMethod.code, 2, 'no --method: a usage error');
  });

  it('WeChat Pay --response: signed reply headers (certificate, or public key + id; JSON or --headers), tampered 1, --now for a saved one', async () => {
    const body = JSON.stringify({ mchid: '1230000109', appid: 'wx1', out_trade_no: 'T2', transaction_id: '4200000001', trade_state: 'SUCCESS', amount: { total: 1, currency: 'CNY' } });
    const timestamp = Math.floor(Date.now() / 1000);
    const byCert = signedHeaders(wechatKeys.privateKey, wechat.serial, timestamp, 'R3PLYN0NCE', body);
    const certArgs = ['--provider', 'wechatpay', '--response', '--certificate', wechat.certFile, '--json'];
    const r = await cli(['verify', file('wechat-reply.json', JSON.stringify({ headers: byCert, body })), ...certArgs]);
    ok(r, 'wechatpay response { headers, body }');
    const v = JSON.parse(r.stdout);
    assert.equal(v.valid, true);
    assert.ok(JSON.stringify(v.event).includes('4200000001'), r.stdout);
    const headersFile = file('wechat-reply-headers.txt', `HTTP/1.1 200 OK\n${Object.entries(byCert).map(([k, x]) => `${k}: ${x}`).join('\r\n')}\n`);
    ok(await cli(['verify', '--headers', headersFile, ...certArgs], { input: body }), 'wechatpay response, body piped, --headers');
    const bad = await cli(['verify', '--headers', headersFile, ...certArgs], { input: body.replace('"total":1', '"total":100') });
    assert.equal(bad.code, 1, bad.stdout + bad.stderr);
    assert.equal(JSON.parse(bad.stdout).code, 'ERR_SIGNATURE_INVALID');
    // The WeChat Pay public key, its id in Wechatpay-Serial (the default) or given.
    const keyId = 'PUB_KEY_ID_0112345678902026120100000000000001';
    const byKey = signedHeaders(wechatKeys.privateKey, keyId, timestamp, 'R3PLYN0NCE', body);
    const wechatPublic = file('wechatpay-public.pem', wechatKeys.spkiPem);
    const keyArgs = ['--provider', 'wechatpay', '--response', '--public-key', wechatPublic, '--json'];
    ok(await cli(['verify', file('wechat-reply-key.json', JSON.stringify({ headers: byKey, body })), ...keyArgs]), 'public key, id from the header');
    ok(await cli(['verify', file('wechat-reply-key2.json', JSON.stringify({ headers: byKey, body })), ...keyArgs, '--public-key-id', keyId]), 'public key, id given');
    const forged = signedHeaders(rsaPair().privateKey, keyId, timestamp, 'R3PLYN0NCE', body);
    assert.equal((await cli(['verify', file('wechat-reply-forged.json', JSON.stringify({ headers: forged, body })), ...keyArgs])).code, 1, 'another key signed it');
    // A reply saved a day ago: outside the 5-minute window unless --now says when it was received.
    const old = timestamp - 86_400;
    const saved = file('wechat-reply-old.json', JSON.stringify({ headers: signedHeaders(wechatKeys.privateKey, wechat.serial, old, 'R3PLYN0NCE', body), body }));
    const stale = await cli(['verify', saved, ...certArgs]);
    assert.equal(stale.code, 1, stale.stdout + stale.stderr);
    assert.equal(JSON.parse(stale.stdout).valid, false);
    ok(await cli(['verify', saved, ...certArgs, '--now', String(old * 1000)]), '--now at the saved time');
    ok(await cli(['verify', saved, ...certArgs, '--now', new Date(old * 1000 + 60_000).toISOString()]), '--now as an ISO date');
  });
});

describe('aggpay explain: a WeChat Pay request and its SIGN_ERROR', () => {
  it('--reported a SIGN_ERROR body whose truncated_sign_message differs: exit 1, the index and the caret under it', async () => {
    // A body with a character outside the BMP (two UTF-16 units, one character) just before the difference.
    const body = '{"description":"茶 tea 😀 mug","out_trade_no":"T9","amount":{"total":1}}';
    const urlPath = '/v3/pay/transactions/jsapi';
    const signed = await cli(['sign', '--provider', 'wechatpay', '--method', 'POST', '--path', urlPath, '--body', body, '--mchid', '1230000109', '--serial', 'ABC123', '--private-key', files.merchantPrivate, '--now', '1764554400000', '--nonce', 'n0nce', '--json']);
    ok(signed, 'sign wechatpay POST');
    // The five lines, independently; WeChat "saw" the body with one character changed after the emoji.
    const ours = requestMessage('POST', urlPath, 1764554400, 'n0nce', body);
    const theirs = ours.replace('😀 mug', '😀 mud');
    const index = chars(ours).findIndex((c, i) => c !== chars(theirs)[i]);
    assert.equal(chars(ours)[index], 'g');
    const signError = JSON.stringify({
      code: 'SIGN_ERROR', message: '签名错误',
      detail: { detail: { issue: 'sign not match' }, field: 'signature', location: 'authorization', sign_information: { method: 'POST', sign_message_length: Buffer.byteLength(theirs), truncated_sign_message: theirs, url: urlPath } },
    });
    const reportFile = file('wechat-sign-error.json', signError);
    const requestFile = file('wechat-request.json', signed.stdout);
    for (const [what, args, input] of [['piped', [], signed.stdout], ['file', [requestFile], undefined]]) {
      const json = await cli(['explain', ...args, '--provider', 'wechatpay', '--request', '--reported', reportFile, '--json'], { input });
      assert.equal(json.code, 1, `${what}: ${json.stdout}${json.stderr}`);
      const e = JSON.parse(json.stdout);
      assert.deepEqual(e.signed, [ours], what);
      assert.equal(e.reported, theirs, what);
      assert.equal(e.difference.index, index, what);
      const r = await cli(['explain', ...args, '--provider', 'wechatpay', '--request', '--reported', reportFile], { input });
      assert.equal(r.code, 1, `${what}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout, new RegExp(`first difference at character ${index}:`), what);
      const lines = r.stdout.split('\n');
      const oursLine = chars(lines.find((l) => l.startsWith('  ours:   ')));
      const theirLine = chars(lines.find((l) => l.startsWith('  theirs: ')));
      const caretLine = lines[lines.findIndex((l) => l.startsWith('  theirs: ')) + 1];
      assert.equal(caretLine.trim(), '^', caretLine);
      const col = chars(caretLine).indexOf('^');
      // Counted in characters: the caret's column holds the first character that differs.
      assert.deepEqual([oursLine[col], theirLine[col]], ['g', 'd'], `${what}: the caret is under the difference\n${r.stdout}`);
      assert.equal(oursLine.slice(10, col).join(''), theirLine.slice(10, col).join(''), what);
      assert.ok(oursLine.slice(10, col).join('').endsWith('😀 mu'), `${what}: ${oursLine.join('')}`);
    }
    // The report's own text (not the JSON body) works too, and the same text exits 0.
    const same = await cli(['explain', requestFile, '--provider', 'wechatpay', '--request', '--reported', file('wechat-same.json', JSON.stringify({ code: 'SIGN_ERROR', detail: { sign_information: { truncated_sign_message: ours } } }))]);
    ok(same, 'the same text');
    assert.match(same.stdout, /is the signed text/);
  });
});

describe('aggpay keys: conversions and private keys', () => {
  it('a public key PEM -> base64 -> PEM is node:crypto\'s export, for SPKI and PKCS#1', async () => {
    for (const type of ['spki', 'pkcs1']) {
      const pemText = alipayKeys.publicKey.export({ type, format: 'pem' });
      const b64 = await cli(['keys', file(`public-${type}.pem`, pemText), '--to', 'base64']);
      ok(b64, `${type} --to base64`);
      assert.equal(b64.stdout, `${alipayKeys.publicKey.export({ type, format: 'der' }).toString('base64')}\n`);
      const back = await cli(['keys', file(`public-${type}.b64`, b64.stdout), '--to', 'pem']);
      ok(back, `${type} --to pem`);
      assert.equal(back.stdout, pemText, `${type}: the PEM node:crypto writes`);
      const outFile = path.join(dir, `public-${type}-out.pem`);
      const wrote = await cli(['keys', file(`public-${type}2.b64`, b64.stdout), '--to', 'pem', '--out', outFile, '--json']);
      ok(wrote, `${type} --out`);
      assert.equal(fs.readFileSync(outFile, 'utf8'), pemText);
      assert.equal(fs.statSync(outFile).mode & 0o777, 0o644);
      assert.equal(JSON.parse(wrote.stdout).keys[0].format, type === 'spki' ? 'SPKI' : 'PKCS#1');
    }
  });

  it('a private key (PKCS#8, PKCS#1, bare base64) is never printed: --to without --out exits 2 and shows none of it', async () => {
    const keys = rsaPair();
    const pkcs8Der = keys.privateKey.export({ type: 'pkcs8', format: 'der' });
    const pkcs1Der = keys.privateKey.export({ type: 'pkcs1', format: 'der' });
    const fragments = [];
    for (const der of [pkcs8Der, pkcs1Der]) {
      const b64 = der.toString('base64');
      for (let i = 0; i + 24 <= b64.length; i += 12) fragments.push(b64.slice(i, i + 24));
    }
    const inputs = [
      file('priv-pkcs8.pem', keys.pkcs8Pem, 0o600), file('priv-pkcs1.pem', keys.pkcs1Pem, 0o600),
      file('priv-pkcs8.b64', `${pkcs8Der.toString('base64')}\n`, 0o600), file('priv-pkcs1.b64', pkcs1Der.toString('base64'), 0o600),
    ];
    for (const input of inputs) {
      for (const to of ['pem', 'base64']) {
        for (const json of [[], ['--json']]) {
          const r = await cli(['keys', input, '--to', to, ...json]);
          const what = `${path.basename(input)} --to ${to} ${json.join('')}`;
          assert.equal(r.code, 2, `${what}: exit ${r.code}`);
          assert.equal(r.stdout, '', `${what}: nothing on stdout`);
          assert.match(r.stderr, /refusing to print a private key/, what);
          for (const f of fragments) assert.ok(!r.stdout.includes(f) && !r.stderr.includes(f), `${what}: key material in the output`);
          assert.ok(!/PRIVATE KEY-----/.test(r.stderr), what);
        }
      }
      const info = await cli(['keys', input, '--json']);
      ok(info, `${path.basename(input)} --json`);
      assert.deepEqual([JSON.parse(info.stdout).kind, JSON.parse(info.stdout).bits], ['private key', 2048]);
      for (const f of fragments) assert.ok(!info.stdout.includes(f) && !info.stderr.includes(f), `${path.basename(input)}: key material`);
    }
  });
});

describe('no secret in any output', () => {
  it('no private key, MD5 key or APIv3 key appeared on stdout or stderr of any run above', () => {
    assert.ok(outputs.length > 30, `${outputs.length} runs`);
    const secrets = [API_V3_KEY, MD5_KEY];
    for (const keys of [alipayKeys, merchantKeys, wechatKeys]) {
      const der = keys.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
      for (let i = 100; i + 40 < der.length; i += 200) secrets.push(der.slice(i, i + 40));
    }
    for (const { args, stdout, stderr } of outputs) {
      for (const s of secrets) assert.ok(!stdout.includes(s) && !stderr.includes(s), `${args.join(' ')}: a secret in the output`);
      assert.ok(!/PRIVATE KEY-----/.test(stdout + stderr), `${args.join(' ')}: a private key in the output`);
    }
  });
});
