import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { context, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { OrderConfirmed, OrderRejected } from '@platform/contracts';
import { Outbox } from '@platform/messaging';
import { DataSource, In, type EntityManager } from 'typeorm';
import { CustomersService, type CustomerProfile } from '../customers/customers.service';
import { applyTransition, OPEN_STATUSES } from '../orders/order-rules';
import { OrderEntity } from '../orders/order.entity';
import { OrdersService, storeTransition } from '../orders/orders.service';

/**
 * New orders are settled by at most this many transactions at a time, each taking up to
 * MAX_NEW_ORDERS_PER_TRANSACTION of those waiting: a burst costs few commits and leaves most of
 * the pool's connections to the requests, and the row locks a transaction holds stay few. Measured
 * side by side (order-service builds in turns in one platform): a transaction per order, all at
 * once, got the event latency at 50 orders/s from 124–134 to 72–93 ms p50 but cost 13–33 % of
 * the write throughput at saturation; two at a time kept the throughput but only got to 105 ms;
 * four got to 79 ms for 9 % of the throughput (README, Performance).
 */
export const SETTLING_TRANSACTIONS = 4;
const MAX_NEW_ORDERS_PER_TRANSACTION = 50;

/**
 * What the customer copy decides about orders: a PENDING order is confirmed from it (built from
 * user events, never from user-service), rejected when its customer was erased, and an erased
 * customer's open orders are closed and every order of theirs anonymised.
 */
@Injectable()
export class OrderSettlementService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(OrderSettlementService.name);
  /** New orders not yet taken by a settling transaction, each with the trace context of the request that placed it. */
  private readonly waiting: { orderId: string; trace: Context }[] = [];
  /** Settling transactions running now; `runs` are their promises, for shutdown. */
  private active = 0;
  private readonly runs = new Set<Promise<void>>();
  private closing = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrdersService,
    private readonly customers: CustomersService,
    private readonly outbox: Outbox,
  ) {
    orders.onCreated((order) => this.settleNewOrder(order.id));
  }

  /**
   * Settles an order just committed, at once, rather than when its `order.created` comes back
   * through the relay, Kafka and the consumer (that round trip was a third of the time from an
   * order to its confirmation's notification). Not awaited by the request. Orders that arrive
   * while SETTLING_TRANSACTIONS are running wait and go together in the next one.
   * The `order.created` handler stays the guarantee: if this fails, or the process stops first,
   * the event settles the order, and whichever comes second finds it settled (the row lock orders
   * them).
   */
  settleNewOrder(orderId: string): void {
    if (this.closing) return; // shutting down: the order's event settles it
    this.waiting.push({ orderId, trace: context.active() });
    if (this.active >= SETTLING_TRANSACTIONS) return; // a running one takes it next
    // Not in this request's context: the runner goes on with other requests' orders.
    const run: Promise<void> = context
      .with(ROOT_CONTEXT, () => this.settleWaiting())
      .catch(() => undefined)
      .finally(() => this.runs.delete(run));
    this.runs.add(run);
  }

  /** Lets the settling of new orders already accepted finish before the pool closes; later orders are left to their events. */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    await Promise.all(this.runs);
  }

  private async settleWaiting(): Promise<void> {
    this.active += 1;
    try {
      while (this.waiting.length > 0) await this.settleTogether(this.waiting.splice(0, MAX_NEW_ORDERS_PER_TRANSACTION));
    } finally {
      this.active -= 1; // in the same tick as the last look at `waiting`: no order is left behind
    }
  }

  /** One transaction for a batch of new orders; if it fails, their order.created events settle them. */
  private async settleTogether(batch: { orderId: string; trace: Context }[]): Promise<void> {
    const traces = new Map(batch.map(({ orderId, trace }) => [orderId, trace]));
    try {
      // The transaction belongs to the trace of its first order's request, each decision (and the
      // event it writes) to its own order's.
      await context.with(batch[0].trace, () =>
        this.dataSource.transaction(async (manager) => {
          // An order another transaction holds is skipped: that is its order.created being
          // handled, which settles it. Waiting for it instead could deadlock with that consumer's batch.
          const orders = await manager.find(OrderEntity, { where: { id: In([...traces.keys()]) }, lock: { mode: 'pessimistic_write', onLocked: 'skip_locked' } });
          for (const order of orders) await context.with(traces.get(order.id) as Context, () => this.decide(manager, order));
        }),
      );
    } catch (error) {
      this.logger.warn({ err: error, orderIds: [...traces.keys()] }, 'could not settle new orders at once; their order.created events will');
    }
  }

  /** Confirmed if the customer is known, rejected if erased, left PENDING until `user.registered` otherwise. */
  async settle(manager: EntityManager, orderId: string): Promise<void> {
    const order = await manager.findOne(OrderEntity, { where: { id: orderId }, lock: { mode: 'pessimistic_write' } });
    if (order) await this.decide(manager, order);
  }

  /** settle() for an order already locked by this transaction. */
  private async decide(manager: EntityManager, order: OrderEntity): Promise<void> {
    if (order.status !== 'PENDING' || !order.userId) return;
    const standing = await this.customers.standing(manager, order.userId);
    if (standing === 'active') {
      const occurredAt = applyTransition(order, 'CONFIRMED');
      await storeTransition(manager, order);
      await this.outbox.add(manager, OrderConfirmed, { orderId: order.id, userId: order.userId, currency: order.currency, total: order.total, occurredAt });
    } else if (standing === 'erased') {
      const userId = order.userId;
      order.userId = null;
      await this.reject(manager, order, userId);
    }
  }

  /** A new customer: keep the copy, then settle every order that waited for them. */
  async customerKnown(manager: EntityManager, profile: CustomerProfile): Promise<void> {
    await this.customers.upsert(manager, profile);
    const pending = await manager.find(OrderEntity, { select: { id: true }, where: { userId: profile.userId, status: 'PENDING' }, order: { createdAt: 'ASC' } });
    for (const { id } of pending) await this.settle(manager, id);
  }

  async customerChanged(manager: EntityManager, profile: CustomerProfile): Promise<void> {
    await this.customers.upsert(manager, profile);
  }

  /** Erasure: open orders are rejected or cancelled, every order is anonymised, the copy is dropped. */
  async customerErased(manager: EntityManager, userId: string): Promise<void> {
    const open = await manager.find(OrderEntity, { where: { userId, status: In([...OPEN_STATUSES]) }, order: { createdAt: 'ASC' }, lock: { mode: 'pessimistic_write' } });
    for (const order of open) {
      if (order.status === 'PENDING') await this.reject(manager, order, userId);
      else await this.orders.cancelInTransaction(manager, order, 'customer-deleted');
    }
    await manager.update(OrderEntity, { userId }, { userId: null, idempotencyKey: null, requestHash: null });
    await this.customers.erase(manager, userId);
  }

  private async reject(manager: EntityManager, order: OrderEntity, userId: string): Promise<void> {
    const occurredAt = applyTransition(order, 'REJECTED');
    await storeTransition(manager, order);
    await this.outbox.add(manager, OrderRejected, { orderId: order.id, userId, reason: 'customer-deleted', occurredAt });
  }
}
