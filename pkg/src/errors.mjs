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
