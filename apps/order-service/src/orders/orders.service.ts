import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { OrderCancelled, OrderConfirmed, OrderCreated, OrderDelivered, OrderRejected, OrderShipped, type AdminSettableStatus, type OrderStatus } from '@platform/contracts';
import { Outbox, outboxEvent, type OutboxEvent } from '@platform/messaging';
import { DomainError, isUniqueViolation, keysetPage } from '@platform/service-kit';
import { DataSource, In, type EntityManager } from 'typeorm';
import { CustomersService, type CustomerStanding } from '../customers/customers.service';
import { applyTransition, OPEN_STATUSES, orderTotal } from './order-rules';
import { OrderEntity, type OrderLine } from './order.entity';

/** What a customer orders: a currency and its lines. */
export interface NewOrder {
  currency: string;
  items: readonly OrderLine[];
}

export interface CreatedOrder {
  order: OrderEntity;
  /** False when an earlier request with the same Idempotency-Key already created it. */
  created: boolean;
}

function requestHash(request: NewOrder): string {
  const canonical = { currency: request.currency, items: request.items.map(({ sku, quantity, unitPrice }) => [sku, quantity, unitPrice]) };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

@Injectable()
export class OrdersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly customers: CustomersService,
  ) {}

  /**
   * Places an order and decides it in the same transaction, from the customer copy (`decide`), with
   * `order.created` and the decision's event. With an Idempotency-Key, a repeat of the same request
   * returns the first order; the same key with another body is a 422.
   */
  async create(userId: string, request: NewOrder, idempotencyKey?: string): Promise<CreatedOrder> {
    const hash = requestHash(request);
    if (idempotencyKey) {
      const earlier = await this.findByIdempotencyKey(userId, idempotencyKey, hash);
      if (earlier) return { order: earlier, created: false };
    }
    const now = new Date();
    const order = Object.assign(new OrderEntity(), {
      id: randomUUID(),
      userId,
      status: 'PENDING' as OrderStatus,
      currency: request.currency,
      items: request.items.map(({ sku, quantity, unitPrice }) => ({ sku, quantity, unitPrice })),
      total: orderTotal(request.items),
      idempotencyKey: idempotencyKey ?? null,
      requestHash: idempotencyKey ? hash : null,
      createdAt: now,
      updatedAt: now,
    });
    try {
      await this.dataSource.transaction(async (manager) => {
        const decision = this.decide(order, await this.customers.standingForNewOrder(manager, userId));
        await manager.insert(OrderEntity, order);
        const created = outboxEvent(OrderCreated, { orderId: order.id, userId, currency: order.currency, items: order.items, total: order.total, createdAt: now.toISOString() });
        await this.outbox.addAll(manager, decision ? [created, decision] : [created]);
      });
    } catch (error) {
      // Two requests with one key raced; the loser answers with the winner's order.
      const isKeyRace = idempotencyKey && isUniqueViolation(error);
      const earlier = isKeyRace ? await this.findByIdempotencyKey(userId, idempotencyKey, hash) : null;
      if (earlier) return { order: earlier, created: false };
      throw error;
    }
    // A rejected order is kept anonymous; its placer is still answered as who they are.
    return { order: order.userId ? order : Object.assign(new OrderEntity(), order, { userId }), created: true };
  }

  /** The copy has just learnt the customer (`user.registered`): the orders that waited for them are decided now. */
  async decideWaitingOrders(manager: EntityManager, userId: string): Promise<void> {
    const waiting = await manager.find(OrderEntity, { where: { userId, status: 'PENDING' }, order: { createdAt: 'ASC' }, lock: { mode: 'pessimistic_write' } });
    for (const order of waiting) {
      const decision = this.decide(order, 'active');
      await storeTransition(manager, order);
      if (decision) await this.outbox.addAll(manager, [decision]);
    }
  }

  /** Erasure: open orders are rejected or cancelled (with their events) and every order of the user is anonymised. */
  async closeForErasure(manager: EntityManager, userId: string): Promise<void> {
    const open = await manager.find(OrderEntity, { where: { userId, status: In([...OPEN_STATUSES]) }, order: { createdAt: 'ASC' }, lock: { mode: 'pessimistic_write' } });
    for (const order of open) {
      if (order.status === 'PENDING') {
        const decision = this.decide(order, 'erased');
        await storeTransition(manager, order);
        if (decision) await this.outbox.addAll(manager, [decision]);
      } else {
        await this.cancelInTransaction(manager, order, 'customer-deleted');
      }
    }
    await manager.update(OrderEntity, { userId }, { userId: null, idempotencyKey: null, requestHash: null });
  }

  list(userId: string, limit: number, cursor?: string) {
    const query = this.dataSource.getRepository(OrderEntity).createQueryBuilder('o').where('o.user_id = :userId', { userId });
    return keysetPage(query, 'o', { limit, cursor });
  }

  /** Another user's order answers exactly like a missing one. */
  async get(userId: string, orderId: string): Promise<OrderEntity> {
    const order = await this.dataSource.getRepository(OrderEntity).findOneBy({ id: orderId, userId });
    if (!order) throw OrdersService.notFound();
    return order;
  }

  async cancel(userId: string, orderId: string): Promise<OrderEntity> {
    return this.dataSource.transaction(async (manager) => {
      const order = await this.lock(manager, orderId);
      if (order.userId !== userId) throw OrdersService.notFound();
      await this.cancelInTransaction(manager, order, 'customer-request');
      return order;
    });
  }

  async setStatusAsAdmin(orderId: string, status: AdminSettableStatus): Promise<OrderEntity> {
    return this.dataSource.transaction(async (manager) => {
      const order = await this.lock(manager, orderId);
      const occurredAt = applyTransition(order, status);
      await storeTransition(manager, order);
      // An anonymised order (its customer was erased) has nobody left to tell.
      if (order.userId) {
        await this.outbox.add(manager, status === 'SHIPPED' ? OrderShipped : OrderDelivered, { orderId: order.id, userId: order.userId, occurredAt });
      }
      return order;
    });
  }

  /** Cancels a locked order inside the caller's transaction, with its event (by its owner or by erasure). */
  private async cancelInTransaction(manager: EntityManager, order: OrderEntity, reason: 'customer-request' | 'customer-deleted'): Promise<void> {
    const occurredAt = applyTransition(order, 'CANCELLED');
    await storeTransition(manager, order);
    await this.outbox.add(manager, OrderCancelled, { orderId: order.id, userId: order.userId as string, reason, occurredAt });
  }

  /**
   * The one place an order is decided, from the customer copy: CONFIRMED when it knows the
   * customer, REJECTED (and anonymised) when the customer was erased, left PENDING while it has not
   * heard of them. Changes the PENDING order in memory and returns the event that says so, for
   * the caller to write with it; nothing while the order stays PENDING.
   */
  private decide(order: OrderEntity, standing: CustomerStanding): OutboxEvent | undefined {
    const userId = order.userId as string;
    if (standing === 'unknown') return undefined;
    if (standing === 'active') {
      const occurredAt = applyTransition(order, 'CONFIRMED');
      return outboxEvent(OrderConfirmed, { orderId: order.id, userId, currency: order.currency, total: order.total, occurredAt });
    }
    const occurredAt = applyTransition(order, 'REJECTED');
    Object.assign(order, { userId: null, idempotencyKey: null, requestHash: null });
    return outboxEvent(OrderRejected, { orderId: order.id, userId, reason: 'customer-deleted', occurredAt });
  }

  private async lock(manager: EntityManager, orderId: string): Promise<OrderEntity> {
    const order = await manager.findOne(OrderEntity, { where: { id: orderId }, lock: { mode: 'pessimistic_write' } });
    if (!order) throw OrdersService.notFound();
    return order;
  }

  private async findByIdempotencyKey(userId: string, key: string, hash: string): Promise<OrderEntity | null> {
    const earlier = await this.dataSource.getRepository(OrderEntity).findOneBy({ userId, idempotencyKey: key });
    if (earlier && earlier.requestHash !== hash) {
      throw new DomainError('unprocessable', 'ORDER.IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request body.');
    }
    return earlier;
  }

  private static notFound(): DomainError {
    return new DomainError('not-found', 'ORDER.NOT_FOUND', 'No such order.');
  }
}

/**
 * Writes a locked order's transition (status, time, and the owner an erasure cleared) with one
 * UPDATE: `save()` would first reload the row it was just handed to find what changed.
 */
async function storeTransition(manager: EntityManager, order: OrderEntity): Promise<void> {
  await manager.update(OrderEntity, { id: order.id }, { status: order.status, updatedAt: order.updatedAt, userId: order.userId });
}
