// Builds the public API from one instance of the wasm-bindgen glue. Every entry point calls this,
// so every runtime exports the same names.
import { AggpayError } from './errors.mjs';
import { send } from './http.mjs';

export function createApi(wasm, { nodeEngine = null } = {}) {
  wasm.__configure(AggpayError, nodeEngine);
  return {
    AggpayError,
    send,
    Alipay: wasm.Alipay,
    UseePay: wasm.UseePay,
    WechatMiniProgram: wasm.WechatMiniProgram,
    RsaSigner: wasm.RsaSigner,
    RsaVerifier: wasm.RsaVerifier,
    Certificate: wasm.Certificate,
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
