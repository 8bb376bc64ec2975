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
import { notifyContent } from './alipay-helpers.mjs';
import { makeTempDir, pkgDir, removeDir } from './helpers.mjs';
import { encryptResource, mintCertificate, rsaPair, serialHex, signedHeaders } from './wechatpay-helpers.mjs';

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
