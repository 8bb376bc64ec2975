// The package as users get it: `npm pack` of pkg/, installed from the tarball into a scratch
// project, then used through require(), import, inside real workerd (miniflare) and in Chromium
// (playwright-core). Every runtime must sign byte-for-byte like node:crypto and export the same names.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  bundleWorker, callHarness, fixturesDir, harnessPage, makeTempDir, pkgDir, postToWorker, removeDir, repoRoot, rsaKeyPair, run, serveStatic,
  withChromiumPage,
} from './helpers.mjs';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const message = '支付宝 + 微信支付 = 一码多付 ✓ 😀 amount=0.01&currency=CNY';
const certificateFile = 'wechatpay/java-sdk/merchant_certificate.pem';

let work; // temp dir: tarball + scratch project + bundles
let scratch; // the scratch project with the tarball installed
let packInfo; // npm pack --json output for the tarball
let pair;
let input; // what every runtime is given
let expected; // what every runtime must answer, from node:crypto
const exportNames = {}; // runtime → sorted export names, compared in (d)

/**
 * The same checks in every runtime (workerd bundle and browser page import this file; it imports
 * 'aggpay' by name, so each runtime resolves its own entry). Returns plain JSON.
 */
const EXERCISE_SOURCE = `
import * as aggpay from 'aggpay';
const { AggpayError, Certificate, RsaSigner, RsaVerifier, primitives } = aggpay;
const b64 = (bytes) => { let s = ''; for (const b of bytes) s += String.fromCharCode(b); return btoa(s); };
const unb64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const attempt = (f) => {
  try { return { value: f() }; }
  catch (e) { return { error: { name: e && e.name, code: e && e.code, message: String(e && e.message), isAggpayError: e instanceof AggpayError, isError: e instanceof Error } }; }
};
export function exercise(input) {
  const signer = new RsaSigner(input.privateKey);
  const wasmSigner = new RsaSigner(input.privateKey, { engine: 'wasm', role: 'edge key' });
  const verifier = new RsaVerifier(input.publicKey);
  const certificate = Certificate.parse(input.certificate);
  return {
    names: Object.keys(aggpay).sort(),
    engines: { signerAuto: signer.engine, signerWasm: wasmSigner.engine, verifierAuto: verifier.engine },
    signature: b64(signer.sign(input.message)),
    sha1Signature: b64(wasmSigner.sign(input.message, 'sha1')),
    verifiesNodeSignature: verifier.verify(input.message, unb64(input.nodeSignature)),
    verifiesTampered: verifier.verify(input.message + '!', unb64(input.nodeSignature)),
    spki: b64(signer.publicKeySpki()),
    oaepPlaintext: new TextDecoder().decode(signer.decryptOaep(unb64(input.oaepCiphertext))),
    certificate: { serialHex: certificate.serialHex, serialDecimal: certificate.serialDecimal, subject: certificate.subject, notAfter: certificate.notAfter },
    sha256: b64(primitives.sha256(input.message)),
    nodeEngine: attempt(() => new RsaSigner(input.privateKey, { engine: 'node' }).engine),
    garbage: attempt(() => new RsaSigner('garbage', { role: 'edge key' })),
  };
}
`;

before(async () => {
  pair = rsaKeyPair(2048);
  const certificate = fs.readFileSync(path.join(fixturesDir, certificateFile), 'utf8');
  const nodeCert = new crypto.X509Certificate(certificate);
  const oaepPlaintext = '敏感字段 sensitive';
  input = {
    privateKey: pair.pkcs1Pem,
    publicKey: pair.spkiPem,
    message,
    nodeSignature: crypto.sign('sha256', Buffer.from(message), pair.privateKey).toString('base64'),
    oaepCiphertext: crypto.publicEncrypt({ key: pair.publicKey, oaepHash: 'sha1' }, Buffer.from(oaepPlaintext)).toString('base64'),
    certificate,
  };
  expected = {
    signature: crypto.sign('sha256', Buffer.from(message), pair.privateKey).toString('base64'),
    sha1Signature: crypto.sign('sha1', Buffer.from(message), pair.privateKey).toString('base64'),
    spki: pair.spkiDer.toString('base64'),
    sha256: crypto.createHash('sha256').update(message).digest('base64'),
    oaepPlaintext,
    serialHex: nodeCert.serialNumber.replace(/^(00)+(?=..)/, ''),
    serialDecimal: BigInt(`0x${nodeCert.serialNumber}`).toString(),
    subject: nodeCert.subject.split('\n').reverse().join(','),
    notAfter: Date.parse(nodeCert.validTo) / 1000,
  };

  work = makeTempDir('package');
  const packed = await run(NPM, ['pack', '--pack-destination', work, '--json', '--ignore-scripts', '--loglevel=error'], { cwd: pkgDir, timeout: 120_000 });
  [packInfo] = JSON.parse(packed.stdout);
  scratch = path.join(work, 'project');
  fs.mkdirSync(scratch);
  fs.writeFileSync(path.join(scratch, 'package.json'), JSON.stringify({ name: 'aggpay-scratch', private: true, version: '0.0.0' }, null, 2));
  await run(NPM, ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', path.join(work, packInfo.filename)], { cwd: scratch, timeout: 120_000 });
  fs.writeFileSync(path.join(scratch, 'exercise.mjs'), EXERCISE_SOURCE);
}, { timeout: 240_000 });

after(() => removeDir(work));

/** Asserts a runtime's exercise() result against node:crypto. */
function assertExerciseResult(result, runtime) {
  assert.ok(!result.crashed, `${runtime} crashed: ${result.crashed}`);
  assert.equal(result.signature, expected.signature, `${runtime}: SHA-256 signature differs from node:crypto`);
  assert.equal(result.sha1Signature, expected.sha1Signature, `${runtime}: SHA-1 signature differs from node:crypto`);
  assert.equal(result.verifiesNodeSignature, true, `${runtime}: refuses node's signature`);
  assert.equal(result.verifiesTampered, false, `${runtime}: accepts a tampered message`);
  assert.equal(result.spki, expected.spki, `${runtime}: publicKeySpki`);
  assert.equal(result.sha256, expected.sha256, `${runtime}: primitives.sha256`);
  assert.equal(result.oaepPlaintext, expected.oaepPlaintext, `${runtime}: decryptOaep`);
  assert.deepEqual(result.certificate, {
    serialHex: expected.serialHex, serialDecimal: expected.serialDecimal, subject: expected.subject, notAfter: expected.notAfter,
  }, `${runtime}: Certificate`);
  assert.deepEqual(result.engines, { signerAuto: 'wasm', signerWasm: 'wasm', verifierAuto: 'wasm' }, `${runtime}: engines`);
  assert.equal(result.nodeEngine.error?.code, 'ERR_ENGINE', `${runtime}: engine 'node' must be ERR_ENGINE, got ${JSON.stringify(result.nodeEngine)}`);
  assert.equal(result.nodeEngine.error.isAggpayError, true, `${runtime}: ERR_ENGINE is an AggpayError`);
  assert.deepEqual(
    { code: result.garbage.error?.code, name: result.garbage.error?.name, isAggpayError: result.garbage.error?.isAggpayError, isError: result.garbage.error?.isError },
    { code: 'ERR_KEY_INVALID', name: 'AggpayError', isAggpayError: true, isError: true },
    `${runtime}: garbage key error`,
  );
  assert.match(result.garbage.error.message, /edge key/, `${runtime}: the error names the role`);
}

describe('npm pack + install', () => {
  it('the tarball holds every exported entry and the files they import, and nothing from the Rust build', () => {
    const files = packInfo.files.map((f) => f.path).sort();
    const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    const conditionTargets = (c) => (typeof c === 'string' ? [c] : Object.values(c).flatMap(conditionTargets));
    const targets = new Set([pkg.main, pkg.types, ...conditionTargets(pkg.exports['.']), ...conditionTargets(pkg.exports['./sandbox']), ...Object.values(pkg.bin)].map((p) => p.replace(/^\.\//, '')));
    for (const target of targets) assert.ok(files.includes(target), `exports target ${target} is not in the tarball`);
    for (const file of files) {
      assert.match(file, /^(package\.json|README(\.md)?|LICENSE(\.md)?|dist\/.+|web\/.+|src\/.+\.mjs|sandbox\/.+\.mjs|bin\/aggpay\.mjs|types\/.+\.d\.[cm]?ts)$/, `unexpected file in the tarball: ${file}`);
    }
    // The Wasm ships once: every entry (Node included) instantiates web/aggpay_bg.wasm.
    assert.deepEqual(files.filter((f) => f.endsWith('.wasm')), ['web/aggpay_bg.wasm'], 'one .wasm in the tarball');
    // Every relative import of every packed JS file resolves inside the installed package.
    const installed = path.join(scratch, 'node_modules', 'aggpay');
    for (const file of files.filter((f) => /\.(mjs|cjs|js)$/.test(f))) {
      const source = fs.readFileSync(path.join(installed, file), 'utf8');
      for (const [, spec] of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
        // `.wasm?module` (the edge-light entry): Vercel's bundler strips the suffix.
        const resolved = path.join(path.dirname(path.join(installed, file)), spec.replace(/\.wasm\?module$/, '.wasm'));
        assert.ok(fs.existsSync(resolved), `${file} imports ${spec}, which is not in the installed package`);
      }
    }
    assert.equal(packInfo.name, 'aggpay');
    assert.ok(packInfo.size < 5 * 1024 * 1024, `tarball is ${packInfo.size} bytes`);
  });

  it('the manifest: repository, homepage, bugs, engines, and sideEffects naming the entries that instantiate the Wasm', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(scratch, 'node_modules', 'aggpay', 'package.json'), 'utf8'));
    assert.match(pkg.repository.url, /^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/);
    assert.ok(pkg.homepage.startsWith(pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '')), 'homepage is the repository');
    assert.match(pkg.bugs.url, /\/issues$/);
    assert.equal(pkg.engines.node, '>=20');
    assert.ok(Array.isArray(pkg.sideEffects), 'sideEffects lists the files with side effects');
    const entries = ['./dist/node.cjs', './src/node-esm.mjs', './src/workerd.mjs', './src/edge-light.mjs', './dist/browser.mjs'];
    for (const entry of entries) assert.ok(pkg.sideEffects.includes(entry), `sideEffects includes ${entry}`);
  });

  it("the README's links work from npm: no link relative to the repository (the tarball has no examples/ or scripts/)", () => {
    const readme = fs.readFileSync(path.join(scratch, 'node_modules', 'aggpay', 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
    assert.ok(links.some((l) => l.includes('/examples/')), 'the README still links to the examples');
    const relative = links.filter((l) => !/^(https:\/\/|#)/.test(l));
    assert.deepEqual(relative, [], 'relative links in the packed README');
    const repository = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
    for (const link of links.filter((l) => l.startsWith(repository))) {
      const file = link.slice(repository.length).replace(/^\/(blob|tree)\/HEAD\//, '');
      assert.ok(fs.existsSync(path.join(repoRoot, file)), `${link}: ${file} is not in the repository`);
    }
  });

  it('the package checks are clean on the tarball: publint --strict and @arethetypeswrong/cli', { timeout: 120_000 }, async () => {
    const tarball = path.join(work, packInfo.filename);
    const bin = (name) => path.join(repoRoot, 'node_modules', '.bin', name);
    const publint = await run(bin('publint'), ['run', tarball, '--strict'], { cwd: work, timeout: 60_000 });
    assert.match(publint.stdout, /All good!/, publint.stdout);
    // The main entry under every resolution mode TypeScript has (node10, node16 from CJS and ESM, bundler) …
    await run(bin('attw'), [tarball, '--entrypoints', '.', './package.json', '--format', 'ascii', '--no-color'], { cwd: work, timeout: 60_000 });
    // … and the sandbox, which is ESM only (Node ≥ 20; CommonJS code uses `await import('aggpay/sandbox')`).
    await run(bin('attw'), [tarball, '--entrypoints', './sandbox', '--profile', 'esm-only', '--format', 'ascii', '--no-color'], { cwd: work, timeout: 60_000 });
  });

  it("import 'aggpay/sandbox' from the installed tarball starts an emulation; the aggpay bin is linked", { timeout: 60_000 }, async () => {
    const file = path.join(scratch, 'sandbox-check.mjs');
    fs.writeFileSync(file, `
      import { startSandbox } from 'aggpay/sandbox';
      import { fileURLToPath } from 'node:url';
      const sandbox = await startSandbox({ providers: ['alipay'] });
      const res = await fetch(sandbox.alipay.gateway, { method: 'POST' });
      process.stdout.write(JSON.stringify({ resolved: fileURLToPath(import.meta.resolve('aggpay/sandbox')), status: res.status, body: await res.text() }));
      await sandbox.close();`);
    const { stdout } = await run(process.execPath, [file], { cwd: scratch, timeout: 50_000 });
    const out = JSON.parse(stdout);
    assert.equal(out.resolved, fs.realpathSync(path.join(scratch, 'node_modules/aggpay/sandbox/index.mjs')));
    assert.equal(out.status, 200);
    assert.equal(JSON.parse(out.body).error_response.sub_code, 'isv.missing-method', 'an unsigned gateway refusal');
    const help = await run(path.join(scratch, 'node_modules', '.bin', 'aggpay'), ['sandbox', '--help'], { cwd: scratch, timeout: 30_000 });
    assert.match(help.stdout, /Usage: aggpay sandbox/);
    const keys = await run(path.join(scratch, 'node_modules', '.bin', 'aggpay'), ['keys', '--help'], { cwd: scratch, timeout: 30_000 });
    assert.match(keys.stdout, /Usage: aggpay keys/, 'commander, the declared dependency, is installed with the package');
    // npx aggpay explain: where a provider's report of the signed text differs (exit 1), from the tarball.
    fs.writeFileSync(path.join(scratch, 'notify.txt'), 'total_amount=12.34&out_trade_no=T1&sign_type=RSA2&sign=c2ln');
    const differs = await run(NPM === 'npm.cmd' ? 'npx.cmd' : 'npx', ['--no-install', 'aggpay', 'explain', 'notify.txt', '--provider', 'alipay', '--notification', '--rule', 'payment', '--reported', 'out_trade_no=T1&total_amount=1234'], { cwd: scratch, timeout: 30_000 })
      .then(() => assert.fail('explain exits 1 when the report differs'), (error) => error);
    assert.equal(differs.code, 1, differs.message);
    assert.match(differs.message, /out_trade_no=T1&total_amount=12\.34/, 'the text the signature covers');
    assert.match(differs.message, /first difference at character 31/, 'where the report differs');
  });

  it("(a) require('aggpay') from the installed tarball signs like node:crypto", async () => {
    const script = `
      const { RsaSigner, RsaVerifier, AggpayError } = require('aggpay');
      const input = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
      const out = { resolved: require.resolve('aggpay'), names: Object.keys(require('aggpay')).sort() };
      for (const engine of ['auto', 'node', 'wasm']) {
        const signer = new RsaSigner(input.privateKey, { engine });
        out[engine] = { engine: signer.engine, signature: Buffer.from(signer.sign(input.message)).toString('base64') };
      }
      out.verifies = new RsaVerifier(input.publicKey).verify(input.message, Buffer.from(input.nodeSignature, 'base64'));
      try { new RsaSigner('x'); } catch (e) { out.errorIsAggpayError = e instanceof AggpayError && e instanceof Error; }
      process.stdout.write(JSON.stringify(out));`;
    const { stdout } = await run(process.execPath, ['-e', script], { cwd: scratch, input: JSON.stringify(input), timeout: 60_000 });
    const out = JSON.parse(stdout);
    assert.equal(out.resolved, fs.realpathSync(path.join(scratch, 'node_modules/aggpay/dist/node.cjs')), 'resolves the installed copy');
    assert.deepEqual(out.auto, { engine: 'node', signature: expected.signature });
    assert.deepEqual(out.node, { engine: 'node', signature: expected.signature });
    assert.deepEqual(out.wasm, { engine: 'wasm', signature: expected.signature });
    assert.equal(out.verifies, true);
    assert.equal(out.errorIsAggpayError, true);
    exportNames['node require()'] = out.names;
  });

  it("(b) import { RsaSigner } from 'aggpay' in an .mjs file signs like node:crypto", async () => {
    const file = path.join(scratch, 'esm-check.mjs');
    fs.writeFileSync(file, `
      import { RsaSigner, RsaVerifier } from 'aggpay';
      import * as aggpay from 'aggpay';
      import { readFileSync } from 'node:fs';
      import { fileURLToPath } from 'node:url';
      const input = JSON.parse(readFileSync(0, 'utf8'));
      import { createRequire } from 'node:module';
      const out = { resolved: fileURLToPath(import.meta.resolve('aggpay')), names: Object.keys(aggpay).sort() };
      out.oneInstance = aggpay.RsaSigner === createRequire(import.meta.url)('aggpay').RsaSigner && aggpay.default === createRequire(import.meta.url)('aggpay');
      for (const engine of ['auto', 'node', 'wasm']) {
        const signer = new RsaSigner(input.privateKey, { engine });
        out[engine] = { engine: signer.engine, signature: Buffer.from(signer.sign(input.message)).toString('base64') };
      }
      out.verifies = new RsaVerifier(input.publicKey, { engine: 'wasm' }).verify(input.message, Buffer.from(input.nodeSignature, 'base64'));
      process.stdout.write(JSON.stringify(out));`);
    const { stdout } = await run(process.execPath, [file], { cwd: scratch, input: JSON.stringify(input), timeout: 60_000 });
    const out = JSON.parse(stdout);
    // `import` loads a small ESM entry that re-exports the CommonJS bundle's names: one instance for both.
    assert.equal(out.resolved, fs.realpathSync(path.join(scratch, 'node_modules/aggpay/src/node-esm.mjs')), 'resolves the installed copy');
    assert.equal(out.oneInstance, true, 'import and require share one instance, and default is module.exports');
    assert.deepEqual(out.auto, { engine: 'node', signature: expected.signature });
    assert.deepEqual(out.node, { engine: 'node', signature: expected.signature });
    assert.deepEqual(out.wasm, { engine: 'wasm', signature: expected.signature });
    assert.equal(out.verifies, true);
    // `default` (= module.exports, as CommonJS interop gave it) besides the names, which must match require().
    exportNames['node import'] = out.names.filter((name) => name !== 'default');
    assert.ok(out.names.includes('default'), 'default is kept');
  });

  it('(c) require() and import share one module instance: the same class objects', async () => {
    const file = path.join(scratch, 'same-instance.mjs');
    fs.writeFileSync(file, `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const required = require('aggpay');
      const imported = await import('aggpay');
      const names = Object.keys(required);
      const same = Object.fromEntries(names.map((n) => [n, required[n] === imported[n]]));
      let crossInstanceof = false;
      try { new required.RsaSigner(''); } catch (e) { crossInstanceof = e instanceof imported.AggpayError; }
      process.stdout.write(JSON.stringify({ names, same, crossInstanceof, defaultIsExports: imported.default === required }));`);
    const { stdout } = await run(process.execPath, [file], { cwd: scratch, timeout: 60_000 });
    const out = JSON.parse(stdout);
    for (const name of ['RsaSigner', 'RsaVerifier', 'Certificate', 'AggpayError', 'primitives']) {
      assert.ok(out.names.includes(name), `require('aggpay') exports ${name}`);
    }
    for (const [name, same] of Object.entries(out.same)) assert.equal(same, true, `require('aggpay').${name} === (await import('aggpay')).${name}`);
    assert.equal(out.crossInstanceof, true, 'an error thrown through require() is instanceof the imported AggpayError');
    assert.equal(out.defaultIsExports, true);
  });

  it('(e) inside workerd (miniflare): the workerd entry, bundled with esbuild, signs in Wasm like node:crypto', { timeout: 120_000 }, async () => {
    fs.writeFileSync(path.join(scratch, 'worker-entry.mjs'), `
      import { exercise } from './exercise.mjs';
      export default {
        async fetch(request) {
          try { return Response.json(exercise(await request.json())); }
          catch (e) { return Response.json({ crashed: String((e && e.stack) || e) }, { status: 500 }); }
        },
      };`);
    const bundle = await bundleWorker(path.join(work, 'worker-bundle'), { absWorkingDir: scratch, entryPoints: ['worker-entry.mjs'] });
    assert.ok(bundle.inputs.some((p) => p.endsWith('node_modules/aggpay/src/workerd.mjs')), `the bundle uses the workerd entry (inputs: ${bundle.inputs.join(', ')})`);
    assert.ok(bundle.wasmSource.endsWith(path.join('node_modules', 'aggpay', 'web', 'aggpay_bg.wasm')), bundle.wasmSource);
    const out = await postToWorker(bundle, input);
    assertExerciseResult(out, 'workerd');
    exportNames.workerd = out.names;
  });

  it('(f) in Chromium: the browser entry, served over 127.0.0.1 with application/wasm, signs like node:crypto', { timeout: 120_000 }, async () => {
    const server = await serveStatic({
      root: scratch,
      pages: { '/': ['text/html; charset=utf-8', harnessPage({ title: 'aggpay browser test', aggpay: '/node_modules/aggpay/dist/browser.mjs', module: '/exercise.mjs' })] },
    });
    let result;
    try {
      result = await withChromiumPage(server.url, (page) => callHarness(page, 'exercise', input));
    } finally {
      await server.close();
    }
    const { value: out, consoleMessages } = result;
    assertExerciseResult(out, 'Chromium');
    exportNames.browser = out.names;
    const { served } = server;
    const wasm = served.find((s) => s.path.endsWith('/aggpay_bg.wasm'));
    assert.deepEqual(wasm, { path: '/node_modules/aggpay/web/aggpay_bg.wasm', status: 200, type: 'application/wasm' }, `requests: ${JSON.stringify(served)}`);
    assert.deepEqual(served.filter((s) => s.status !== 200), [], 'no missing files');
    assert.deepEqual(consoleMessages.filter((m) => /error|warn|instantiateStreaming|MIME/i.test(m)), [], 'no console errors or warnings');
  });

  it('(d) every entry exports the same names: node require(), node import, workerd, browser', () => {
    for (const runtime of ['node require()', 'node import', 'workerd', 'browser']) {
      assert.ok(exportNames[runtime], `no export names collected from ${runtime} (its test above failed or did not run)`);
    }
    const reference = exportNames['node require()'];
    for (const name of ['AggpayError', 'Certificate', 'RsaSigner', 'RsaVerifier', 'primitives']) {
      assert.ok(reference.includes(name), `the package exports ${name}`);
    }
    for (const [runtime, names] of Object.entries(exportNames)) {
      assert.deepEqual(names, reference, `${runtime} exports differ from node require()`);
    }
  });
});
