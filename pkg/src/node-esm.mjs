// The Node entry for `import`: the CommonJS bundle (dist/node.cjs, what `require` loads), so that both
// share one instance, with its names exported here. Importing the bundle itself works too, but Node
// would then parse its 110 KB with its CommonJS export lexer on every cold start to find those names
// (about 20 ms on this project's machine, more than the rest of `import` together).
import { createRequire } from 'node:module';

const api = createRequire(import.meta.url)('../dist/node.cjs');
export const { AggpayError, Alipay, Certificate, Checkout, Router, RsaSigner, RsaVerifier, UseePay, WechatMiniProgram, WechatOfficialAccount, WechatPay, explain, firstDifference, primitives, send } = api;
// `import aggpay from 'aggpay'` kept working when `import` loaded the bundle directly.
export default api;
