// The benchmarks run (one short round each), so that `npm run bench` does not rot between the times
// someone measures. Nothing here looks at a number: each benchmark checks what it times — every
// library call against node:crypto, every reply the merchant app and the worker send, every order
// paid — and refuses to time anything wrong, so a smoke run fails when any of that breaks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { repoRoot, run } from './helpers.mjs';

const bench = (script, args, timeout = 240_000) => run(process.execPath, [`bench/${script}`, ...args], { cwd: repoRoot, timeout });

describe('benchmarks, one short round each', () => {
  it('bench/size.mjs: the .wasm by crate, aggpay and the RSA arithmetic among them', async () => {
    const { stdout } = await bench('size.mjs', []);
    assert.match(stdout, /^\| crate \| functions \| code KiB raw \| % of code \| gzip KiB alone \|$/m);
    for (const crate of ['aggpay', 'crypto_bigint', 'rsa', 'der', 'serde_json']) assert.match(stdout, new RegExp(`^\\| ${crate} \\| \\d+ \\|`, 'm'), crate);
    assert.doesNotMatch(stdout, /encoding_rs/, 'GBK is the host TextDecoder\'s in Wasm: encoding_rs is not in the module');
  });

  it('bench/size-floor.mjs --quick: the floor module signs and verifies as node:crypto does, then is sized', { timeout: 600_000 }, async () => {
    const { stdout } = await bench('size-floor.mjs', ['--quick'], 580_000);
    assert.match(stdout, /^\| the floor: RSA, DER and X\.509, JSON, wasm-bindgen \(opt-level 3\) \| \d+ KiB \| \d+ KiB \| \d+ KiB \|$/m);
    assert.match(stdout, /^\| aggpay's module /m);
  });

  it('bench/peers.mjs --quick: every contender checked against node:crypto, the table printed', { timeout: 300_000 }, async () => {
    const { stdout } = await bench('peers.mjs', ['--quick'], 280_000);
    for (const row of ['signed Alipay request', 'Alipay notification (verify)', 'WeChat Pay v3 notification (verify + decrypt)', 'UseePay request, MD5 (query)', 'cold start: first signed Alipay request']) {
      assert.ok(stdout.includes(`| ${row}`), row);
    }
  });

  it('bench/edge-requests.mjs: each request of the example worker answered as its provider expects, on both engines', { timeout: 300_000 }, async () => {
    const { stdout } = await bench('edge-requests.mjs', ['--rounds=1', '--per=1']);
    assert.match(stdout, /^\| request \(ms over the 405 baseline\) \| `webcrypto` engine \| `wasm` engine \|$/m);
    for (const row of ['Alipay notification', 'WeChat Pay notification (verify + decrypt)', 'UseePay notification', 'Alipay order (sign, send, verify the reply)']) {
      assert.match(stdout, new RegExp(`^\\| ${row.replace(/[()+]/g, '\\$&')} \\| -?[\\d.]+ \\| -?[\\d.]+ \\|$`, 'm'), row);
    }
  });

  it('bench/browser-coldstart.mjs: the request built in Chromium verifies with node:crypto, then both pages are timed', { timeout: 300_000 }, async () => {
    const { stdout } = await bench('browser-coldstart.mjs', ['1']);
    assert.match(stdout, /^empty page \d+ ms, page with aggpay \d+ ms \(since navigation start\): aggpay adds -?\d+ ms$/m);
  });

  it('bench/load.mjs: the merchant app answers every notification `success` and every order ends paid', { timeout: 300_000 }, async () => {
    const { stdout } = await bench('load.mjs', ['--per-level=20', '--levels=1,4']);
    assert.match(stdout, /^\| 1 \| \d+ \| [\d.]+ ms \| [\d.]+ ms \|/m);
    assert.match(stdout, /^\| 4 \| \d+ \| [\d.]+ ms \| [\d.]+ ms \|/m);
  });
});
