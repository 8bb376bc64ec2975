// The one I/O helper: sends a request built by aggpay with fetch and returns the raw response.
// It does nothing clever — no retries, no parsing; verification is the client's parse… method.
export async function send(request, { fetch: fetchImpl = globalThis.fetch, timeoutMs = 15000 } = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetchImpl(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body ?? undefined,
      signal: controller.signal,
    });
    const body = await response.text();
    return { status: response.status, headers: Object.fromEntries(response.headers), body };
  } finally {
    clearTimeout(timer);
  }
}
