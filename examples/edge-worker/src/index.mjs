// A Cloudflare Worker on aggpay: payment notifications from Alipay, WeChat Pay and UseePay verified
// with verify-only clients (public keys and the APIv3 key: nothing that can sign), answered with
// exactly the reply each provider expects; and Alipay orders created with the WebCrypto engine
// (the `…Async` methods: crypto.subtle signs about 11× faster than Wasm in workerd).
//
//   POST /notify/alipay | /notify/wechatpay | /notify/useepay   a provider's notification, raw
//   POST /orders   { outTradeNo, subject, amountMinor, userId }  → { tradeNO } for my.tradePay
//
// Configuration: wrangler.toml [vars] and secrets (`wrangler secret put NAME`), see README.md.
import { Alipay, Checkout, UseePay, WechatPay, send } from 'aggpay';

/** Clients are made once per isolate (keys are parsed once, WebCrypto keys imported once). */
const clientsByEnv = new WeakMap();
function clients(env) {
  let made = clientsByEnv.get(env);
  if (made) return made;
  const engine = env.AGGPAY_ENGINE ?? 'webcrypto'; // wrangler.toml: 'webcrypto' or 'wasm'
  // Verify-only: the provider's public key (or the APIv3 key), no private key.
  const alipay = new Alipay({ appId: env.ALIPAY_APP_ID, alipayPublicKey: env.ALIPAY_PUBLIC_KEY, engine });
  const wechatpay = new WechatPay({
    mchid: env.WECHATPAY_MCHID, apiV3Key: env.WECHATPAY_API_V3_KEY,
    wechatpayPublicKey: env.WECHATPAY_PUBLIC_KEY, wechatpayPublicKeyId: env.WECHATPAY_PUBLIC_KEY_ID, engine,
  });
  const useepay = new UseePay({
    merchantNo: env.USEEPAY_MERCHANT_NO, appId: env.USEEPAY_APP_ID, signType: 'RSA', useepayPublicKey: env.USEEPAY_PUBLIC_KEY, engine,
  });
  // One Checkout per provider: one event shape for every notification, and each provider's replies.
  const notifications = {
    alipay: new Checkout({ alipay }),
    wechatpay: new Checkout({ wechat: wechatpay }),
    useepay: new Checkout({ wechat: useepay }),
  };
  // Orders need the app private key: the only signing client.
  const orders = new Checkout({
    alipay: new Alipay({
      appId: env.ALIPAY_APP_ID, privateKey: env.ALIPAY_PRIVATE_KEY, alipayPublicKey: env.ALIPAY_PUBLIC_KEY, notifyUrl: env.ALIPAY_NOTIFY_URL, engine,
    }),
  });
  made = { notifications, orders };
  clientsByEnv.set(env, made);
  return made;
}

async function notify(provider, request, env) {
  const checkout = clients(env).notifications[provider];
  // The raw body, never a re-serialized one: the signature covers its exact bytes.
  const body = new Uint8Array(await request.arrayBuffer());
  try {
    const { event, reply } = await checkout.verifyEventAsync(provider, { headers: request.headers, body });
    // event: { provider, kind, status: 'paid' | …, outTradeNo, amount: { minor, currency }, notifyId, … }
    // Record it here (D1, a queue, a Durable Object) before replying; compare `amount` with your order.
    void event;
    return new Response(reply.body, reply);
  } catch (error) {
    const reply = checkout.failureReply(provider, error);
    return new Response(reply.body, reply);
  }
}

async function createOrder(request, env) {
  // A real shop prices the order from its own records; never trust an amount sent by the client.
  const { outTradeNo, subject, amountMinor, userId } = await request.json();
  const order = {
    outTradeNo, subject, amount: { minor: amountMinor, currency: 'CNY' }, buyer: { wallet: 'alipay', userId }, client: 'mini-program',
  };
  const { orders } = clients(env);
  const created = await orders.parseOrderAsync(order, await send(await orders.buildOrderAsync(order)));
  return Response.json(created.launch.params); // { tradeNO } → my.tradePay(…)
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (request.method !== 'POST') return new Response('method not allowed', { status: 405 });
    const provider = /^\/notify\/(alipay|wechatpay|useepay)$/.exec(pathname)?.[1];
    if (provider) return notify(provider, request, env);
    if (pathname === '/orders') return createOrder(request, env);
    return new Response('not found', { status: 404 });
  },
};
