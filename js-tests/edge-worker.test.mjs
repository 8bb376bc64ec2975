// examples/edge-worker as a user deploys it: the packed tarball installed into a scratch project
// holding the example's wrangler.toml and src/, bundled twice — by wrangler's own bundler
// (`wrangler deploy --dry-run --outdir`) and by plain esbuild with documented flags only — and each
// bundle run in workerd (miniflare). Every notification is signed here with node:crypto standing in
// for the provider; the order the worker creates is checked with node:crypto at a stand-in gateway
// (miniflare's outbound service), which answers with a response signed the same way.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Checkout, UseePay, WechatPay, Alipay } from 'aggpay';
import { nodeSign as alipaySign, nodeVerify as alipayVerify, signContent } from './alipay-helpers.mjs';
import { alipayGateway, exampleDir, makeProviders, vars } from './edge-worker-helpers.mjs';
import { makeRng, makeTempDir, pkgDir, removeDir, repoRoot, run, withTimeout } from './helpers.mjs';
import { alnum } from './wechatpay-helpers.mjs';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const bin = (name) => path.join(repoRoot, 'node_modules', '.bin', name);
const rng = makeRng('edge-worker');

// The providers' keys (node:crypto signs as they do), the merchant's, and their notifications.
const { alipayKeys, apiV3Key: API_V3_KEY, secrets, notifications: NOTIFICATIONS } = makeProviders(rng);
const alipayNotification = NOTIFICATIONS.alipay;
/** The replies each provider documents (README, "One order, one event"): success, and refused. */
const DOCUMENTED = {
  alipay: { ok: [200, 'success'], refused: [400, 'fail'] },
  wechatpay: { ok: [204, ''], refused: [401, /"code":"FAIL"/] },
  useepay: { ok: [200, 'OK'], refused: [400, 'fail'] },
};

/** The same clients in Node (node engine): the replies the worker must send, header for header. */
const reference = {
  alipay: new Checkout({ alipay: new Alipay({ appId: vars.ALIPAY_APP_ID, alipayPublicKey: secrets.ALIPAY_PUBLIC_KEY }) }),
  wechatpay: new Checkout({ wechat: new WechatPay({ mchid: vars.WECHATPAY_MCHID, apiV3Key: API_V3_KEY, wechatpayPublicKey: secrets.WECHATPAY_PUBLIC_KEY, wechatpayPublicKeyId: vars.WECHATPAY_PUBLIC_KEY_ID }) }),
  useepay: new Checkout({ wechat: new UseePay({ merchantNo: vars.USEEPAY_MERCHANT_NO, appId: vars.USEEPAY_APP_ID, signType: 'RSA', useepayPublicKey: secrets.USEEPAY_PUBLIC_KEY }) }),
};
async function expectedReply(provider, message) {
  try {
    return (await reference[provider].verifyEventAsync(provider, message)).reply;
  } catch (error) {
    return reference[provider].failureReply(provider, error);
  }
}

// --- the stand-in Alipay gateway (the worker's outbound fetch) --------------------------------------
const gatewayRequests = [];
const gateway = alipayGateway(alipayKeys, gatewayRequests);

// --- building and running -----------------------------------------------------------------------------
let work;
let project;
let tarball;
/** A scratch project with the tarball installed (as `npm install aggpay` would). */
async function scratchProject(name) {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `${name}-scratch`, private: true, type: 'module' }));
  await run(NPM, ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', tarball], { cwd: dir, timeout: 120_000 });
  return dir;
}
/** `wrangler deploy --dry-run --outdir` in `cwd`: wrangler's own bundler, nothing configured beyond wrangler.toml. */
async function wranglerBuild(cwd, outdir) {
  await run(bin('wrangler'), ['deploy', '--dry-run', '--outdir', outdir], {
    cwd, timeout: 120_000, env: { WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1', HOME: work, XDG_CONFIG_HOME: path.join(work, '.config') },
  });
  return outdir;
}

before(async () => {
  work = makeTempDir('edge-worker');
  const packed = await run(NPM, ['pack', '--pack-destination', work, '--json', '--ignore-scripts', '--loglevel=error'], { cwd: pkgDir, timeout: 120_000 });
  tarball = path.join(work, JSON.parse(packed.stdout)[0].filename);
  // The example as a user has it: its config and source, with aggpay installed from the tarball.
  project = await scratchProject('project');
  fs.cpSync(path.join(exampleDir, 'src'), path.join(project, 'src'), { recursive: true });
  fs.copyFileSync(path.join(exampleDir, 'wrangler.toml'), path.join(project, 'wrangler.toml'));
}, { timeout: 240_000 });
after(() => removeDir(work));

/** Builders: each returns the output directory; the worker's module is its only .js/.mjs file. */
const BUILDERS = {
  wrangler: () => wranglerBuild(project, path.join(work, 'wrangler-out')),
  async esbuild() {
    const outdir = path.join(work, 'esbuild-out');
    // Documented flags only: the workerd export condition, and the .wasm copied next to the bundle.
    await run(bin('esbuild'), ['src/index.mjs', '--bundle', '--format=esm', '--conditions=workerd', '--loader:.wasm=copy', '--asset-names=[name]', `--outdir=${outdir}`, '--log-level=warning'], { cwd: project, timeout: 120_000 });
    return outdir;
  },
};

/** A worker started from `outdir` in workerd: its module collected with a CompiledWasm rule for .wasm, as wrangler deploys it. */
async function startWorker(outdir, bindings = { ...vars, ...secrets }) {
  const { Miniflare } = await import('miniflare');
  const script = fs.readdirSync(outdir).find((f) => /\.m?js$/.test(f));
  const mf = new Miniflare({
    host: '127.0.0.1',
    port: 0,
    compatibilityDate: '2025-09-01',
    modules: true,
    modulesRoot: outdir,
    scriptPath: path.join(outdir, script),
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    bindings,
    outboundService: gateway,
  });
  await withTimeout(mf.ready, 60_000, 'miniflare start');
  return mf;
}

for (const [builder, build] of Object.entries(BUILDERS)) {
  describe(`examples/edge-worker built by ${builder}, in workerd`, () => {
    let outdir;
    let mf;
    before(async () => {
      outdir = await build();
      mf = await startWorker(outdir);
    }, { timeout: 240_000 });
    after(async () => {
      if (mf) await withTimeout(mf.dispose(), 30_000, 'miniflare dispose');
    });

    it('the bundle holds the workerd entry and the package\'s one .wasm, as a module of its own', () => {
      const files = fs.readdirSync(outdir);
      const wasm = files.filter((f) => f.endsWith('.wasm'));
      assert.equal(wasm.length, 1, `one .wasm in ${files.join(', ')}`);
      assert.ok(fs.readFileSync(path.join(outdir, wasm[0])).equals(fs.readFileSync(path.join(pkgDir, 'web', 'aggpay_bg.wasm'))), 'the package\'s .wasm');
      const script = fs.readFileSync(path.join(outdir, files.find((f) => /\.m?js$/.test(f))), 'utf8');
      assert.match(script, new RegExp(`from\\s*["']\\./${wasm[0].replace(/[.]/g, '\\.')}["']`), 'the bundle imports the .wasm as a module');
      assert.match(script, /initSync\(\{\s*module:/, 'the workerd entry: instantiated from the imported module');
      assert.doesNotMatch(script, /^await /m, 'not the browser entry (a top-level await of fetch)');
    });

    for (const provider of Object.keys(NOTIFICATIONS)) {
      it(`${provider}: a signed notification gets the provider's success reply; a tampered one its failure reply`, { timeout: 60_000 }, async () => {
        for (const tamper of [false, true]) {
          const message = NOTIFICATIONS[provider]({ tamper });
          const response = await mf.dispatchFetch(`https://worker.example/notify/${provider}`, { method: 'POST', headers: message.headers, body: message.body });
          const text = await response.text();
          const [status, body] = DOCUMENTED[provider][tamper ? 'refused' : 'ok'];
          const what = `${provider}, ${tamper ? 'tampered' : 'valid'}`;
          assert.equal(response.status, status, `${what}: status (body ${text})`);
          if (body instanceof RegExp) assert.match(text, body, what);
          else assert.equal(text, body, what);
          const expected = await expectedReply(provider, { headers: message.headers, body: message.body });
          assert.equal(response.status, expected.status, `${what}: the library's reply`);
          assert.equal(text, expected.body ?? '', `${what}: the library's reply body`);
          for (const [name, value] of Object.entries(expected.headers)) assert.equal(response.headers.get(name), value, `${what}: header ${name}`);
        }
      });
    }

    it('POST /orders: alipay.trade.create signed through WebCrypto (checked with node:crypto), the verified reply → { tradeNO }', { timeout: 60_000 }, async () => {
      gatewayRequests.length = 0;
      const order = { outTradeNo: `W${alnum(rng, 12)}`, subject: '咖啡', amountMinor: 1234, userId: '2088102177846880' };
      const response = await mf.dispatchFetch('https://worker.example/orders', { method: 'POST', body: JSON.stringify(order), headers: { 'content-type': 'application/json' } });
      const text = await response.text();
      assert.equal(response.status, 200, text);
      assert.deepEqual(JSON.parse(text), { tradeNO: '2026120122001446899' });
      assert.equal(gatewayRequests.length, 1);
      const [{ url, method, params }] = gatewayRequests;
      assert.equal(`${method} ${url}`, 'POST https://openapi.alipay.com/gateway.do');
      const get = (name) => params.find(([k]) => k === name)?.[1];
      assert.ok(alipayVerify(signContent(params), get('sign'), alipayKeys.app.publicKey), 'node:crypto verifies the request\'s signature with the app public key');
      assert.equal(get('method'), 'alipay.trade.create');
      assert.equal(get('app_id'), vars.ALIPAY_APP_ID);
      assert.equal(get('notify_url'), vars.ALIPAY_NOTIFY_URL);
      assert.deepEqual(JSON.parse(get('biz_content')), {
        out_trade_no: order.outTradeNo, total_amount: '12.34', subject: '咖啡', product_code: 'JSAPI_PAY', buyer_id: order.userId,
      });
      // PKCS#1 v1.5 is deterministic: node:crypto's signature over the same string is the same bytes.
      assert.equal(get('sign'), alipaySign(signContent(params), alipayKeys.app.privateKey));
    });
  });
}

describe("the README's edge section, copied into an empty directory: a worker that verifies Alipay's notifications", () => {
  let mf;
  after(async () => {
    if (mf) await withTimeout(mf.dispose(), 30_000, 'miniflare dispose');
  });

  it('wrangler.toml and src/index.mjs as printed, built by wrangler, run in workerd: success, then fail for a tampered body', { timeout: 240_000 }, async () => {
    const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const section = readme.split('\n## Cloudflare Workers / edge\n')[1].split('\n## ')[0];
    const toml = /^```toml\n([\s\S]*?)^```$/m.exec(section)[1];
    const handler = /^```js\n(\/\/ src\/index\.mjs\n[\s\S]*?)^```$/m.exec(section)[1];
    assert.match(section, /^npm install aggpay$/m, 'the section installs the package');
    const dir = await scratchProject('readme');
    fs.writeFileSync(path.join(dir, 'wrangler.toml'), toml);
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(path.join(dir, 'src', 'index.mjs'), handler);
    const outdir = await wranglerBuild(dir, path.join(work, 'readme-out'));
    const readmeVars = Object.fromEntries([...toml.split('[vars]')[1].matchAll(/^([A-Z0-9_]+) = "([^"]*)"$/gm)].map((m) => [m[1], m[2]]));
    assert.equal(readmeVars.ALIPAY_APP_ID, vars.ALIPAY_APP_ID, 'the notifications below are for this app');
    mf = await startWorker(outdir, { ...readmeVars, ALIPAY_PUBLIC_KEY: secrets.ALIPAY_PUBLIC_KEY });
    for (const [tamper, status, body] of [[false, 200, 'success'], [true, 400, 'fail']]) {
      const message = alipayNotification({ tamper });
      const response = await mf.dispatchFetch('https://worker.example/', { method: 'POST', headers: message.headers, body: message.body });
      assert.deepEqual([response.status, await response.text()], [status, body], tamper ? 'tampered' : 'valid');
    }
  });
});
