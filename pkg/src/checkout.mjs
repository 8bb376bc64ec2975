// The one-code checkout: which client serves each wallet, and each provider's client by name. Every
// rule — the order, the requests, the client parameters, the one event shape, the failure replies —
// is the core's, behind the clients' `…Checkout`, `verifyEvent`, `…StatusQuery` methods; this class
// only picks the client (by the wallet an order, query or refund names, or the provider a
// notification came from) and calls it.
import { AggpayError, rethrowFrom } from './errors.mjs';

const bad = (message) => new AggpayError(message, { code: 'ERR_BAD_INPUT' });

/** `value[name]`, where any trap or getter that throws is an AggpayError naming `what`. */
function read(value, name, what) {
  if (value === null || typeof value !== 'object') return undefined;
  try {
    return value[name];
  } catch {
    throw bad(`${what} cannot be read`);
  }
}

/**
 * The `Checkout` class over the public client classes; `failureReply(provider, error)` is the core's.
 * Every method has an `…Async` form that runs the client's asynchronous engine.
 */
export function checkoutClass({ Alipay, WechatPay, UseePay }, failureReply) {
  /** checkout → { wallets: { alipay?, wechat? }, providers: { name → client } } */
  const states = new WeakMap();
  const providerOf = (client) => {
    if (client instanceof Alipay) return 'alipay';
    if (client instanceof WechatPay) return 'wechatpay';
    if (client instanceof UseePay) return 'useepay';
    return null;
  };
  const stateOf = (self, what) => {
    const state = states.get(self);
    if (state === undefined) throw bad(`Checkout.prototype.${what} was called on something that is not a Checkout`);
    return state;
  };
  const byWallet = (state, wallet) => {
    const client = typeof wallet === 'string' && Object.hasOwn(state.wallets, wallet) ? state.wallets[wallet] : undefined;
    if (client === undefined) throw bad(`no client serves the wallet ${typeof wallet === 'string' && /^[a-z]{1,16}$/.test(wallet) ? `"${wallet}"` : 'given'} (configured: ${Object.keys(state.wallets).join(', ')})`);
    return client;
  };
  const byProvider = (state, provider) => {
    const client = typeof provider === 'string' && Object.hasOwn(state.providers, provider) ? state.providers[provider] : undefined;
    if (client === undefined) throw bad(`no client of that provider is configured (configured: ${Object.keys(state.providers).join(', ')})`);
    return client;
  };
  /** The wallet an order names (`order.buyer.wallet`), or a query or refund (`wallet`). */
  const orderWallet = (order) => read(read(order, 'buyer', 'order.buyer'), 'wallet', 'order.buyer.wallet');
  const argsWallet = (args) => read(args, 'wallet', 'wallet');

  class Checkout {
    /**
     * `{ alipay?: Alipay, wechat?: WechatPay | UseePay }`: the client each wallet's buyers pay
     * through. The clients stay the caller's (certificates added to them count here too).
     */
    constructor(config) {
      if (config === null || typeof config !== 'object') throw bad('Checkout config must be an object { alipay?, wechat? }');
      const wallets = {};
      const providers = {};
      for (const [wallet, allowed] of [['alipay', ['alipay']], ['wechat', ['wechatpay', 'useepay']]]) {
        const client = read(config, wallet, `Checkout config.${wallet}`);
        if (client === undefined || client === null) continue;
        const provider = providerOf(client);
        if (!allowed.includes(provider)) {
          throw bad(`Checkout config.${wallet} must be ${wallet === 'alipay' ? 'an Alipay client' : 'a WechatPay or UseePay client'}`);
        }
        wallets[wallet] = client;
        providers[provider] = client;
      }
      if (Object.keys(wallets).length === 0) throw bad('Checkout config names no client: give alipay, wechat or both');
      for (const key of Object.keys(config)) {
        if (key !== 'alipay' && key !== 'wechat') throw bad(`Checkout config: unknown option${/^[A-Za-z_$][\w$]{0,40}$/.test(key) ? ` "${key}"` : ''}; use alipay and wechat`);
      }
      states.set(this, { wallets, providers });
    }

    /** The provider that serves `wallet` (`'alipay'`, `'wechatpay'`, `'useepay'`). */
    providerFor(wallet) {
      return providerOf(byWallet(stateOf(this, 'providerFor'), wallet));
    }

    /** The reply to a notification from `provider` that could not be accepted (the error caught). */
    failureReply(provider, error) {
      byProvider(stateOf(this, 'failureReply'), provider);
      return failureReply(provider, error);
    }
  }

  // Each operation: how it finds its client, and the client method it calls.
  const operations = {
    buildOrder: [(state, order) => byWallet(state, orderWallet(order)), 'buildCheckout'],
    parseOrder: [(state, order) => byWallet(state, orderWallet(order)), 'parseCheckout'],
    verifyEvent: [(state, provider) => byProvider(state, provider), 'verifyEvent', 1],
    buildQuery: [(state, query) => byWallet(state, argsWallet(query)), 'buildStatusQuery'],
    parseQuery: [(state, query) => byWallet(state, argsWallet(query)), 'parseStatusQuery'],
    buildRefund: [(state, refund) => byWallet(state, argsWallet(refund)), 'buildCheckoutRefund'],
    parseRefund: [(state, refund) => byWallet(state, argsWallet(refund)), 'parseCheckoutRefund'],
  };
  for (const [name, [find, method, skip = 0]] of Object.entries(operations)) {
    const sync = {
      [name](first, ...rest) {
        try {
          const client = find(stateOf(this, name), first);
          return client[method](...(skip ? rest : [first, ...rest]));
        } catch (error) {
          return rethrowFrom(error, sync);
        }
      },
    }[name];
    const asyncName = `${name}Async`;
    const async = {
      async [asyncName](first, ...rest) {
        const client = find(stateOf(this, asyncName), first);
        return client[`${method}Async`](...(skip ? rest : [first, ...rest]));
      },
    }[asyncName];
    for (const [key, value] of [[name, sync], [asyncName, async]]) {
      Object.defineProperty(Checkout.prototype, key, { value, writable: true, enumerable: false, configurable: true });
    }
  }
  return Checkout;
}
