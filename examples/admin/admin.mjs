// The admin page: checks a notification or response with public material only, in the page.
// No fetch, no storage: the keys typed here stay in this tab. `check` is the whole logic; the rest
// wires it to the form.
import { Alipay, RsaVerifier, UseePay, WechatPay, explain } from 'aggpay';

const ENGINE = 'webcrypto';

/** Headers as typed: a JSON object, or `Name: value` lines. */
export function parseHeaders(text) {
  const t = text.trim();
  if (t === '') return {};
  if (t.startsWith('{')) return JSON.parse(t);
  const out = {};
  for (const line of t.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

const header = (headers, name) => {
  const k = Object.keys(headers).find((h) => h.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : headers[k];
};

/** The PEM blocks of a text (or the text itself: a bare base64 key). */
function keyTexts(text) {
  const blocks = text.match(/-----BEGIN [^-]+-----[\s\S]*?-----END [^-]+-----/g);
  return blocks ?? [text.trim()];
}

// A certificate, not a key. Bare base64 is told by its DER, not its length (fix: it was "MII… longer
// than 1200 characters", and a small certificate — 1,172 characters for an RSA-2048 one with a short
// subject — was then passed as a public key and failed as ERR_BAD_INPUT): a certificate opens
// SEQUENCE { SEQUENCE tbsCertificate (hundreds of bytes, a long-form length) …; an SPKI's first element
// is the short AlgorithmIdentifier, a PKCS#1 key's an INTEGER.
function isCertificate(text) {
  if (/BEGIN CERTIFICATE/.test(text)) return true;
  if (/-----BEGIN/.test(text)) return false;
  let der;
  try { der = Uint8Array.from(atob(text.replace(/\s+/g, '')), (c) => c.charCodeAt(0)); } catch { return false; }
  if (der.length < 4 || der[0] !== 0x30) return false;
  const first = 2 + (der[1] & 0x80 ? der[1] & 0x7f : 0);
  return der[first] === 0x30 && der[first + 1] > 0x80;
}

function alipayMethod(body) {
  const m = /"([a-z0-9_]+)_response"\s*:/.exec(body);
  if (!m || m[1] === 'error') throw Object.assign(new Error('no "<method>_response" node in this response'), { code: 'ERR_RESPONSE_MALFORMED' });
  return m[1].replaceAll('_', '.');
}

function explainInput(provider, kind, body, headers) {
  if (provider === 'alipay') return kind === 'response' ? { provider, response: body, method: alipayMethod(body) } : { provider, notification: body };
  if (provider === 'wechatpay') return { provider, [kind]: { headers, body } };
  return { provider, [kind]: body };
}

/** Runs the package's verify-only client; resolves the parsed event or throws its AggpayError. */
async function runClient({ provider, kind, body, headers, key, keyId, apiV3Key }) {
  if (provider === 'alipay') {
    const cfg = { appId: formField(body, 'app_id') ?? '0', engine: ENGINE };
    if (isCertificate(key)) cfg.alipayCert = keyTexts(key); else cfg.alipayPublicKey = key;
    const alipay = new Alipay(cfg);
    try {
      return kind === 'response' ? await alipay.parseResponseAsync(alipayMethod(body), body) : (await alipay.verifyNotifyAsync(body, { rule: 'auto' })).event;
    } finally { alipay.free(); }
  }
  if (provider === 'wechatpay') {
    const cfg = { mchid: '0', engine: ENGINE };
    if (isCertificate(key)) cfg.platformCertificates = keyTexts(key);
    else { cfg.wechatpayPublicKey = key; cfg.wechatpayPublicKeyId = keyId || String(header(headers, 'Wechatpay-Serial') ?? ''); }
    if (apiV3Key) cfg.apiV3Key = apiV3Key;
    const wechat = new WechatPay(cfg);
    try {
      return kind === 'response' ? await wechat.verifyResponseAsync({ status: 200, headers, body }) : (await wechat.verifyNotifyAsync({ headers, body })).event;
    } finally { wechat.free(); }
  }
  const useepay = new UseePay({ merchantNo: formField(body, 'merchantNo') ?? '0', appId: 'admin.invalid', signType: 'RSA', useepayPublicKey: key, engine: ENGINE });
  try {
    return kind === 'response' ? await useepay.parseResponseAsync(body) : (await useepay.verifyNotifyAsync(body)).event;
  } finally { useepay.free(); }
}

/** A field of a form body or a flat JSON object, or undefined. */
function formField(body, name) {
  const t = body.trim();
  if (t.startsWith('{')) {
    try { const v = JSON.parse(t)[name]; return typeof v === 'string' ? v : undefined; } catch { return undefined; }
  }
  try { return new URLSearchParams(t).get(name) ?? undefined; } catch { return undefined; }
}

// ---------------------------------------------------------------------------------------------
// Diagnosis: what the signature itself says. Opened with the public key (`RsaVerifier.signedDigest`,
// the core's), a signature made with the matching private key names its hash and the digest of the
// text that was signed; one made with another key opens to nothing.

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** { hash, digest (hex) } inside the signature under `keyText`, or null (not made with this key). */
function openSignature(keyText, signatureB64) {
  const verifier = new RsaVerifier(keyText);
  try {
    return verifier.signedDigest(signatureB64);
  } finally {
    verifier.free();
  }
}

const SUBTLE_HASH = { sha256: 'SHA-256', sha1: 'SHA-1' };
const digestOf = async (text, hash) => hex(new Uint8Array(await crypto.subtle.digest(SUBTLE_HASH[hash], new TextEncoder().encode(text))));

/** The hash the message declares. */
function declaredHash(provider, scheme) {
  return provider === 'alipay' && scheme === 'RSA' ? 'sha1' : 'sha256';
}

/** Re-encodings a framework may have applied to the body: [label, the body as the provider may have sent it]. */
function reencodings(body) {
  const out = [];
  const add = (label, text) => { if (text !== body) out.push([label, text]); };
  if (body.trim().startsWith('{')) {
    add('slashes were unescaped (the provider sent \\/)', body.replaceAll('/', '\\/'));
    add('slashes were escaped as \\/', body.replaceAll('\\/', '/'));
    try {
      const parsed = JSON.parse(body);
      add('the JSON was re-serialized (compact)', JSON.stringify(parsed));
      add('the JSON was re-serialized (indented)', JSON.stringify(parsed, null, 2));
    } catch { /* not JSON */ }
  } else {
    // A "+" in a value came as %2B and was written back as "+" (now a space): try each one.
    const plus = [...body.matchAll(/\+/g)].map((m) => m.index).slice(0, 200);
    for (const i of plus) add('a "+" in a value was written back unescaped (it came as %2B)', body.slice(0, i) + '%2B' + body.slice(i + 1));
    add('every "+" was written back unescaped (they came as %2B)', body.replaceAll('+', '%2B'));
    add('spaces were re-encoded as %20 (it came as +)', body.replaceAll('%20', '+'));
    add('spaces were re-encoded as + (it came as %20)', body.replaceAll('+', '%20'));
  }
  return out;
}

const looksSandbox = (text) => /alipaydev\.com|sandbox|沙箱/i.test(text);

/** Likely causes of a failed verification, from what the page can test. */
async function diagnose(err, ctx) {
  const { provider, kind, body, headers, key } = ctx;
  const causes = [];
  const code = err?.code;
  if (code === 'ERR_CLOCK_SKEW') causes.push('Clock: Wechatpay-Timestamp is 5 minutes or more away from this computer\'s clock (ERR_CLOCK_SKEW): a replayed or stored notification, or a clock that is off.');
  if (code === 'ERR_SIGNATURE_PROBE') causes.push('Probe: this is a WeChat Pay probe signature (WECHATPAY/SIGNTEST/…, ERR_SIGNATURE_PROBE); WeChat Pay checks that you refuse it — refusing it is correct.');
  if (code === 'ERR_CERT_SN_MISMATCH') causes.push(`Key not given: the message names the key ${err.serial ?? ''} (ERR_CERT_SN_MISMATCH), not the one given here: a rotated certificate, a public key id vs a certificate serial, or a sandbox vs production key.`);
  if (code === 'ERR_KEY_INVALID' || code === 'ERR_CERT_INVALID' || code === 'ERR_KEY_SIZE') causes.push(`The key text could not be read (${code}): paste the PEM or the bare base64 as the console shows it.`);
  if (code === 'ERR_NO_PROVIDER_KEY') causes.push('No key given: paste the provider\'s public key or certificate.');
  if (code === 'ERR_BAD_INPUT' || code === 'ERR_RESPONSE_MALFORMED' || code === 'ERR_CHARSET') causes.push(`The message could not be read as a ${provider} ${kind} (${code}): check the provider and paste the body exactly as received.`);

  let explained = null;
  try { explained = explain(explainInput(provider, kind, body, headers)); } catch { /* reported above */ }
  // A base64 signature has no spaces: a "+" of it decoded to a space by a re-encoded body.
  const signature = explained?.signature?.replaceAll(' ', '+');
  if (!explained || !signature || !key.trim() || causes.length > 0 && code !== 'ERR_SIGNATURE_INVALID') return causes;

  const declared = declaredHash(provider, explained.scheme);
  const other = declared === 'sha256' ? 'sha1' : 'sha256';
  const keys = keyTexts(key);
  // sign_type: does it verify with the other hash?
  for (const k of keys) {
    const verifier = new RsaVerifier(k, { engine: ENGINE });
    try {
      for (const text of explained.signed) {
        if (await verifier.verifyBase64Async(text, signature, other)) {
          causes.push(`sign_type mismatch: the signature verifies with ${other.toUpperCase()}, but the message declares ${explained.scheme} (${declared.toUpperCase()}): the app's sign_type (RSA = SHA-1, RSA2 = SHA-256) differs from the one the key was set up for.`);
          return causes;
        }
        if (await verifier.verifyBase64Async(text, signature, declared)) {
          causes.push(`The signature is good over the text shown, with this key, yet the client refused it (${code ?? 'error'}: ${err?.message ?? err}).`);
          return causes;
        }
      }
    } finally { verifier.free(); }
  }
  // The key: does the signature open with it?
  let opened = null;
  for (const k of keys) {
    try { opened = openSignature(k, signature); } catch { opened = null; }
    if (opened) break;
  }
  if (!opened) {
    causes.push('Wrong key: the signature was not made with the key given. Use the provider\'s public key (Alipay: 支付宝公钥, not your app\'s public key; WeChat Pay: the 微信支付公钥 or platform certificate; UseePay: its public key from the portal).');
    causes.push(looksSandbox(body)
      ? 'Sandbox vs production key: the message comes from the sandbox (alipaydev.com / sandbox): use the sandbox\'s public key, not the production one.'
      : 'Sandbox vs production key: a production message checked with the sandbox key (or the reverse) fails just like this.');
    return causes;
  }
  // The key is right and the signature names what was signed: which text was it?
  for (const [label, variant] of reencodings(body)) {
    let alt;
    try { alt = explain(explainInput(provider, kind, variant, headers)); } catch { continue; }
    for (const text of alt.signed) {
      if (await digestOf(text, opened.hash) === opened.digest) {
        causes.push(`Body re-encoded by a framework: the key is right and the provider signed this body before ${label}. Verify the raw bytes as received, before any parsing.`);
        return causes;
      }
    }
  }
  causes.push(`A field changed after signing: the key is right (the signature opens with it, ${opened.hash.toUpperCase()}), but the text signed was not the one shown — a value was altered, added or removed, or the body was re-encoded before it reached you. Verify the raw body as received.`);
  return causes;
}

/**
 * The whole check: { valid, verdict, causes, canonical, event, code }. `input`: { provider, kind,
 * message, headers (text), key, keyId, apiV3Key }.
 */
export async function check(input) {
  const { provider, kind = 'notification', message: body = '' } = input;
  const key = (input.key ?? '').trim();
  let headers = {};
  const causes = [];
  try { headers = provider === 'wechatpay' ? parseHeaders(input.headers ?? '') : {}; } catch { causes.push('The headers are neither "Name: value" lines nor a JSON object.'); }
  let canonical = '';
  try {
    const e = explain(explainInput(provider, kind, body, headers));
    canonical = e.signed.join('\n\n— or, by the other rule —\n\n');
  } catch (e) {
    canonical = `(not built: ${e?.message ?? e})`;
  }
  const ctx = { provider, kind, body, headers, key, keyId: (input.keyId ?? '').trim(), apiV3Key: (input.apiV3Key ?? '').trim() };
  try {
    if (!key) throw Object.assign(new Error('no key'), { code: 'ERR_NO_PROVIDER_KEY' });
    const event = await runClient(ctx);
    return { valid: true, verdict: 'Valid signature', causes, canonical, event, code: null };
  } catch (err) {
    const code = err?.code ?? null;
    if (code === 'ERR_PROVIDER_BUSINESS') {
      return { valid: true, verdict: 'Valid signature — the provider reports a failure', causes: [`${err.providerCode ?? ''} ${err.providerMessage ?? ''} ${err.subCode ?? ''} ${err.subMessage ?? ''}`.trim()], canonical, event: null, code };
    }
    if (code === 'ERR_DECRYPT_FAILED') {
      return { valid: false, verdict: 'Valid signature, but the resource did not decrypt', causes: ['Wrong APIv3 key: the signature checks, the AES-GCM resource does not open with the APIv3 key given (ERR_DECRYPT_FAILED).'], canonical, event: null, code };
    }
    causes.push(...await diagnose(err, ctx));
    if (causes.length === 0) causes.push(`${code ?? 'Error'}: ${err?.message ?? err}`);
    return { valid: false, verdict: 'Invalid signature', causes, canonical, event: null, code };
  }
}

// ---------------------------------------------------------------------------------------------
// The form.

const $ = (id) => document.getElementById(id);

function showFor(provider) {
  for (const el of document.querySelectorAll('[data-for]')) el.hidden = el.dataset.for !== provider;
}

function render(result) {
  $('result').hidden = false;
  const verdict = $('verdict');
  verdict.textContent = `${result.valid ? '✔' : '✘'} ${result.verdict}${result.code ? ` (${result.code})` : ''}`;
  verdict.className = result.valid && !result.code ? 'valid' : 'invalid';
  const causes = $('causes');
  causes.replaceChildren(...result.causes.map((c) => Object.assign(document.createElement('li'), { textContent: c })));
  causes.hidden = result.causes.length === 0;
  $('canonical').textContent = result.canonical;
  $('eventBox').hidden = !result.event;
  $('event').textContent = result.event ? JSON.stringify(result.event, null, 2) : '';
}

$('provider').addEventListener('change', (e) => showFor(e.target.value));
showFor($('provider').value);

$('form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('verify').disabled = true;
  try {
    render(await check({
      provider: $('provider').value, kind: $('kind').value, message: $('message').value,
      headers: $('headers').value, key: $('key').value, keyId: $('keyId').value, apiV3Key: $('apiV3Key').value,
    }));
  } finally {
    $('verify').disabled = false;
  }
});

// Drop a file (or text) on the message box: read locally.
const box = $('message');
box.addEventListener('dragover', (e) => { e.preventDefault(); box.classList.add('dragging'); });
box.addEventListener('dragleave', () => box.classList.remove('dragging'));
box.addEventListener('drop', async (e) => {
  e.preventDefault();
  box.classList.remove('dragging');
  const file = e.dataTransfer.files[0];
  box.value = file ? await file.text() : e.dataTransfer.getData('text/plain');
});

document.documentElement.dataset.ready = 'true';
