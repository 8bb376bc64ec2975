// The one I/O helper: sends a request built by aggpay with fetch and returns the raw response.
// It does nothing clever — no retries, no parsing; verification is the client's parse… method.
// Every failure is an AggpayError naming the method and the URL without its query string (a v2
// query carries app_auth_token and the signature): ERR_TIMEOUT, ERR_NETWORK, or ERR_HTTP_STATUS
// with `status` for a reply that is not the provider speaking (a non-2xx HTML page from a proxy).
import { AggpayError } from './errors.mjs';

/** `https://host/path` of a URL: never its query string or credentials. */
function where(request) {
  try {
    const url = new URL(request.url);
    return `${request.method} ${url.origin}${url.pathname}`;
  } catch {
    return `${request.method} (an invalid URL)`;
  }
}

/** Whether a body looks like JSON (what every provider API answers, success or failure). */
function looksLikeJson(body) {
  const first = body.trimStart()[0];
  return first === '{' || first === '[';
}

/** The reply's headers as a plain object: a `Headers`, any iterable of pairs, or a plain object. */
function headersOf(headers) {
  if (headers === null || typeof headers !== 'object') return {};
  if (typeof headers.entries === 'function' || typeof headers[Symbol.iterator] === 'function') {
    return Object.fromEntries(typeof headers.entries === 'function' ? headers.entries() : headers);
  }
  return { ...headers };
}

/** Why a fetch failed, as the platform names it (`ECONNREFUSED`, `ENOTFOUND`, …); never a URL. */
function reasonOf(error) {
  const cause = error?.cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code ?? error?.code;
  return typeof code === 'string' ? code : (error?.name ?? 'Error');
}

export async function send(request, { fetch: fetchImpl = globalThis.fetch, timeoutMs = 15000, raw = false } = {}) {
  if (request === null || typeof request !== 'object' || typeof request.url !== 'string' || typeof request.method !== 'string') {
    throw new AggpayError('send: the request must be what a build… method returned ({ method, url, headers, body })', { code: 'ERR_BAD_INPUT' });
  }
  if (typeof fetchImpl !== 'function') {
    throw new AggpayError('send: no fetch in this runtime; pass { fetch }', { code: 'ERR_BAD_INPUT' });
  }
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
    throw new AggpayError('send: timeoutMs must be a positive number of milliseconds', { code: 'ERR_BAD_INPUT' });
  }
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    let response;
    let body;
    try {
      response = await fetchImpl(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body ?? undefined,
        signal: controller.signal,
      });
      body = await response.text();
    } catch (error) {
      if (timedOut) {
        throw new AggpayError(`send: no reply to ${where(request)} within ${timeoutMs} ms`, { code: 'ERR_TIMEOUT' });
      }
      throw new AggpayError(`send: ${where(request)} failed (${reasonOf(error)})`, { code: 'ERR_NETWORK' });
    }
    const { status } = response;
    const headers = headersOf(response.headers);
    if (!raw && (status < 200 || status > 299) && !looksLikeJson(body)) {
      throw new AggpayError(`send: ${where(request)} answered HTTP ${status} without a provider reply`, { code: 'ERR_HTTP_STATUS', status });
    }
    return { status, headers, body };
  } finally {
    clearTimeout(timer);
  }
}
