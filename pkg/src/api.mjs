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

/** The replacer the core stringifies JS arguments with: NaN and ±Infinity are refused, not turned into null. */
function refuseNonFinite(key, value) {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError('non-finite number');
  return value;
}

const textEncoder = new TextEncoder();

/** Writes `text` (a string primitive) as UTF-8 into `target` (a view of Wasm memory); the bytes written. */
function encodeText(text, target) {
  return textEncoder.encodeInto(text, target).written;
}

/**
 * `nodeEngine`: the node engine factory (engine-node.mjs) on Node, null elsewhere. `instantiate`: for an
 * entry that can instantiate the module synchronously whenever it is first needed (Node), a function that
 * does so; the module is then read, compiled and instantiated by the first call that needs it, so that
 * loading the package costs only its JavaScript. Without it the module must be ready already.
 */
export function createApi(wasm, { nodeEngine = null, instantiate = null } = {}) {
  let memory = null;
  const ready = () => {
    if (memory !== null) return;
    instantiate?.();
    wasm.__configure(AggpayError, refuseNonFinite, encodeText);
    memory = wasm.__memory();
  };
  if (instantiate === null) ready();
  const select = engineSelector(nodeEngine);
  // Clients take `engine` in their config (and the core never sees it); the key classes in their options.
  // Steps are read from the instance's memory (`buffer` read each time: it changes when memory grows).
  const steps = { get buffer() { return memory.buffer; } };
  // An operation whose step needs an engine comes back as a wasm.Pending; any other value is its result.
  const clientEngines = { select, option: [0, true], memory: steps, Pending: wasm.Pending };
  const keyEngines = { select, option: [1, false], memory: steps, Pending: wasm.Pending };
  /** The glue's function `name`, instantiating first, its errors' stacks from the caller. */
  const call = (name) => fromCallerOf(name, (...args) => {
    ready();
    return wasm[name](...args);
  });
  // Thin classes that check their receiver and run the engine step (classes.mjs, seam.mjs).
  const Alipay = wrapClass('Alipay', wasm.Alipay, { engines: clientEngines, ready });
  const UseePay = wrapClass('UseePay', wasm.UseePay, { engines: clientEngines, ready });
  const WechatPay = wrapClass('WechatPay', wasm.WechatPay, { engines: clientEngines, ready });
  return {
    AggpayError,
    send,
    Alipay,
    UseePay,
    WechatPay,
    Checkout: checkoutClass({ Alipay, WechatPay, UseePay }, call('checkoutFailureReply')),
    // What a signature covers, and where a provider's report of it differs (support: "签名错误").
    explain: call('explain'),
    firstDifference: call('firstDifference'),
    WechatMiniProgram: wrapClass('WechatMiniProgram', wasm.WechatMiniProgram, { ready }),
    WechatOfficialAccount: wrapClass('WechatOfficialAccount', wasm.WechatOfficialAccount, { ready }),
    Router: wrapClass('Router', wasm.Router, { ready }),
    RsaSigner: wrapClass('RsaSigner', wasm.RsaSigner, { engines: keyEngines, ready }),
    RsaVerifier: wrapClass('RsaVerifier', wasm.RsaVerifier, { engines: keyEngines, ready }),
    Certificate: wrapClass('Certificate', wasm.Certificate, { constructible: false, ready }),
    primitives: Object.freeze(Object.fromEntries(
      ['md5', 'sha256', 'hmacSha256', 'timingSafeEqual', 'aesGcmDecrypt', 'aesCbcEncrypt', 'aesCbcDecrypt', 'aesEcbDecrypt']
        .map((name) => [name, call(name)]),
    )),
  };
}
