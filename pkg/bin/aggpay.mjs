#!/usr/bin/env node
// `aggpay`: the package's command line, on commander. Commands: explain, verify, keys, sign, sandbox.
// Exit codes: 0 ok, 1 the check failed (a signature that does not verify, a reported string that differs),
// 2 usage or input error. No secret (private key, MD5 key, APIv3 key) is ever written to stdout or stderr.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';

const require = createRequire(import.meta.url);
const VERSION = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
let aggpayModule;
const aggpay = () => (aggpayModule ??= require('../dist/node.cjs'));

// ---------------------------------------------------------------------------------------------------------
// Output that never carries a secret: every text read as a secret is registered and masked on the way out.

const secrets = new Set();
function addSecret(text) {
  for (const piece of [text, ...String(text).split(/\s+/)]) {
    const s = piece.trim();
    if (s.length >= 8 && !/^-----/.test(s)) secrets.add(s);
  }
  const body = String(text).replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  if (body.length >= 8) secrets.add(body);
}
function scrub(text) {
  let out = String(text);
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join('[secret]');
  return out.replace(/-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?(-----END \1PRIVATE KEY-----|$)/g, '[private key]');
}
const out = (text) => process.stdout.write(`${scrub(text)}\n`);
const err = (text) => process.stderr.write(`${scrub(text)}\n`);

/** A usage or input error: exit 2. */
class UsageError extends Error {}
const usage = (message) => {
  throw new UsageError(message);
};

function readFile(file, what) {
  try {
    const text = fs.readFileSync(file, 'utf8');
    // A private key given where public material was expected is still a secret.
    if (/PRIVATE KEY|"(privateKey|privateKeyPem|md5Key|apiV3Key)"/.test(text)) addSecret(text);
    return text;
  } catch (e) {
    return usage(`cannot read ${what} ${file}: ${e.code ?? e.message}`);
  }
}
function readSecretFile(file, what) {
  const text = readFile(file, what);
  addSecret(text);
  return text;
}
/** The message: the file named, or stdin (`-` or none, when stdin is not a terminal). */
function readInput(file) {
  if (file !== undefined && file !== '-') return readFile(file, 'input');
  if (process.stdin.isTTY) usage('no input: give a file, or pipe the message into stdin');
  try {
    return fs.readFileSync(0, 'utf8');
  } catch (e) {
    return usage(`cannot read stdin: ${e.code ?? e.message}`);
  }
}
const parseJson = (text, what) => {
  try {
    return JSON.parse(text);
  } catch (e) {
    return usage(`${what}: not JSON (${e.message})`);
  }
};
/** `--biz`-style values: JSON text, or `@file` holding it. */
const jsonArg = (value, what) => parseJson(value.startsWith('@') ? readFile(value.slice(1), what) : value, what);
/** Headers: a JSON object, or `Name: value` lines (as curl -i or a log prints them). */
function parseHeaders(text) {
  const t = text.trim();
  if (t.startsWith('{')) return parseJson(t, '--headers');
  const headers = {};
  for (const line of t.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !/^HTTP\//i.test(line)) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return headers;
}
const headerOf = (headers, name) => {
  for (const [k, v] of Object.entries(headers ?? {})) if (k.toLowerCase() === name.toLowerCase()) return Array.isArray(v) ? v[0] : v;
  return undefined;
};

const PROVIDERS = ['alipay', 'wechatpay', 'useepay'];
const providerOption = () => new Option('--provider <name>', 'alipay, wechatpay or useepay').choices(PROVIDERS).makeOptionMandatory();
function kindOf(o, allowed) {
  const kinds = allowed.filter((k) => o[k]);
  if (kinds.length !== 1) usage(`give exactly one of ${allowed.map((k) => `--${k}`).join(', ')}`);
  return kinds[0];
}
/** `--now`: epoch milliseconds or an ISO date. */
function nowOf(value) {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(n)) usage(`--now must be epoch milliseconds or an ISO date, not ${value}`);
  return n;
}
const describeError = (e) => ({ code: e?.code ?? 'ERR_UNKNOWN', message: e?.message ?? String(e) });

// ---------------------------------------------------------------------------------------------------------
// explain

/** Text for a terminal: control characters visible (`\n`), so a caret can point under a position. */
const visible = (s) => Array.from(s, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : c < ' ' ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : c));

function explainInput(o, text) {
  const kind = kindOf(o, ['request', 'response', 'notification']);
  const input = { provider: o.provider };
  const trimmed = text.trim();
  const asJson = () => (trimmed.startsWith('{') ? (() => {
    try {
      return JSON.parse(trimmed);
    } catch {
      return null;
    }
  })() : null);
  if (o.provider === 'alipay') {
    if (kind === 'request') {
      const j = asJson();
      input.request = j && typeof j.url === 'string' ? { url: j.url, ...(j.body ? { body: j.body } : {}) } : { url: trimmed.split(/\r?\n/)[0], ...(o.body !== undefined ? { body: readFile(o.body, '--body') } : {}) };
      if (o.body !== undefined && j) input.request.body = readFile(o.body, '--body');
    } else if (kind === 'response') {
      if (!o.method) usage('an Alipay response needs --method (e.g. alipay.trade.query)');
      Object.assign(input, { response: text, method: o.method });
    } else {
      input.notification = text;
      if (o.rule) input.rule = o.rule;
    }
  } else if (o.provider === 'wechatpay') {
    if (kind === 'request') {
      const j = asJson();
      if (!j || typeof j.url !== 'string') usage('a WeChat Pay request is JSON: { method, url, body, authorization } or what `aggpay sign` prints');
      const authorization = j.authorization ?? headerOf(j.headers, 'authorization');
      if (!authorization) usage('the WeChat Pay request has no Authorization');
      input.request = { method: j.method ?? 'GET', url: j.url, body: j.body ?? '', authorization };
    } else {
      let message;
      if (o.headers !== undefined) message = { headers: parseHeaders(readFile(o.headers, '--headers')), body: text };
      else {
        const j = asJson();
        if (j && j.headers && typeof j.body === 'string') message = { headers: j.headers, body: j.body };
        else usage(`a WeChat Pay ${kind} needs its Wechatpay-* headers: --headers <file>`);
      }
      input[kind] = message;
    }
  } else {
    input[kind] = text;
    if (o.emptyValues) input.emptyValues = o.emptyValues;
  }
  if (o.reported !== undefined) input.reported = fs.existsSync(o.reported) && fs.statSync(o.reported).isFile() ? readFile(o.reported, '--reported') : o.reported;
  return input;
}

function explainCommand(file, o) {
  const input = explainInput(o, readInput(file));
  let e;
  try {
    e = aggpay().explain(input);
  } catch (error) {
    usage(`cannot explain this ${kindOf(o, ['request', 'response', 'notification'])}: ${describeError(error).code}: ${describeError(error).message}`);
  }
  const differs = e.reported !== null && e.difference !== null;
  if (o.json) out(JSON.stringify(e));
  else {
    const lines = [`provider   ${e.provider}`, `message    ${e.message}`, `scheme     ${e.scheme}`];
    if (e.key) lines.push(`key        ${e.key}`);
    lines.push(`signature  ${e.signature ? `${e.signature.slice(0, 24)}… (${e.signature.length} characters)` : '(none)'}`);
    if (e.note) lines.push(`note       ${e.note}`);
    e.signed.forEach((s, i) => lines.push('', e.signed.length > 1 ? `signed text ${i + 1} of ${e.signed.length}:` : 'signed text:', visible(s).join('')));
    if (e.reported !== null) {
      lines.push('', 'reported:', visible(e.reported).join(''));
      if (!e.difference) lines.push('', 'the reported text is the signed text: look at the key, not the string');
      else {
        const d = e.difference;
        // Compared by character (code point), as explain counts: by UTF-16 unit, a character outside the BMP
        // (an emoji) before the difference pushed the caret past it. The caret column counts characters too.
        const [a, b] = [Array.from(d.ours), Array.from(d.theirs)];
        let k = 0;
        while (k < a.length && k < b.length && a[k] === b[k]) k++;
        const ours = visible(d.ours);
        const theirs = visible(d.theirs);
        const caret = Array.from(ours.slice(0, k).join('')).length;
        lines.push('', `first difference at character ${d.index}${d.theirsEnds ? ' (the report stops here: truncated)' : ''}:`);
        lines.push(`  ours:   ${ours.join('')}`, `  theirs: ${theirs.join('')}`, `          ${' '.repeat(caret)}^`);
      }
    }
    out(lines.join('\n'));
  }
  process.exitCode = differs ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------------------
// verify

function verifyCommand(file, o) {
  const kind = kindOf(o, ['response', 'notification']);
  const text = readInput(file);
  const certificates = (o.certificate ?? []).map((f) => readFile(f, '--certificate'));
  const publicKey = o.publicKey !== undefined ? readFile(o.publicKey, '--public-key') : undefined;
  let verify;
  let client;
  try {
    if (o.provider === 'alipay') {
      if (!publicKey && !certificates.length) usage('Alipay: give --public-key (Alipay public key) or --certificate (alipayCertPublicKey_RSA2.crt)');
      const { Alipay } = aggpay();
      client = new Alipay({ appId: o.appId ?? '0', ...(publicKey ? { alipayPublicKey: publicKey } : { alipayCert: certificates }), ...(o.signType ? { signType: o.signType } : {}) });
      if (kind === 'response') {
        if (!o.method) usage('an Alipay response needs --method (e.g. alipay.trade.query)');
        verify = () => ({ event: client.parseResponse(o.method, text) });
      } else verify = () => client.verifyNotify(text, o.rule ? { rule: o.rule } : undefined);
    } else if (o.provider === 'wechatpay') {
      let headers;
      let body = text;
      if (o.headers !== undefined) headers = parseHeaders(readFile(o.headers, '--headers'));
      else {
        const j = text.trim().startsWith('{') ? (() => {
          try {
            return JSON.parse(text);
          } catch {
            return null;
          }
        })() : null;
        if (j && j.headers && typeof j.body === 'string') ({ headers, body } = j);
        else usage('WeChat Pay: the Wechatpay-* headers are needed: --headers <file>');
      }
      if (!publicKey && !certificates.length) usage('WeChat Pay: give --certificate (platform certificate) or --public-key (WeChat Pay public key, with --public-key-id)');
      const apiV3Key = o.apiV3KeyFile !== undefined ? readSecretFile(o.apiV3KeyFile, '--api-v3-key-file').trim() : undefined;
      const keyId = o.publicKeyId ?? (publicKey ? headerOf(headers, 'wechatpay-serial') : undefined);
      const { WechatPay } = aggpay();
      client = new WechatPay({
        mchid: o.mchid ?? '0',
        ...(certificates.length ? { platformCertificates: certificates } : {}),
        ...(publicKey ? { wechatpayPublicKey: publicKey, wechatpayPublicKeyId: keyId } : {}),
        ...(apiV3Key ? { apiV3Key } : {}),
      });
      const options = o.now !== undefined ? { now: nowOf(o.now) } : undefined;
      verify = kind === 'response'
        ? () => ({ event: client.verifyResponse({ status: Number(o.status ?? 200), headers, body }, options) })
        : () => client.verifyNotify({ headers, body }, options);
    } else {
      const md5Key = o.md5KeyFile !== undefined ? readSecretFile(o.md5KeyFile, '--md5-key-file').trim() : undefined;
      if (!publicKey && !md5Key) usage('UseePay: give --public-key (UseePay public key) or --md5-key-file');
      const { UseePay } = aggpay();
      client = new UseePay({ merchantNo: o.merchantNo ?? '0', appId: o.appId ?? '0', ...(md5Key ? { signType: 'MD5', md5Key } : { signType: 'RSA', useepayPublicKey: publicKey }), ...(o.emptyValues ? { emptyValues: o.emptyValues } : {}) });
      verify = kind === 'response' ? () => ({ event: client.parseResponse(text) }) : () => client.verifyNotify(text);
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    usage(`the keys given cannot make a ${o.provider} client: ${describeError(error).code}: ${describeError(error).message}`);
  }
  let result;
  try {
    result = verify();
  } catch (error) {
    const { code, message } = describeError(error);
    if (code === 'ERR_PROVIDER_BUSINESS') {
      // Signed and verified: the provider's answer is a business failure.
      const business = { code: error.providerCode ?? null, message: error.providerMessage ?? null, subCode: error.subCode ?? null, subMessage: error.subMessage ?? null };
      if (o.json) out(JSON.stringify({ valid: true, provider: o.provider, message: kind, businessFailure: business }));
      else out(`valid (a business failure): ${JSON.stringify(business)}`);
      process.exitCode = 0;
      return;
    }
    if (code === 'ERR_BAD_INPUT') usage(`not a ${o.provider} ${kind}: ${message}`);
    const extra = error?.serial ? { serial: error.serial } : {};
    if (o.json) out(JSON.stringify({ valid: false, provider: o.provider, message: kind, code, error: message, ...extra }));
    else out(`invalid: ${code}: ${message}${error?.serial ? ` (serial ${error.serial})` : ''}\n(run 'aggpay explain' on the same input to see the signed text)`);
    process.exitCode = 1;
    return;
  } finally {
    client?.free?.();
  }
  const event = result.event ?? result;
  if (o.json) out(JSON.stringify({ valid: true, provider: o.provider, message: kind, event, ...(result.reply ? { reply: result.reply } : {}) }));
  else out(`valid\n${JSON.stringify(event, null, 2)}`);
  process.exitCode = 0;
}

// ---------------------------------------------------------------------------------------------------------
// keys

const PEM_RE = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const pem = (label, der) => `-----BEGIN ${label}-----\n${der.toString('base64').match(/.{1,64}/g).join('\n')}\n-----END ${label}-----\n`;
const iso = (seconds) => new Date(seconds * 1000).toISOString();

/** The blocks of a key or certificate file: PEM blocks, or one bare base64 DER. */
function blocksOf(text) {
  const blocks = [...text.matchAll(PEM_RE)].map((m) => ({ label: m[1], der: Buffer.from(m[2].replace(/[^A-Za-z0-9+/=]/g, ''), 'base64'), form: 'pem' }));
  if (blocks.length) return blocks;
  const bare = text.replace(/\s+/g, '');
  if (!bare || !/^[A-Za-z0-9+/]+={0,2}$/.test(bare)) usage('not a key or certificate: expected PEM or bare base64 DER');
  const der = Buffer.from(bare, 'base64');
  for (const [label, test] of [
    ['CERTIFICATE', () => new crypto.X509Certificate(der)],
    ['PRIVATE KEY', () => crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })],
    ['RSA PRIVATE KEY', () => crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs1' })],
    ['PUBLIC KEY', () => crypto.createPublicKey({ key: der, format: 'der', type: 'spki' })],
    ['RSA PUBLIC KEY', () => crypto.createPublicKey({ key: der, format: 'der', type: 'pkcs1' })],
  ]) {
    try {
      test();
      return [{ label, der, form: 'base64' }];
    } catch {
      // the next kind
    }
  }
  return usage('not a key or certificate: base64 that is no certificate, private key or public key');
}

function inspect(block) {
  const { label, der, form } = block;
  const details = (key) => ({ algorithm: key.asymmetricKeyType, bits: key.asymmetricKeyDetails?.modulusLength ?? null });
  if (label === 'CERTIFICATE') {
    const { Certificate } = aggpay();
    const c = Certificate.parse(der.toString('base64'));
    const x = new crypto.X509Certificate(der);
    const now = Date.now() / 1000;
    const info = {
      kind: 'certificate', form, subject: c.subject, issuer: c.issuer, serialHex: c.serialHex, serialDecimal: c.serialDecimal,
      wechatpaySerial: c.serialHex, alipayCertSn: c.alipayCertSn, ...details(x.publicKey), notBefore: iso(c.notBefore), notAfter: iso(c.notAfter),
      valid: now >= c.notBefore && now <= c.notAfter, signatureAlgorithm: c.signatureAlgorithm,
    };
    c.free?.();
    return info;
  }
  if (/PRIVATE KEY/.test(label)) {
    let key;
    try {
      key = crypto.createPrivateKey({ key: der, format: 'der', type: label === 'RSA PRIVATE KEY' ? 'pkcs1' : label === 'EC PRIVATE KEY' ? 'sec1' : 'pkcs8' });
    } catch {
      usage(`a ${label} block that cannot be read`);
    }
    return { kind: 'private key', form, format: label === 'PRIVATE KEY' ? 'PKCS#8' : label, ...details(key) };
  }
  if (/PUBLIC KEY/.test(label)) {
    let key;
    try {
      key = crypto.createPublicKey({ key: der, format: 'der', type: label === 'RSA PUBLIC KEY' ? 'pkcs1' : 'spki' });
    } catch {
      usage(`a ${label} block that cannot be read`);
    }
    const spki = key.export({ type: 'spki', format: 'der' });
    return { kind: 'public key', form, format: label === 'PUBLIC KEY' ? 'SPKI' : 'PKCS#1', ...details(key), spkiSha256: crypto.createHash('sha256').update(spki).digest('hex') };
  }
  return usage(`unsupported PEM block: ${label}`);
}

function keysCommand(file, o) {
  const text = readFile(file, 'key or certificate');
  const blocks = blocksOf(text);
  const hasPrivate = blocks.some((b) => /PRIVATE KEY/.test(b.label));
  if (hasPrivate) addSecret(text);
  if (hasPrivate) for (const b of blocks) if (/PRIVATE KEY/.test(b.label)) addSecret(b.der.toString('base64'));
  let infos;
  try {
    infos = blocks.map(inspect);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    usage(`cannot read ${file}: ${describeError(error).code}: ${describeError(error).message}`);
  }
  if (o.to !== undefined) {
    const converted = blocks.map((b) => (o.to === 'pem' ? pem(b.label, b.der) : `${b.der.toString('base64')}\n`)).join('');
    if (hasPrivate && o.out === undefined) usage('refusing to print a private key: give --out <file> (written with mode 0600)');
    if (o.out !== undefined) {
      const mode = hasPrivate ? 0o600 : 0o644;
      try {
        fs.writeFileSync(o.out, converted, { mode });
        fs.chmodSync(o.out, mode);
      } catch (e) {
        usage(`cannot write --out ${o.out}: ${e.code ?? e.message}`);
      }
      if (o.json) out(JSON.stringify({ keys: infos, wrote: path.resolve(o.out), to: o.to }));
      else out(`wrote ${infos.map((i) => i.kind).join(', ')} as ${o.to} to ${path.resolve(o.out)}`);
    } else process.stdout.write(converted);
    return;
  }
  if (o.json) out(JSON.stringify(infos.length === 1 ? infos[0] : { chain: infos }));
  else {
    out(infos.map((info, i) => [
      ...(infos.length > 1 ? [`[${i + 1}/${infos.length}]`] : []),
      ...Object.entries(info).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => `${k.padEnd(18)} ${v}`),
    ].join('\n')).join('\n\n'));
  }
}

// ---------------------------------------------------------------------------------------------------------
// sign

function signCommand(o) {
  if (o.privateKey === undefined && !(o.provider === 'useepay' && o.md5KeyFile !== undefined)) usage('--private-key <file> is required (UseePay MD5: --md5-key-file)');
  const privateKey = o.privateKey !== undefined ? readSecretFile(o.privateKey, '--private-key') : undefined;
  if (!o.method) usage('--method is required');
  let client;
  let request;
  try {
    if (o.provider === 'alipay') {
      if (!o.appId) usage('Alipay: --app-id is required');
      const { Alipay } = aggpay();
      const certMode = o.appCert !== undefined || o.alipayRootCert !== undefined;
      if (certMode && (o.appCert === undefined || o.alipayRootCert === undefined)) usage('Alipay certificate mode: --app-cert with --alipay-root-cert');
      client = new Alipay({
        appId: o.appId, privateKey, ...(o.signType ? { signType: o.signType } : {}), ...(o.gateway ? { gateway: o.gateway } : {}),
        ...(certMode ? { appCert: readFile(o.appCert, '--app-cert'), alipayRootCert: readFile(o.alipayRootCert, '--alipay-root-cert') } : {}),
      });
      const biz = o.biz !== undefined ? (o.biz.startsWith('@') ? readFile(o.biz.slice(1), '--biz') : o.biz) : undefined;
      if (biz !== undefined) parseJson(biz, '--biz');
      const params = {};
      for (const p of o.param ?? []) {
        const i = p.indexOf('=');
        if (i < 1) usage(`--param takes name=value, not ${p}`);
        params[p.slice(0, i)] = p.slice(i + 1);
      }
      request = client.buildRequest(o.method, biz, {
        ...(o.notifyUrl ? { notifyUrl: o.notifyUrl } : {}), ...(Object.keys(params).length ? { params } : {}), ...(o.now !== undefined ? { timestamp: nowOf(o.now) } : {}),
      });
    } else if (o.provider === 'wechatpay') {
      if (!o.mchid || !o.serial) usage('WeChat Pay: --mchid and --serial (the merchant certificate serial) are required');
      if (!o.path) usage('WeChat Pay: --path (e.g. /v3/pay/transactions/out-trade-no/T1?mchid=…) is required');
      const method = o.method.toUpperCase();
      if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) usage(`WeChat Pay: --method is the HTTP method (GET, POST, …), not ${o.method}`);
      const { WechatPay } = aggpay();
      client = new WechatPay({ mchid: o.mchid, privateKey, merchantSerialNo: o.serial, ...(o.baseUrl ? { baseUrl: o.baseUrl } : {}) });
      const body = o.body !== undefined ? (o.body.startsWith('@') ? readFile(o.body.slice(1), '--body') : o.body) : undefined;
      request = client.buildRequest({ method, path: o.path, ...(body !== undefined ? { body } : {}) }, { ...(o.now !== undefined ? { now: nowOf(o.now) } : {}), ...(o.nonce ? { nonce: o.nonce } : {}) });
    } else {
      if (!o.merchantNo || !o.appId) usage('UseePay: --merchant-no and --app-id are required');
      const md5Key = o.md5KeyFile !== undefined ? readSecretFile(o.md5KeyFile, '--md5-key-file').trim() : undefined;
      const { UseePay } = aggpay();
      client = new UseePay({ merchantNo: o.merchantNo, appId: o.appId, ...(md5Key ? { signType: 'MD5', md5Key } : { signType: 'RSA', privateKey }), ...(o.gateway ? { gateway: o.gateway } : {}) });
      const fields = o.fields !== undefined ? jsonArg(o.fields, '--fields') : {};
      if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) usage('--fields: a JSON object is expected');
      request = client.buildRequest(o.method, fields);
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    usage(`cannot sign: ${describeError(error).code}: ${describeError(error).message}`);
  } finally {
    client?.free?.();
  }
  out(o.json ? JSON.stringify(request) : JSON.stringify(request, null, 2));
}

// ---------------------------------------------------------------------------------------------------------
// sandbox

async function sandboxCommand(o) {
  const { PROVIDERS: SANDBOX_PROVIDERS, startSandbox } = await import('../sandbox/index.mjs');
  const options = {};
  if (o.providers !== undefined) {
    options.providers = o.providers.split(',').map((p) => p.trim()).filter(Boolean);
    const unknown = options.providers.filter((p) => !SANDBOX_PROVIDERS.includes(p));
    if (unknown.length || !options.providers.length) usage(`--providers: unknown ${unknown.join(', ') || '(empty)'}; one or more of ${SANDBOX_PROVIDERS.join(', ')}`);
  }
  if (o.port !== undefined) {
    if (!/^\d{1,5}$/.test(o.port) || Number(o.port) > 65535) usage(`--port must be 0 to 65535, not ${o.port}`);
    options.controlPort = Number(o.port);
  }
  if (o.timeScale !== undefined) {
    const x = Number(o.timeScale);
    if (!Number.isFinite(x) || x < 0 || o.timeScale.trim() === '') usage(`--time-scale must be a number ≥ 0, not ${o.timeScale}`);
    options.delivery = { timeScale: x };
  }
  if (o.merchant !== undefined) {
    const m = parseJson(readFile(o.merchant, '--merchant'), `--merchant ${o.merchant}`);
    if (m === null || typeof m !== 'object' || Array.isArray(m)) usage('--merchant: a JSON object is expected');
    for (const k of ['alipay', 'wechat', 'wechatpay', 'useepay']) if (m[k] !== undefined) options[k] = m[k];
  }
  const appKeyGiven = o.appPublicKey !== undefined || o.appCert !== undefined;
  if ((o.appId === undefined) === appKeyGiven) usage('--app-id goes with --app-public-key and/or --app-cert');
  if (o.appId !== undefined) {
    options.alipay = { appId: o.appId };
    if (o.appPublicKey !== undefined) options.alipay.appPublicKeyPem = readFile(o.appPublicKey, '--app-public-key');
    if (o.appCert !== undefined) Object.assign(options.alipay, { appCertPem: readFile(o.appCert, '--app-cert'), certMode: true });
  }
  if (o.alipayCertMode) options.alipay = { ...options.alipay, certMode: true };

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
}

// ---------------------------------------------------------------------------------------------------------
// The commands

const program = new Command('aggpay')
  .description('Payment signing from the command line: explain and verify signatures, inspect keys, sign requests, run the sandbox.')
  .version(VERSION, '-V, --version')
  .helpOption('-h, --help', 'this text')
  .addHelpCommand(false)
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(scrub(text.replace(/^error: /, 'aggpay: '))) })
  .addHelpText('after', `
Exit codes: 0 ok, 1 the check failed (a signature that does not verify, a reported string that differs),
2 usage or input error. Every command takes --help and --json. No secret key is ever printed.`);

const cmd = (name, description) => program.command(name).description(description).helpOption('-h, --help', 'this text')
  .showHelpAfterError(`Run 'aggpay ${name} --help' for usage.`);

cmd('explain', 'print the text a request, response or notification signs and, given the provider\'s report, where they differ')
  .argument('[file]', 'the message as sent or received (default: stdin)')
  .addOption(providerOption())
  .option('--request', 'a request (Alipay: its JSON { url, body } or URL; WeChat Pay: { method, url, body, authorization } or `aggpay sign` output; UseePay: the form or JSON)')
  .option('--response', 'a response (Alipay: with --method; WeChat Pay: with --headers)')
  .option('--notification', 'a notification (WeChat Pay: with --headers)')
  .option('--method <method>', 'Alipay response: the method called (e.g. alipay.trade.query)')
  .option('--headers <file>', 'WeChat Pay: the received headers, JSON or "Name: value" lines')
  .option('--body <file>', 'Alipay request given as a URL: the form body')
  .option('--reported <file|text>', 'what the provider reported: Alipay\'s error (验签字符串为：…), WeChat Pay\'s SIGN_ERROR body, or the text')
  .addOption(new Option('--rule <rule>', 'Alipay notification: only this rule').choices(['payment', 'gateway']))
  .addOption(new Option('--empty-values <mode>', 'UseePay: which empty values the text leaves out').choices(['trim', 'exact']))
  .option('--json', 'print explain()\'s result as JSON')
  .addHelpText('after', `
Exits 1 when --reported differs from the signed text (a caret marks the first difference), else 0.
Example: aggpay explain notify.txt --provider alipay --notification --reported "$(cat sub_msg.txt)"`)
  .action(explainCommand);

cmd('verify', 'check a notification or response with the provider\'s public material: valid + the event, or invalid + the error code')
  .argument('[file]', 'the raw body as received (default: stdin); WeChat Pay: JSON { headers, body } also')
  .addOption(providerOption())
  .option('--notification', 'a notification')
  .option('--response', 'a response (Alipay: with --method)')
  .option('--method <method>', 'Alipay response: the method called')
  .option('--headers <file>', 'WeChat Pay: the received headers, JSON or "Name: value" lines')
  .option('--public-key <file>', 'Alipay public key (支付宝公钥), WeChat Pay public key or UseePay public key (PEM or base64)')
  .option('--public-key-id <id>', 'WeChat Pay: the public key id PUB_KEY_ID_… (default: the Wechatpay-Serial received)')
  .option('--certificate <file...>', 'Alipay: alipayCertPublicKey_RSA2.crt; WeChat Pay: platform certificate(s)')
  .option('--api-v3-key-file <file>', 'WeChat Pay: a file holding the APIv3 key (decrypts the notification resource)')
  .option('--md5-key-file <file>', 'UseePay MD5: a file holding the MD5 key')
  .option('--app-id <id>', 'Alipay / UseePay app id (not needed to verify)')
  .option('--mchid <id>', 'WeChat Pay merchant id (not needed to verify)')
  .option('--merchant-no <no>', 'UseePay merchant number (not needed to verify)')
  .addOption(new Option('--sign-type <type>', 'Alipay sign type').choices(['RSA2', 'RSA']))
  .addOption(new Option('--rule <rule>', 'Alipay notification rule').choices(['payment', 'gateway', 'auto']))
  .addOption(new Option('--empty-values <mode>', 'UseePay empty values').choices(['trim', 'exact']))
  .option('--now <ms|date>', 'WeChat Pay: the time the 5-minute window is measured from (a saved message)')
  .option('--status <code>', 'WeChat Pay response: the HTTP status (default 200)')
  .option('--json', 'print { valid, event | code, error } as JSON')
  .addHelpText('after', `
Exits 0 when the signature verifies (also for a signed business failure), 1 when it does not, 2 for bad input.
Example: aggpay verify notify.txt --provider alipay --notification --public-key alipay-public-key.pem`)
  .action(verifyCommand);

cmd('keys', 'inspect a key or certificate (kind, bits, serial, Alipay certificate SN, WeChat Pay serial, validity); convert PEM <-> base64')
  .argument('<file>', 'a PEM file (a certificate chain allowed) or bare base64 DER, as provider consoles show keys')
  .addOption(new Option('--to <form>', 'convert: pem or base64 (a private key only with --out)').choices(['pem', 'base64']))
  .option('--out <file>', 'write the conversion here (mode 0600 for a private key) instead of stdout')
  .option('--json', 'print the facts as JSON')
  .addHelpText('after', `
A private key is described by its kind and size only; its body is never printed.
Example: aggpay keys apiclient_cert.pem --json; aggpay keys alipay-public-key.pem --to base64`)
  .action(keysCommand);

cmd('sign', 'build a signed request for any method and print it as JSON ({ method, url, headers, body })')
  .addOption(providerOption())
  .requiredOption('--method <method>', 'Alipay: the API method (alipay.trade.query); WeChat Pay: the HTTP method; UseePay: the transactionType')
  .option('--private-key <file>', 'your private key (PEM or base64)')
  .option('--app-id <id>', 'Alipay / UseePay app id')
  .option('--biz <json|@file>', 'Alipay biz_content')
  .option('--param <name=value...>', 'Alipay: extra top-level parameters')
  .option('--notify-url <url>', 'Alipay notify_url')
  .addOption(new Option('--sign-type <type>', 'Alipay sign type (default RSA2)').choices(['RSA2', 'RSA']))
  .option('--app-cert <file>', 'Alipay certificate mode: appCertPublicKey_<appId>.crt')
  .option('--alipay-root-cert <file>', 'Alipay certificate mode: alipayRootCert.crt')
  .option('--gateway <gateway>', 'Alipay / UseePay: production (default), sandbox or a URL')
  .option('--mchid <id>', 'WeChat Pay merchant id')
  .option('--serial <hex>', 'WeChat Pay: the merchant API certificate serial')
  .option('--path <path>', 'WeChat Pay: path and query, e.g. /v3/pay/transactions/out-trade-no/T1?mchid=1230000109')
  .option('--body <json|@file>', 'WeChat Pay: the JSON body, signed exactly as given')
  .option('--base-url <url>', 'WeChat Pay: another origin')
  .option('--nonce <nonce>', 'WeChat Pay: the nonce (default random)')
  .option('--merchant-no <no>', 'UseePay merchant number')
  .option('--fields <json|@file>', 'UseePay request fields')
  .option('--md5-key-file <file>', 'UseePay MD5: a file holding the MD5 key')
  .option('--now <ms|date>', 'the timestamp signed (default now)')
  .option('--json', 'one line of JSON (default: indented)')
  .addHelpText('after', `
Examples:
  aggpay sign --provider alipay --method alipay.trade.query --biz '{"out_trade_no":"T1"}' --app-id 2021… --private-key app-private-key.pem
  aggpay sign --provider wechatpay --method GET --path '/v3/pay/transactions/out-trade-no/T1?mchid=1230000109' --mchid 1230000109 --serial 5157F0… --private-key apiclient_key.pem`)
  .action(signCommand);

program.command('sandbox').helpOption('-h, --help', 'this text')
  .showHelpAfterError("Run 'aggpay sandbox --help' for usage.")
  .description('start local emulations of the providers and their control API')
  .helpInformation = function sandboxHelp() {
  return `Usage: aggpay sandbox [options]

Starts local emulations of the Alipay gateway (OpenAPI v2 and v3), WeChat login / official-account OAuth, WeChat
Pay APIv3 and UseePay on 127.0.0.1 (free ports), and a control API a test drives (POST <control>/control/<op>,
JSON; rotateCertificate takes {"provider":"alipay"} for Alipay's certificate).

Options:
  --providers <list>        comma-separated, from alipay,wechat-login,wechatpay,useepay (default: all)
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

Stops on SIGINT or SIGTERM, closing every server.
`;
};
const sandbox = program.commands.find((c) => c.name() === 'sandbox');
sandbox
  .option('--providers <list>')
  .option('--port <n>')
  .option('--out <dir>')
  .option('--merchant <file>')
  .option('--app-id <id>')
  .option('--app-public-key <file>')
  .option('--app-cert <file>')
  .option('--alipay-cert-mode')
  .option('--time-scale <x>')
  .option('--json')
  .action(sandboxCommand);

const argv = process.argv.slice(2);
try {
  if (!argv.length) {
    process.stderr.write(program.helpInformation());
    process.exit(2);
  }
  await program.parseAsync(argv, { from: 'user' });
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
  const name = program.args?.[0] && program.commands.some((c) => c.name() === program.args[0]) ? ` ${program.args[0]}` : '';
  if (error instanceof UsageError) {
    err(`aggpay${name}: ${error.message}\nRun 'aggpay${name} --help' for usage.`);
    process.exit(2);
  }
  err(`aggpay${name}: ${error?.code ? `${error.code}: ` : ''}${error?.message ?? error}`);
  process.exit(2);
}
