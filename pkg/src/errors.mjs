// The one error class every entry point throws. The Rust core picks `code` (stable `ERR_…`
// strings); provider fields are present only when the provider sent them (WeChat Pay's `detail`,
// and `signedMessage` of a SIGN_ERROR; `serial`: the unconfigured key a message named), `status`
// only on send()'s ERR_HTTP_STATUS.
export class AggpayError extends Error {
  constructor(message, details = {}) {
    super(message);
    this.name = 'AggpayError';
    this.code = details.code ?? 'ERR_UNKNOWN';
    for (const field of ['provider', 'providerCode', 'providerMessage', 'subCode', 'subMessage', 'detail', 'signedMessage', 'serial', 'status']) {
      if (details[field] !== undefined) this[field] = details[field];
    }
  }
}

const capture = typeof Error.captureStackTrace === 'function' ? Error.captureStackTrace : undefined;

/**
 * `error` as thrown by the public function `api`: an AggpayError's stack is taken again so that it
 * starts at the line that called `api` (V8: Node, workerd, Chromium). Otherwise it would start in the
 * wasm-bindgen glue, whose frames fill the 10 a stack keeps before the caller's code is reached.
 */
export function fromCaller(error, api) {
  if (capture !== undefined && error instanceof AggpayError) capture(error, api);
  return error;
}

/** Throws `error` as thrown by `api` (see fromCaller). */
export function rethrowFrom(error, api) {
  throw fromCaller(error, api);
}
