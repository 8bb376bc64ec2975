// The demo: first the one-code journey — aggpay's sandbox and the merchant app, one printed URL scanned by
// Alipay and WeChat buyers, in the mini programs and in the wallets' browsers, the orders as the database
// holds them — then each provider's journey in detail against the same emulations (127.0.0.1 only). One
// printed line per step. Exits 0 when every step of every journey passed, 1 otherwise.
//
//   bash scripts/demo.sh      (builds the package first), or `node examples/demo.mjs` after a build
import { performance } from 'node:perf_hooks';
import { runAlipayJourney } from './journeys/alipay.mjs';
import { runOneCodeJourney } from './journeys/one-code.mjs';
import { runUseePayJourney } from './journeys/useepay.mjs';
import { runWechatPayJourney } from './journeys/wechatpay.mjs';

// Each journey: { title, run({ print }) → { steps } }.
const JOURNEYS = [
  { title: 'One code, many wallets: the merchant app on the sandbox (Alipay and WeChat; mini programs and H5; WeChat Pay and UseePay)', run: runOneCodeJourney },
  { title: 'Alipay mini program (my.tradePay)', run: runAlipayJourney },
  { title: 'WeChat mini program via UseePay, WeChat Pay HK (wx.requestPayment), RSA keys', run: (o) => runUseePayJourney({ ...o, signType: 'RSA' }) },
  { title: 'WeChat mini program via UseePay, WeChat Pay HK (wx.requestPayment), MD5 key', run: (o) => runUseePayJourney({ ...o, signType: 'MD5' }) },
  { title: 'WeChat mini program via WeChat Pay APIv3 (wx.requestPayment), encrypted notifications, key rotation', run: runWechatPayJourney },
];
const WATCHDOG_MS = 120_000;

setTimeout(() => {
  console.error(`demo: still running after ${WATCHDOG_MS / 1000} s, giving up`);
  process.exit(1);
}, WATCHDOG_MS).unref();

const started = performance.now();
let steps = 0;
try {
  for (const { title, run } of JOURNEYS) {
    console.log(`\n${title}`);
    steps += (await run({ print: (line) => console.log(line) })).steps.length;
  }
  console.log(`\ndemo: ${JOURNEYS.length} journey(s), ${steps} steps, all passed (${Math.round(performance.now() - started)} ms)`);
} catch (error) {
  console.error(`\ndemo: FAILED — ${error.stack ?? error}`);
  process.exitCode = 1;
}
