#!/usr/bin/env node
// `aggpay sandbox`: starts the local provider emulations of aggpay/sandbox and their control server, prints the
// URLs (and the files written with --out), and runs until SIGINT/SIGTERM. Exit codes: 0 ok, 1 failure, 2 usage error.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PROVIDERS, startSandbox } from '../sandbox/index.mjs';

const HELP = `Usage: aggpay sandbox [options]

Starts local emulations of the Alipay gateway (OpenAPI v2 and v3), WeChat login / official-account OAuth, WeChat
Pay APIv3 and UseePay on 127.0.0.1 (free ports), and a control API a test drives (POST <control>/control/<op>,
JSON; rotateCertificate takes {"provider":"alipay"} for Alipay's certificate).

Options:
  --providers <list>        comma-separated, from ${PROVIDERS.join(',')} (default: all)
  --port <n>                the control API's port (default: a free one)
  --out <dir>               write sandbox.json (URLs, app ids, the sandbox's public keys and certificates) and
                            the public keys / certificates as PEM files; generated merchant credentials go to
                            merchant-keys.json (mode 0600)
  --merchant <file>         the merchant's registered credentials, JSON: { alipay: { appId, appPublicKeyPem,
                            certMode?, appCertPem? },
                            wechatpay: { mchid, appId, merchantSerial, merchantPublicKeyPem, apiV3Key },
                            useepay: { merchantNo, appId, md5Key | merchantPublicKeyPem }, wechat: { apps } };
                            a provider left out gets generated credentials
  --app-id <id>             the Alipay app id (with --app-public-key)
  --app-public-key <file>   the Alipay app public key (PEM) the merchant registered
  --app-cert <file>         certificate mode: the merchant's app certificate (appCertPublicKey_<appId>.crt);
                            without it the sandbox issues one for the app public key
  --alipay-cert-mode        Alipay in public-key certificate mode: the sandbox mints a root, Alipay's and
                            the app's certificates (with openssl); --out writes them as .crt files
  --time-scale <x>          multiply the providers' notification retry schedules by x (default 1)
  --json                    print one JSON line describing the sandbox when ready, nothing else
  -h, --help                this text

Stops on SIGINT or SIGTERM, closing every server.`;

function usage(message) {
  process.stderr.write(`aggpay: ${message}\nRun 'aggpay sandbox --help' for usage.\n`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    strict: true,
    options: {
      providers: { type: 'string' },
      port: { type: 'string' },
      out: { type: 'string' },
      merchant: { type: 'string' },
      'app-id': { type: 'string' },
      'app-public-key': { type: 'string' },
      'app-cert': { type: 'string' },
      'alipay-cert-mode': { type: 'boolean', default: false },
      'time-scale': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
} catch (e) {
  usage(e.message);
}
const { values: o, positionals } = parsed;
if (o.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
if (positionals.length !== 1 || positionals[0] !== 'sandbox') usage(positionals.length ? `unknown command: ${positionals.join(' ')}` : 'a command is required: sandbox');

const readText = (file, what) => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    return usage(`cannot read ${what} ${file}: ${e.code ?? e.message}`);
  }
};

const options = {};
if (o.providers !== undefined) {
  options.providers = o.providers.split(',').map((p) => p.trim()).filter(Boolean);
  const unknown = options.providers.filter((p) => !PROVIDERS.includes(p));
  if (unknown.length || !options.providers.length) usage(`--providers: unknown ${unknown.join(', ') || '(empty)'}; one or more of ${PROVIDERS.join(', ')}`);
}
if (o.port !== undefined) {
  if (!/^\d{1,5}$/.test(o.port) || Number(o.port) > 65535) usage(`--port must be 0 to 65535, not ${o.port}`);
  options.controlPort = Number(o.port);
}
if (o['time-scale'] !== undefined) {
  const x = Number(o['time-scale']);
  if (!Number.isFinite(x) || x < 0 || o['time-scale'].trim() === '') usage(`--time-scale must be a number ≥ 0, not ${o['time-scale']}`);
  options.delivery = { timeScale: x };
}
if (o.merchant !== undefined) {
  let m;
  try {
    m = JSON.parse(readText(o.merchant, '--merchant'));
  } catch (e) {
    usage(`--merchant ${o.merchant}: not JSON (${e.message})`);
  }
  if (m === null || typeof m !== 'object' || Array.isArray(m)) usage('--merchant: a JSON object is expected');
  for (const k of ['alipay', 'wechat', 'wechatpay', 'useepay']) if (m[k] !== undefined) options[k] = m[k];
}
const appKeyGiven = o['app-public-key'] !== undefined || o['app-cert'] !== undefined;
if ((o['app-id'] === undefined) === appKeyGiven) usage('--app-id goes with --app-public-key and/or --app-cert');
if (o['app-id'] !== undefined) {
  options.alipay = { appId: o['app-id'] };
  if (o['app-public-key'] !== undefined) options.alipay.appPublicKeyPem = readText(o['app-public-key'], '--app-public-key');
  if (o['app-cert'] !== undefined) Object.assign(options.alipay, { appCertPem: readText(o['app-cert'], '--app-cert'), certMode: true });
}
if (o['alipay-cert-mode']) options.alipay = { ...options.alipay, certMode: true };

/** Writes the public description and PEM files into `dir`; the generated merchant credentials, 0600. Returns the paths. */
function writeOut(dir, sandbox, description) {
  fs.mkdirSync(dir, { recursive: true });
  const files = {};
  const write = (name, text, mode = 0o644) => {
    const file = path.resolve(dir, name);
    fs.writeFileSync(file, text, { mode });
    fs.chmodSync(file, mode);
    return file;
  };
  if (description.alipay) files.alipayPublicKey = write('alipay-public-key.pem', description.alipay.alipayPublicKeyPem);
  if (description.alipay?.certMode) {
    // Named as Alipay's console names the downloads.
    files.alipayCert = write('alipayCertPublicKey_RSA2.crt', description.alipay.alipayCertPem);
    files.alipayRootCert = write('alipayRootCert.crt', description.alipay.alipayRootCertPem);
    files.appCert = write(`appCertPublicKey_${description.alipay.appId}.crt`, description.alipay.appCertPem);
  }
  if (description.wechatpay) {
    files.wechatpayPlatformCertificate = write('wechatpay-platform-certificate.pem', description.wechatpay.platformCertificatePem);
    files.wechatpayPublicKey = write('wechatpay-public-key.pem', description.wechatpay.wechatpayPublicKeyPem);
  }
  if (description.useepay) files.useepayPublicKey = write('useepay-public-key.pem', description.useepay.useepayPublicKeyPem);
  if (Object.keys(sandbox.merchant).length) files.merchantKeys = write('merchant-keys.json', `${JSON.stringify(sandbox.merchant, null, 2)}\n`, 0o600);
  files.sandbox = path.resolve(dir, 'sandbox.json');
  write('sandbox.json', `${JSON.stringify({ ...description, files }, null, 2)}\n`);
  return files;
}

let sandbox;
try {
  sandbox = await startSandbox(options);
} catch (e) {
  process.stderr.write(`aggpay sandbox: could not start: ${e.message}\n`);
  process.exit(e instanceof TypeError ? 2 : 1);
}
const description = sandbox.describe();
const files = o.out !== undefined ? writeOut(o.out, sandbox, description) : {};

if (o.json) {
  process.stdout.write(`${JSON.stringify({ ...description, files })}\n`);
} else {
  const lines = ['aggpay sandbox running (Ctrl-C to stop)', `  control       ${description.control}/control/<op>`];
  if (description.alipay) {
    const mode = description.alipay.certMode ? `certificate mode, alipay_cert_sn ${description.alipay.alipayCertSn}` : 'public-key mode';
    lines.push(`  alipay        ${description.alipay.gateway} (v3: ${description.alipay.endpoint}/v3/…)  app ${description.alipay.appId}, ${mode}`);
  }
  if (description.wechat) lines.push(`  wechat        ${description.wechat.apiBase}  apps ${description.wechat.appIds.join(', ')}`);
  if (description.wechatpay) lines.push(`  wechatpay     ${description.wechatpay.baseUrl}  mchid ${description.wechatpay.mchid}, platform serial ${description.wechatpay.platformSerial}`);
  if (description.useepay) lines.push(`  useepay       ${description.useepay.gateway}  merchant ${description.useepay.merchantNo} (${description.useepay.signType})`);
  for (const [name, file] of Object.entries(files)) lines.push(`  wrote ${name.padEnd(30)} ${file}`);
  if (!o.out) lines.push('  (--out <dir> writes the public keys, certificates and sandbox.json; --json prints them)');
  process.stdout.write(`${lines.join('\n')}\n`);
}

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  await sandbox.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
