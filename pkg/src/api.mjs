// Builds the public API from one instance of the wasm-bindgen glue. Every entry point calls this,
// so every runtime exports the same names.
import { checkoutClass } from './checkout.mjs';
import { wrapClass } from './classes.mjs';
import { engineSelector } from './engines.mjs';
import { AggpayError, rethrowFrom } from './errors.mjs';
import { send } from './http.mjs';

/** `fn` under `name`, its errors' stacks starting at the caller (errors.mjs). */
function fromCallerOf(name, fn) {
  const wrapped = {
    [name](...args) {
      try {
        return fn(...args);
      } catch (error) {
        return rethrowFrom(error, wrapped);
      }
    },
  }[name];
  Object.defineProperty(wrapped, 'length', { value: fn.length, configurable: true });
  return wrapped;
}

/** `nodeEngine`: the node engine factory (engine-node.mjs) on Node, null elsewhere. */
export function createApi(wasm, { nodeEngine = null } = {}) {
  wasm.__configure(AggpayError);
  const select = engineSelector(nodeEngine);
  // Clients take `engine` in their config (and the core never sees it); the key classes in their options.
  const memory = wasm.__memory();
  const clientEngines = { select, option: [0, true], memory };
  const keyEngines = { select, option: [1, false], memory };
  // Thin classes that check their receiver and run the engine step (classes.mjs, seam.mjs).
  const Alipay = wrapClass('Alipay', wasm.Alipay, { engines: clientEngines });
  const UseePay = wrapClass('UseePay', wasm.UseePay, { engines: clientEngines });
  const WechatPay = wrapClass('WechatPay', wasm.WechatPay, { engines: clientEngines });
  return {
    AggpayError,
    send,
    Alipay,
    UseePay,
    WechatPay,
    Checkout: checkoutClass({ Alipay, WechatPay, UseePay }, wasm.checkoutFailureReply),
    // What a signature covers, and where a provider's report of it differs (support: "签名错误").
    explain: wasm.explain,
    firstDifference: wasm.firstDifference,
    WechatMiniProgram: wrapClass('WechatMiniProgram', wasm.WechatMiniProgram),
    WechatOfficialAccount: wrapClass('WechatOfficialAccount', wasm.WechatOfficialAccount),
    Router: wrapClass('Router', wasm.Router),
    RsaSigner: wrapClass('RsaSigner', wasm.RsaSigner, { engines: keyEngines }),
    RsaVerifier: wrapClass('RsaVerifier', wasm.RsaVerifier, { engines: keyEngines }),
    Certificate: wrapClass('Certificate', wasm.Certificate, { constructible: false }),
    primitives: Object.freeze(Object.fromEntries(
      ['md5', 'sha256', 'hmacSha256', 'timingSafeEqual', 'aesGcmDecrypt', 'aesCbcEncrypt', 'aesCbcDecrypt', 'aesEcbDecrypt']
        .map((name) => [name, fromCallerOf(name, wasm[name])]),
    )),
  };
}
