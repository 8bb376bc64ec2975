// The one error class every entry point throws. The Rust core picks `code` (stable `ERR_…`
// strings); provider fields are present only when the provider sent them, `status` only on
// send()'s ERR_HTTP_STATUS.
export class AggpayError extends Error {
  constructor(message, details = {}) {
    super(message);
    this.name = 'AggpayError';
    this.code = details.code ?? 'ERR_UNKNOWN';
    for (const field of ['provider', 'providerCode', 'providerMessage', 'subCode', 'subMessage', 'status']) {
      if (details[field] !== undefined) this[field] = details[field];
    }
  }
}
