// The merchant app's database: orders, payments, refunds and the notifications received, in SQLite through
// better-sqlite3. This module is the only one that speaks SQL; the app calls the functions `openStore`
// returns. Money is integer minor units everywhere (fen, cents): never a float.
//
// Every function is synchronous (better-sqlite3 is), and `recordEvent` runs in one transaction, so two
// notifications for the same order cannot interleave. To run on PostgreSQL, keep these functions and their
// results and write them over `pg` (see "Pointing it at PostgreSQL" in the README).
import Database from 'better-sqlite3';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS orders (
  out_trade_no TEXT PRIMARY KEY,
  store        TEXT NOT NULL,
  table_no     TEXT,
  wallet       TEXT NOT NULL CHECK (wallet IN ('alipay', 'wechat')),
  provider     TEXT NOT NULL CHECK (provider IN ('alipay', 'wechatpay', 'useepay')),
  client       TEXT NOT NULL CHECK (client IN ('mini-program', 'h5')),
  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  currency     TEXT NOT NULL,
  subject      TEXT NOT NULL,
  buyer_id     TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'closed', 'failed', 'refunded')),
  trade_no     TEXT,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS orders_by_time ON orders (created_at);

CREATE TABLE IF NOT EXISTS payments (
  out_trade_no TEXT PRIMARY KEY REFERENCES orders (out_trade_no),
  provider     TEXT NOT NULL,
  trade_no     TEXT,
  amount_minor INTEGER NOT NULL,
  currency     TEXT NOT NULL,
  paid_at      TEXT,
  source       TEXT NOT NULL CHECK (source IN ('notification', 'query')),
  recorded_at  TEXT NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS refunds (
  out_refund_no TEXT PRIMARY KEY,
  out_trade_no  TEXT NOT NULL REFERENCES orders (out_trade_no),
  amount_minor  INTEGER NOT NULL CHECK (amount_minor > 0),
  currency      TEXT NOT NULL,
  reason        TEXT,
  status        TEXT NOT NULL CHECK (status IN ('pending', 'refunded', 'failed')),
  refund_id     TEXT,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS refunds_by_order ON refunds (out_trade_no);

-- Only notifications whose signature verified are stored (a forged body is logged, never written), once
-- each: the same notification delivered again has the same notify_id (Alipay's notify_id, WeChat Pay's
-- envelope id, UseePay's transactionType:transactionId:resultCode).
-- outcome: applied (changed the order or a refund), unchanged (nothing new, or out of order), refused.
CREATE TABLE IF NOT EXISTS notifications (
  id           INTEGER PRIMARY KEY,
  provider     TEXT NOT NULL,
  notify_id    TEXT NOT NULL,
  out_trade_no TEXT,
  received_at  TEXT NOT NULL,
  outcome      TEXT NOT NULL CHECK (outcome IN ('applied', 'unchanged', 'refused')),
  reason       TEXT,
  event        TEXT NOT NULL,
  UNIQUE (provider, notify_id)
) STRICT;
`;

/** Order statuses an event may move an order to, from each status: forward only. */
const ORDER_NEXT = {
  pending: ['paid', 'closed', 'failed'],
  paid: [], // a paid order becomes `refunded` only through its refunds adding up
  closed: [],
  failed: [],
  refunded: [],
};
const REFUND_NEXT = { pending: ['refunded', 'failed'], refunded: [], failed: [] };

/** An order row as the app sees it. */
const orderOf = (row) =>
  row && {
    outTradeNo: row.out_trade_no,
    store: row.store,
    tableNo: row.table_no,
    wallet: row.wallet,
    provider: row.provider,
    client: row.client,
    amount: { minor: row.amount_minor, currency: row.currency },
    subject: row.subject,
    buyerId: row.buyer_id,
    status: row.status,
    tradeNo: row.trade_no,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };

const refundOf = (row) =>
  row && {
    outRefundNo: row.out_refund_no,
    outTradeNo: row.out_trade_no,
    amount: { minor: row.amount_minor, currency: row.currency },
    reason: row.reason,
    status: row.status,
    refundId: row.refund_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };

/** A positive integer of minor units (a number or a string of digits), or a thrown error. */
function minorUnits(value, what) {
  const minor = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
  if (!Number.isSafeInteger(minor) || minor <= 0) throw new RangeError(`${what}: a positive integer of minor units is needed`);
  return minor;
}

/** Whether an event's amount is the expected one (minor units and currency). */
const sameAmount = (amount, minor, currency) => Number(amount.minor) === minor && amount.currency === currency;

/**
 * Opens (and creates) the database at `path`. `now()` gives epoch milliseconds (default `Date.now`).
 * Returns the store's functions and `close()`.
 */
export function openStore(path, { now = Date.now } = {}) {
  const db = new Database(path);
  db.pragma('journal_mode = WAL'); // readers do not block the writer
  db.pragma('synchronous = NORMAL'); // durable at each checkpoint; safe with WAL
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  const stamp = () => new Date(now()).toISOString();

  const sql = {
    insertOrder: db.prepare(`INSERT INTO orders (out_trade_no, store, table_no, wallet, provider, client, amount_minor, currency, subject, buyer_id, status, created_at, updated_at)
      VALUES (@outTradeNo, @store, @tableNo, @wallet, @provider, @client, @minor, @currency, @subject, @buyerId, 'pending', @at, @at)`),
    order: db.prepare('SELECT * FROM orders WHERE out_trade_no = ?'),
    orders: db.prepare('SELECT * FROM orders ORDER BY created_at DESC, out_trade_no LIMIT ?'),
    setOrder: db.prepare('UPDATE orders SET status = @status, trade_no = coalesce(@tradeNo, trade_no), updated_at = @at WHERE out_trade_no = @outTradeNo'),
    insertPayment: db.prepare(`INSERT INTO payments (out_trade_no, provider, trade_no, amount_minor, currency, paid_at, source, recorded_at)
      VALUES (@outTradeNo, @provider, @tradeNo, @minor, @currency, @paidAt, @source, @at) ON CONFLICT (out_trade_no) DO NOTHING`),
    payment: db.prepare('SELECT * FROM payments WHERE out_trade_no = ?'),
    insertRefund: db.prepare(`INSERT INTO refunds (out_refund_no, out_trade_no, amount_minor, currency, reason, status, created_at, updated_at)
      VALUES (@outRefundNo, @outTradeNo, @minor, @currency, @reason, 'pending', @at, @at)`),
    refund: db.prepare('SELECT * FROM refunds WHERE out_refund_no = ?'),
    refunds: db.prepare('SELECT * FROM refunds WHERE out_trade_no = ? ORDER BY created_at, out_refund_no'),
    committed: db.prepare(`SELECT coalesce(sum(amount_minor), 0) AS minor FROM refunds WHERE out_trade_no = ? AND status <> 'failed'`),
    refunded: db.prepare(`SELECT coalesce(sum(amount_minor), 0) AS minor FROM refunds WHERE out_trade_no = ? AND status = 'refunded'`),
    setRefund: db.prepare('UPDATE refunds SET status = @status, refund_id = coalesce(@refundId, refund_id), updated_at = @at WHERE out_refund_no = @outRefundNo'),
    failRefund: db.prepare(`UPDATE refunds SET status = 'failed', updated_at = @at WHERE out_refund_no = @outRefundNo AND status = 'pending'`),
    insertNotification: db.prepare(`INSERT INTO notifications (provider, notify_id, out_trade_no, received_at, outcome, event)
      VALUES (@provider, @notifyId, @outTradeNo, @at, 'unchanged', @event) ON CONFLICT (provider, notify_id) DO NOTHING`),
    settleNotification: db.prepare('UPDATE notifications SET outcome = @outcome, reason = @reason WHERE id = @id'),
  };

  /** Applies a verified event to its order or refund; the caller holds the transaction. */
  function apply(event, source, at) {
    const refused = (reason) => ({ outcome: 'refused', reason });
    const order = sql.order.get(event.outTradeNo);
    if (!order) return refused('no such order');
    if (order.provider !== event.provider) return refused(`the order is paid through ${order.provider}`);

    if (event.kind === 'refund') {
      const refund = sql.refund.get(event.outRefundNo);
      if (!refund || refund.out_trade_no !== order.out_trade_no) return refused('no such refund of this order');
      if (event.amount && !sameAmount(event.amount, refund.amount_minor, refund.currency)) {
        return refused(`refund amount ${event.amount.minor} ${event.amount.currency} is not the refund's ${refund.amount_minor} ${refund.currency}`);
      }
      // Alipay says not this refund's amount but the trade's refunded total so far (refund_fee): it covers this
      // refund and never exceeds the order.
      const total = event.refundedTotal;
      if (total && (total.currency !== order.currency || Number(total.minor) < refund.amount_minor || Number(total.minor) > order.amount_minor)) {
        return refused(`refunded total ${total.minor} ${total.currency} does not fit refund ${refund.amount_minor} of order ${order.amount_minor} ${order.currency}`);
      }
      if (!REFUND_NEXT[refund.status].includes(event.status)) return { outcome: 'unchanged' };
      sql.setRefund.run({ status: event.status, refundId: event.refundId, at, outRefundNo: refund.out_refund_no });
      // The order is refunded once its refunds add up to its amount, or the provider's refunded total reaches it.
      const refunded = Math.max(sql.refunded.get(order.out_trade_no).minor, Number(total?.minor ?? 0));
      if (event.status === 'refunded' && order.status === 'paid' && refunded >= order.amount_minor) {
        sql.setOrder.run({ status: 'refunded', tradeNo: null, at, outTradeNo: order.out_trade_no });
      }
      return { outcome: 'applied' };
    }

    // A payment. Its amount is the order's total: anything else is refused and leaves the order as it is.
    // (WeChat Pay's `REFUND` trade state says the order was paid, then refunded: paid, as far as orders go.)
    const status = event.status === 'refunded' ? 'paid' : event.status;
    if (status === 'paid' && !event.amount) return refused('a payment without an amount');
    if (event.amount && !sameAmount(event.amount, order.amount_minor, order.currency)) {
      return refused(`amount ${event.amount.minor} ${event.amount.currency} is not the order's ${order.amount_minor} ${order.currency}`);
    }
    if (!ORDER_NEXT[order.status].includes(status)) return { outcome: 'unchanged' };
    sql.setOrder.run({ status, tradeNo: event.tradeNo, at, outTradeNo: order.out_trade_no });
    if (status === 'paid') {
      sql.insertPayment.run({
        outTradeNo: order.out_trade_no,
        provider: event.provider,
        tradeNo: event.tradeNo,
        minor: order.amount_minor,
        currency: order.currency,
        paidAt: event.time,
        source,
        at,
      });
    }
    return { outcome: 'applied' };
  }

  const recordEventTx = db.transaction((event, source) => {
    const at = stamp();
    let id = null;
    if (source === 'notification') {
      const inserted = sql.insertNotification.run({ provider: event.provider, notifyId: event.notifyId, outTradeNo: event.outTradeNo, at, event: JSON.stringify(event) });
      if (inserted.changes === 0) return { duplicate: true, outcome: 'unchanged' };
      id = inserted.lastInsertRowid;
    }
    const result = apply(event, source, at);
    if (id !== null) sql.settleNotification.run({ outcome: result.outcome, reason: result.reason ?? null, id });
    return { duplicate: false, ...result };
  });

  return {
    /** A new pending order. `amount`: `{ minor, currency }` in integer minor units. */
    createOrder({ outTradeNo, store, tableNo = null, wallet, provider, client, amount, subject, buyerId }) {
      const minor = minorUnits(amount.minor, 'order amount');
      sql.insertOrder.run({ outTradeNo, store, tableNo, wallet, provider, client, minor, currency: amount.currency, subject, buyerId, at: stamp() });
      return orderOf(sql.order.get(outTradeNo));
    },

    /** The order with its payment and refunds, or null. */
    getOrder(outTradeNo) {
      const order = orderOf(sql.order.get(outTradeNo));
      if (!order) return null;
      const payment = sql.payment.get(outTradeNo);
      return {
        ...order,
        payment: payment ? { tradeNo: payment.trade_no, amount: { minor: payment.amount_minor, currency: payment.currency }, paidAt: payment.paid_at, source: payment.source } : null,
        refunds: sql.refunds.all(outTradeNo).map(refundOf),
      };
    },

    /** The latest orders, newest first. */
    listOrders({ limit = 100 } = {}) {
      return sql.orders.all(limit).map(orderOf);
    },

    /**
     * Records a verified `PaymentEvent` in one transaction. `source`: `notification` (stored in
     * `notifications`, once per notification id), `query` (an active query's answer) or `refund` (the
     * answer to a refund request). Resolves `{ duplicate, outcome, reason? }`:
     * - a notification already received → `{ duplicate: true }`, nothing written;
     * - an amount other than the order's (a refund's: other than the refund's; Alipay's refunded total: less
     *   than the refund or more than the order) → `refused`, order untouched;
     * - a status that is not a step forward (a `pending` after `paid`) → `unchanged`;
     * - otherwise the order or refund moves on (`applied`); a payment row is written once, when paid.
     */
    recordEvent(event, { source = 'notification' } = {}) {
      return recordEventTx(event, source);
    },

    /**
     * A new pending refund of a paid order, checked in one transaction against what is left to refund
     * (pending and done refunds count). `amount` defaults to all that is left. Throws a RangeError when the
     * order is not paid or the amount is more than is left.
     */
    createRefund: db.transaction(({ outRefundNo, outTradeNo, amount, reason = null }) => {
      const order = sql.order.get(outTradeNo);
      if (!order || order.status !== 'paid') throw new RangeError('only a paid order can be refunded');
      const left = order.amount_minor - sql.committed.get(outTradeNo).minor;
      const minor = amount === undefined ? left : minorUnits(amount.minor, 'refund amount');
      if (amount !== undefined && amount.currency !== undefined && amount.currency !== order.currency) throw new RangeError(`refund currency must be ${order.currency}`);
      if (minor <= 0 || minor > left) throw new RangeError(`at most ${left} ${order.currency} minor units are left to refund`);
      sql.insertRefund.run({ outRefundNo, outTradeNo, minor, currency: order.currency, reason, at: stamp() });
      return refundOf(sql.refund.get(outRefundNo));
    }),

    /** Marks a refund failed while it is pending (the provider refused it). */
    failRefund(outRefundNo) {
      sql.failRefund.run({ at: stamp(), outRefundNo });
    },

    close: () => db.close(),
  };
}
