// Builds the public API from one instance of the wasm-bindgen glue. Every entry point calls this,
// so every runtime exports the same names.
import { wrapClass } from './classes.mjs';
import { AggpayError } from './errors.mjs';
import { send } from './http.mjs';

export function createApi(wasm, { nodeEngine = null } = {}) {
  wasm.__configure(AggpayError, nodeEngine);
  return {
    AggpayError,
    send,
    // Thin classes that check their receiver before calling into Wasm (classes.mjs).
    Alipay: wrapClass('Alipay', wasm.Alipay),
    UseePay: wrapClass('UseePay', wasm.UseePay),
    WechatMiniProgram: wrapClass('WechatMiniProgram', wasm.WechatMiniProgram),
    RsaSigner: wrapClass('RsaSigner', wasm.RsaSigner),
    RsaVerifier: wrapClass('RsaVerifier', wasm.RsaVerifier),
    Certificate: wrapClass('Certificate', wasm.Certificate, { constructible: false }),
    primitives: Object.freeze({
      md5: wasm.md5,
      sha256: wasm.sha256,
      hmacSha256: wasm.hmacSha256,
      timingSafeEqual: wasm.timingSafeEqual,
      aesGcmDecrypt: wasm.aesGcmDecrypt,
      aesCbcEncrypt: wasm.aesCbcEncrypt,
      aesCbcDecrypt: wasm.aesCbcDecrypt,
      aesEcbDecrypt: wasm.aesEcbDecrypt,
    }),
  };
}
