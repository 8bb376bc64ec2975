// The merchant app on this machine, in one command:
//
//   node examples/merchant/main.mjs [--db PATH] [--port N]
//
// starts aggpay's sandbox (the providers, with generated keys), then the app, prints where it listens, the
// printed codes' URLs (STORE42: WeChat through WeChat Pay; HK01: through UseePay), the sandbox's control URL
// and the admin token, and runs until Ctrl-C. Type `pay <order number>` to play the buyer confirming the
// payment in the wallet.
import crypto from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { createMerchantApp } from './app.mjs';
import { startLocalProviders } from './local.mjs';

const { values } = parseArgs({ options: { db: { type: 'string' }, port: { type: 'string' } } });
const dbPath = values.db ?? join(tmpdir(), 'aggpay-merchant', 'merchant.db');
if (!values.db) mkdirSync(join(tmpdir(), 'aggpay-merchant'), { recursive: true });

const log = (line) => console.log(`  ${line}`);
const { sandbox, config } = await startLocalProviders({ log });
const adminToken = crypto.randomBytes(16).toString('hex');
const app = await createMerchantApp({
  dbPath,
  config,
  routerSecret: crypto.randomBytes(32).toString('hex'),
  adminToken,
  port: Number(values.port ?? 0),
  log,
});

const printed = `${app.url}/q/STORE42?table=7`;
console.log(`merchant app   ${app.url}   (database ${dbPath})
printed codes  ${printed}   (WeChat Pay)
               ${app.url}/q/HK01?table=3   (UseePay, WeChat Pay HK)
sandbox        ${sandbox.controlUrl}   (POST /control/pay, /control/issueCode, …)
admin token    ${adminToken}

  curl -i -A 'AlipayClient/10.2.0' '${printed}'     # Alipay's browser: off to auth_base
  curl -s -H 'content-type: application/json' ${app.url}/api/checkout \\
    -d '{"wallet":"alipay","code":"any","amount":"19.99","launch":{"query":{"qrCode":"${printed}"}}}'
  then type: pay <outTradeNo>     # the buyer pays; the provider notifies
  curl -s -H 'authorization: Bearer ${adminToken}' ${app.url}/api/orders
Ctrl-C to stop.`);

/** The buyer confirms order `outTradeNo` in the wallet: the sandbox marks it paid and notifies the app. */
async function pay(outTradeNo) {
  const order = await app.store.getOrder(outTradeNo);
  if (!order) return console.log(`no order ${outTradeNo}`);
  await sandbox.pay({ provider: order.provider, id: outTradeNo });
  console.log(`${outTradeNo}: ${(await app.store.getOrder(outTradeNo)).status}`);
}

const input = readline.createInterface({ input: process.stdin });
input.on('line', (line) => {
  const [command, argument] = line.trim().split(/\s+/);
  if (command === 'pay' && argument) pay(argument).catch((error) => console.log(`pay: ${error.message}`));
  else if (command) console.log('commands: pay <outTradeNo>');
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  input.close();
  await app.close();
  await sandbox.close();
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
