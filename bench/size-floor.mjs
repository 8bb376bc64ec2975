// Measures, never asserts: the size floor of aggpay's .wasm. Builds bench/size-floor, a module holding
// only the operations aggpay cannot do without in Wasm (RSA signing and verification, keys from DER,
// X.509 certificates, JSON) through the crates it must use, and none of aggpay's own code; checks each
// operation against node:crypto; and prints its size at aggpay's opt-level 3 and at "z", next to
// aggpay's own module. Whatever aggpay's features add comes on top of this floor.
// Run after a build: node bench/size-floor.mjs   [--quick: opt-level 3 only]
import { X509Certificate, generateKeyPairSync, sign, verify } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('../', import.meta.url));
const crate = `${root}bench/size-floor`;
const targetDir = `${root}target/size-floor`;

function check(what, ok) {
  if (!ok) throw new Error(`bench/size-floor.mjs: ${what} did not do what node:crypto expects; refusing to report its size`);
}

/** Builds the floor at `optLevel` and returns its wasm-bindgen output directory. */
function build(optLevel) {
  const env = { ...process.env, CARGO_TARGET_DIR: targetDir, CARGO_PROFILE_RELEASE_OPT_LEVEL: optLevel, RUSTFLAGS: '--cfg cpubits="32"' };
  execFileSync('cargo', ['build', '--quiet', '--release', '--target', 'wasm32-unknown-unknown', '--manifest-path', `${crate}/Cargo.toml`], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  const out = `${targetDir}/bindgen-${optLevel}`;
  execFileSync('wasm-bindgen', ['--target', 'web', '--remove-name-section', '--out-dir', out, `${targetDir}/wasm32-unknown-unknown/release/aggpay_size_floor.wasm`], { stdio: 'inherit' });
  writeFileSync(`${out}/package.json`, '{ "type": "module" }\n');
  return out;
}

/** Runs every operation of the floor built in `out` against node:crypto. */
async function checkFloor(out) {
  const floor = await import(`${out}/aggpay_size_floor.js`);
  floor.initSync({ module: readFileSync(`${out}/aggpay_size_floor_bg.wasm`) });
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const message = Buffer.from('app_id=2021000122671080&biz_content={"out_trade_no":"T1"}&method=alipay.trade.create');
  for (const [hash, sha1] of [['sha256', false], ['sha1', true]]) {
    const signature = floor.sign(pkcs8, message, sha1);
    check(`${hash} signing`, Buffer.from(signature).equals(sign(hash, message, privateKey)));
    check(`${hash} verification`, floor.verify(spki, message, sign(hash, message, privateKey), sha1) && verify(hash, message, publicKey, signature));
    check(`${hash} verification (tampered)`, !floor.verify(spki, Buffer.from(message.toString().replace('T1', 'T2')), signature, sha1));
  }
  const certificate = new X509Certificate(readFileSync(`${root}fuzz/corpus/keys/alipay-sdk-nodejs-alipayCertPublicKey_RSA2.crt`));
  const [serial, subject] = floor.certificate(certificate.raw);
  check('certificate parsing', serial.replace(/^0+/, '') === certificate.serialNumber.replace(/^0+/, '').toUpperCase() && subject.length > 0);
  check('certificate key', certificate.publicKey.asymmetricKeyType === 'rsa');
  const json = '{"total_amount":"88.88","amount":{"total":100000000000000000001},"b":1,"a":[true,null]}';
  check('JSON', floor.json(json) === json);
}

const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
const sizes = (file) => {
  const bytes = readFileSync(file);
  const br = brotliCompressSync(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length } }).length;
  return `${kib(bytes.length)} | ${kib(gzipSync(bytes, { level: 9 }).length)} | ${kib(br)}`;
};

const rows = [];
for (const level of process.argv.includes('--quick') ? ['3'] : ['3', 'z']) {
  const out = build(level);
  await checkFloor(out);
  rows.push(`| the floor: RSA, DER and X.509, JSON, wasm-bindgen (opt-level ${level === '3' ? '3' : '"z"'}) | ${sizes(`${out}/aggpay_size_floor_bg.wasm`)} |`);
}
rows.push(`| aggpay's module (\`pkg/web/aggpay_bg.wasm\`, opt-level 3) | ${sizes(`${root}pkg/web/aggpay_bg.wasm`)} |`);
console.log('| module | raw | gzip -9 | brotli -11 |');
console.log('|---|---:|---:|---:|');
console.log(rows.join('\n'));
