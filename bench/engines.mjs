// Measures, never asserts: RSA sign/verify per engine (synchronous and …Async), a full Alipay request
// build, and the Wasm size.
// Run after a build: node bench/engines.mjs
import { generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { Alipay, RsaSigner, RsaVerifier } from 'aggpay';
import { asyncOpsPerSecond as measureAsync, opsPerSecond as measureSync } from './measure.mjs';

const WINDOW_MS = 400;
const ROUNDS = 5;

const opsPerSecond = (fn) => measureSync(fn, { rounds: ROUNDS, windowMs: WINDOW_MS });
const asyncOpsPerSecond = (fn) => measureAsync(fn, { rounds: ROUNDS, windowMs: WINDOW_MS });

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' });
const publicPem = publicKey.export({ type: 'spki', format: 'pem' });
const message = Buffer.alloc(300, 'a');
const signature = nodeSign('sha256', message, privateKey);

const rows = [['node:crypto sign (KeyObject)', opsPerSecond(() => nodeSign('sha256', message, privateKey))]];
for (const engine of ['node', 'wasm']) {
  const signer = new RsaSigner(privatePem, { engine });
  const verifier = new RsaVerifier(publicPem, { engine });
  rows.push([`RsaSigner.sign, engine ${engine}`, opsPerSecond(() => signer.sign(message))]);
  rows.push([`RsaVerifier.verify, engine ${engine}`, opsPerSecond(() => verifier.verify(message, signature))]);
  const alipay = new Alipay({ appId: '2021000122671080', privateKey: privatePem, alipayPublicKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }), engine });
  const biz = { out_trade_no: 'T1', total_amount: { minor: 1, currency: 'CNY' }, subject: '咖啡', buyer_open_id: '074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5' };
  rows.push([`Alipay.buildTradeCreate, engine ${engine}`, opsPerSecond(() => alipay.buildTradeCreate(biz))]);
}
rows.push(['RsaSigner construction (key parse), wasm', opsPerSecond(() => new RsaSigner(privatePem, { engine: 'wasm' }).free())]);

for (const engine of ['node', 'webcrypto', 'wasm']) {
  const signer = new RsaSigner(privatePem, { engine });
  const verifier = new RsaVerifier(publicPem, { engine });
  rows.push([`RsaSigner.signAsync, engine ${engine}`, await asyncOpsPerSecond(() => signer.signAsync(message))]);
  rows.push([`RsaVerifier.verifyAsync, engine ${engine}`, await asyncOpsPerSecond(() => verifier.verifyAsync(message, signature))]);
}

for (const [name, rate] of rows) console.log(`${name.padEnd(44)} ${rate.toFixed(0).padStart(8)} ops/s`);
const wasm = readFileSync(new URL('../pkg/web/aggpay_bg.wasm', import.meta.url));
console.log(`${'wasm size raw / gzip -9'.padEnd(44)} ${(wasm.length / 1024).toFixed(0)} KiB / ${(gzipSync(wasm, { level: 9 }).length / 1024).toFixed(0)} KiB`);
