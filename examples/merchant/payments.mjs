// Every call the merchant app makes to a payment provider goes through this module: one `Checkout` object
// with one shape for Alipay, WeChat Pay and UseePay (build a request, `send` it, parse the reply into a
// `PaymentEvent`; verify a notification into a `PaymentEvent` and the exact reply).
//
// TEMPORARY ADAPTER. aggpay's core is gaining a `Checkout` class with exactly this contract. Until it ships
// in `pkg/`, the class below implements the contract on top of the provider clients. When it lands, this
// file becomes:
//
//   export { Checkout } from 'aggpay';
//
// and nothing else in the app changes. Only the synchronous forms are implemented (on Node they run on
// node:crypto); the real `Checkout` also has the `…Async` forms.
import { WechatPay } from 'aggpay';

/** A yuan (or HKD, …) decimal string as Alipay sends it (`'19.99'`) → integer minor units; never a float. */
function decimalToMinor(text) {
  const m = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(String(text ?? ''));
  if (!m) throw new Error(`not a decimal amount: ${JSON.stringify(text)}`);
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** Alipay's Beijing time `yyyy-MM-dd HH:mm:ss` → RFC 3339. */
const alipayTime = (text) => (text ? `${text.replace(' ', 'T')}+08:00` : null);

/** A PaymentEvent with every field present. */
function paymentEvent(fields) {
  return {
    kind: 'payment',
    final: false,
    outTradeNo: null,
    tradeNo: null,
    outRefundNo: null,
    refundId: null,
    amount: null,
    time: null,
    notifyId: null,
    providerStatus: null,
    ...fields,
  };
}

const ALIPAY_TRADE = {
  WAIT_BUYER_PAY: ['pending', false],
  TRADE_SUCCESS: ['paid', false], // refundable: not final yet
  TRADE_FINISHED: ['paid', true],
  TRADE_CLOSED: ['closed', true], // unpaid and timed out — or fully refunded (the store keeps a refunded order refunded)
};
const WECHAT_TRADE = {
  NOTPAY: ['pending', false],
  USERPAYING: ['pending', false],
  SUCCESS: ['paid', false],
  REFUND: ['refunded', false],
  CLOSED: ['closed', true],
  REVOKED: ['closed', true],
  PAYERROR: ['failed', true],
};
const WECHAT_REFUND = { PROCESSING: ['pending', false], ABNORMAL: ['pending', false], SUCCESS: ['refunded', true], CLOSED: ['failed', true] };
const USEEPAY_PAY = { received: 'pending', pending: 'pending', succeed: 'paid', failed: 'failed', cancelled: 'closed', closed: 'closed' };
const USEEPAY_REFUND = { received: 'pending', pending: 'pending', succeed: 'refunded', failed: 'failed', cancelled: 'failed', closed: 'failed' };

const status = (table, providerStatus) => table[providerStatus] ?? ['pending', false];

export class Checkout {
  /** `alipay`: an `Alipay` client; `wechat`: a `WechatPay` or a `UseePay` client. */
  constructor({ alipay, wechat }) {
    this.alipay = alipay;
    this.wechat = wechat;
    this.wechatProvider = wechat instanceof WechatPay ? 'wechatpay' : 'useepay';
  }

  #provider(wallet) {
    if (wallet === 'alipay' && this.alipay) return 'alipay';
    if (wallet === 'wechat' && this.wechat) return this.wechatProvider;
    throw new Error(`no client for wallet ${wallet}`);
  }

  buildOrder(order) {
    const { outTradeNo, amount, subject, buyer, notifyUrl } = order;
    switch (this.#provider(buyer.wallet)) {
      case 'alipay':
        return this.alipay.buildTradeCreate(
          {
            out_trade_no: outTradeNo,
            total_amount: amount,
            subject,
            ...(buyer.openId ? { buyer_open_id: buyer.openId } : { buyer_id: buyer.userId }),
            product_code: 'JSAPI_PAY',
          },
          { notifyUrl },
        );
      case 'wechatpay':
        return this.wechat.buildJsapiPrepay({ description: subject, out_trade_no: outTradeNo, amount, appid: buyer.appId, payer: { openid: buyer.openid }, notify_url: notifyUrl });
      default:
        return this.wechat.buildJsapiPay({ transactionId: outTradeNo, amount, subAppId: buyer.appId, subOpenId: buyer.openid, subject, notifyUrl });
    }
  }

  parseOrder(order, response) {
    const { buyer, client, outTradeNo } = order;
    const provider = this.#provider(buyer.wallet);
    if (provider === 'alipay') {
      const trade = this.alipay.parseResponse('alipay.trade.create', response.body);
      const api = client === 'mini-program' ? 'my.tradePay' : 'AlipayJSBridge.tradePay';
      return { wallet: 'alipay', provider, outTradeNo, tradeNo: trade.trade_no, launch: { api, params: this.alipay.tradePayParams(trade) } };
    }
    const api = client === 'mini-program' ? 'wx.requestPayment' : 'WeixinJSBridge.getBrandWCPayRequest';
    if (provider === 'wechatpay') {
      const { prepay_id: prepayId } = this.wechat.verifyResponse(response);
      return { wallet: 'wechat', provider, outTradeNo, tradeNo: null, launch: { api, params: this.wechat.requestPaymentParams({ prepayId, appId: buyer.appId }) } };
    }
    const result = this.wechat.parseJsapiPay(response.body);
    // UseePay's parameters leave out appId; WeixinJSBridge needs it, wx.requestPayment ignores it.
    return { wallet: 'wechat', provider, outTradeNo, tradeNo: result.reference, launch: { api, params: { appId: buyer.appId, ...result.requestPayment } } };
  }

  verifyEvent(provider, { headers, body }) {
    if (provider === 'alipay') {
      const { event, reply } = this.alipay.verifyNotify(body);
      const [state, final] = status(ALIPAY_TRADE, event.tradeStatus);
      return {
        reply,
        event: paymentEvent({
          provider,
          status: state,
          final,
          outTradeNo: event.outTradeNo,
          tradeNo: event.tradeNo,
          amount: event.amount,
          time: alipayTime(event.params.gmt_payment),
          notifyId: event.notifyId,
          providerStatus: event.tradeStatus,
          raw: event.params,
        }),
      };
    }
    this.#expect(provider);
    if (provider === 'wechatpay') {
      const { event, reply } = this.wechat.verifyNotify({ headers, body });
      return { reply, event: this.#wechatEvent(JSON.parse(event.plaintext), event.notifyId) };
    }
    const { event, reply } = this.wechat.verifyNotify(body);
    return { reply, event: this.#useepayEvent(event.fields, event) };
  }

  failureReply(provider, error) {
    if (provider === 'wechatpay') return WechatPay.failureReply(error);
    // Alipay retries anything but `success`, UseePay anything but `OK`.
    return { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: provider === 'alipay' ? 'fail' : 'FAIL' };
  }

  buildQuery({ wallet, outTradeNo }) {
    const provider = this.#provider(wallet);
    if (provider === 'alipay') return this.alipay.buildTradeQuery({ out_trade_no: outTradeNo });
    return provider === 'wechatpay' ? this.wechat.buildQuery({ outTradeNo }) : this.wechat.buildQuery({ transactionId: outTradeNo });
  }

  parseQuery({ wallet }, response) {
    const provider = this.#provider(wallet);
    if (provider === 'alipay') {
      const q = this.alipay.parseResponse('alipay.trade.query', response.body);
      const [state, final] = status(ALIPAY_TRADE, q.trade_status);
      return paymentEvent({
        provider,
        status: state,
        final,
        outTradeNo: q.out_trade_no,
        tradeNo: q.trade_no,
        amount: { minor: decimalToMinor(q.total_amount), currency: 'CNY' },
        time: alipayTime(q.send_pay_date),
        providerStatus: q.trade_status,
        raw: q,
      });
    }
    if (provider === 'wechatpay') return this.#wechatEvent(this.wechat.verifyResponse(response), null);
    const q = this.wechat.parseQuery(response.body);
    return this.#useepayEvent(q.transaction, q);
  }

  buildRefund({ wallet, outTradeNo, outRefundNo, amount, total, reason }) {
    const provider = this.#provider(wallet);
    if (provider === 'alipay') {
      return this.alipay.buildTradeRefund({ out_trade_no: outTradeNo, refund_amount: amount, out_request_no: outRefundNo, ...(reason ? { refund_reason: reason } : {}) });
    }
    if (provider === 'wechatpay') {
      return this.wechat.buildRefund({ out_trade_no: outTradeNo, out_refund_no: outRefundNo, amount: { refund: amount, total }, ...(reason ? { reason } : {}) });
    }
    return this.wechat.buildRefund({ transactionId: outRefundNo, originalTransactionId: outTradeNo, amount });
  }

  parseRefund({ wallet, outTradeNo, outRefundNo }, response) {
    const provider = this.#provider(wallet);
    if (provider === 'alipay') {
      // A signed code 10000 is a done refund; `refund_fee` is the trade's refunded total, not this refund's.
      const r = this.alipay.parseResponse('alipay.trade.refund', response.body);
      return paymentEvent({ provider, kind: 'refund', status: 'refunded', final: true, outTradeNo, tradeNo: r.trade_no, outRefundNo, time: alipayTime(r.gmt_refund_pay), providerStatus: `fund_change=${r.fund_change}`, raw: r });
    }
    if (provider === 'wechatpay') {
      const r = this.wechat.verifyResponse(response);
      const [state, final] = status(WECHAT_REFUND, r.status);
      return paymentEvent({
        provider,
        kind: 'refund',
        status: state,
        final,
        outTradeNo: r.out_trade_no,
        tradeNo: r.transaction_id,
        outRefundNo: r.out_refund_no,
        refundId: r.refund_id,
        amount: { minor: r.amount.refund, currency: r.amount.currency ?? 'CNY' },
        time: r.success_time ?? null,
        providerStatus: r.status,
        raw: r,
      });
    }
    const r = this.wechat.parseRefund(response.body);
    return paymentEvent({
      provider,
      kind: 'refund',
      status: USEEPAY_REFUND[r.resultCode] ?? 'pending',
      final: r.final,
      outTradeNo,
      outRefundNo: r.transactionId,
      refundId: r.reference,
      amount: r.amount,
      providerStatus: r.resultCode,
      raw: r,
    });
  }

  #expect(provider) {
    if (provider !== this.wechatProvider) throw new Error(`no client for provider ${provider}`);
  }

  /** A WeChat Pay transaction or refund resource (notification plaintext, query reply). */
  #wechatEvent(resource, notifyId) {
    if (resource.refund_status !== undefined) {
      const [state, final] = status(WECHAT_REFUND, resource.refund_status);
      return paymentEvent({
        provider: 'wechatpay',
        kind: 'refund',
        status: state,
        final,
        outTradeNo: resource.out_trade_no,
        tradeNo: resource.transaction_id,
        outRefundNo: resource.out_refund_no,
        refundId: resource.refund_id,
        amount: { minor: resource.amount.refund, currency: resource.amount.currency ?? 'CNY' },
        time: resource.success_time ?? null,
        notifyId,
        providerStatus: resource.refund_status,
        raw: resource,
      });
    }
    const [state, final] = status(WECHAT_TRADE, resource.trade_state);
    return paymentEvent({
      provider: 'wechatpay',
      status: state,
      final,
      outTradeNo: resource.out_trade_no,
      tradeNo: resource.transaction_id ?? null,
      amount: { minor: resource.amount.total, currency: resource.amount.currency ?? 'CNY' },
      time: resource.success_time ?? null,
      notifyId,
      providerStatus: resource.trade_state,
      raw: resource,
    });
  }

  /** A UseePay payment or refund (notification fields, query `transactionInfo`) and its normalized result. */
  #useepayEvent(fields, result) {
    const refund = fields.transactionType === 'refund';
    return paymentEvent({
      provider: 'useepay',
      kind: refund ? 'refund' : 'payment',
      status: (refund ? USEEPAY_REFUND : USEEPAY_PAY)[result.resultCode] ?? 'pending',
      final: result.final,
      outTradeNo: refund ? fields.originalTransactionId : fields.transactionId,
      tradeNo: refund ? null : (fields.reference ?? null),
      outRefundNo: refund ? fields.transactionId : null,
      refundId: refund ? (fields.reference ?? null) : null,
      amount: result.amount,
      providerStatus: result.resultCode,
      // UseePay notifications carry no id: the store falls back to a digest of the signed fields.
      raw: fields,
    });
  }
}
