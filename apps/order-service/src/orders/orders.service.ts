import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { PAGE_LIMITS, type AdminSettableStatus, type CreateOrderRequest, type OrderStatus } from '@platform/api';
import { OrderCancelled, OrderConfirmed, OrderCreated, OrderDelivered, OrderRejected, OrderShipped } from '@platform/contracts';
import { Outbox } from '@platform/messaging';
import { DomainError, isUniqueViolation, keysetPage } from '@platform/service-kit';
import { DataSource, In, type EntityManager } from 'typeorm';
import { CustomersService } from '../customers/customers.service';
import { assertTransition, OPEN_STATUSES, orderTotal } from './order-rules';
import { OrderEntity } from './order.entity';

export interface CreatedOrder {
  order: OrderEntity;
  /** False when an earlier request with the same Idempotency-Key already created it. */
  created: boolean;
}

function requestHash(request: CreateOrderRequest): string {
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
   * Accepts an order as PENDING and records `order.created` with it. With an Idempotency-Key, a
   * repeat of the same request returns the first order; the same key with another body is a 422.
   */
  async create(userId: string, request: CreateOrderRequest, idempotencyKey?: string): Promise<CreatedOrder> {
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
        await manager.insert(OrderEntity, order);
        await this.outbox.add(manager, OrderCreated, {
          orderId: order.id,
          userId,
          currency: order.currency,
          items: order.items,
          total: order.total,
          createdAt: now.toISOString(),
        });
      });
    } catch (error) {
      // Two requests with one key raced; the loser answers with the winner's order.
      const isKeyRace = idempotencyKey && isUniqueViolation(error);
      const earlier = isKeyRace ? await this.findByIdempotencyKey(userId, idempotencyKey, hash) : null;
      if (earlier) return { order: earlier, created: false };
      throw error;
    }
    return { order, created: true };
  }

  list(userId: string, limit: number = PAGE_LIMITS.default, cursor?: string) {
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
      await this.cancelLocked(manager, order, 'customer-request');
      return order;
    });
  }

  async setStatusAsAdmin(orderId: string, status: AdminSettableStatus): Promise<OrderEntity> {
    return this.dataSource.transaction(async (manager) => {
      const order = await this.lock(manager, orderId);
      const occurredAt = this.move(order, status);
      await manager.save(order);
      // An anonymised order (its customer was erased) has nobody left to tell.
      if (order.userId) {
        await this.outbox.add(manager, status === 'SHIPPED' ? OrderShipped : OrderDelivered, { orderId: order.id, userId: order.userId, occurredAt });
      }
      return order;
    });
  }

  /**
   * Decides a PENDING order from the customer copy: confirmed if the customer is known, rejected
   * if the customer was erased, left PENDING until `user.registered` arrives otherwise.
   */
  async settle(manager: EntityManager, orderId: string): Promise<void> {
    const order = await manager.findOne(OrderEntity, { where: { id: orderId }, lock: { mode: 'pessimistic_write' } });
    if (!order || order.status !== 'PENDING' || !order.userId) return;
    const standing = await this.customers.standing(manager, order.userId);
    if (standing === 'active') {
      const occurredAt = this.move(order, 'CONFIRMED');
      await manager.save(order);
      await this.outbox.add(manager, OrderConfirmed, { orderId: order.id, userId: order.userId, currency: order.currency, total: order.total, occurredAt });
    } else if (standing === 'erased') {
      const userId = order.userId;
      const occurredAt = this.move(order, 'REJECTED');
      order.userId = null;
      await manager.save(order);
      await this.outbox.add(manager, OrderRejected, { orderId: order.id, userId, reason: 'customer-deleted', occurredAt });
    }
  }

  /** Settles every PENDING order of a customer that just became known. */
  async settlePendingOf(manager: EntityManager, userId: string): Promise<void> {
    const pending = await manager.find(OrderEntity, { select: { id: true }, where: { userId, status: 'PENDING' }, order: { createdAt: 'ASC' } });
    for (const { id } of pending) await this.settle(manager, id);
  }

  /** Erasure: open orders are rejected or cancelled, and every order of the user is anonymised. */
  async closeAllOf(manager: EntityManager, userId: string): Promise<void> {
    const open = await manager.find(OrderEntity, { where: { userId, status: In([...OPEN_STATUSES]) }, order: { createdAt: 'ASC' }, lock: { mode: 'pessimistic_write' } });
    for (const order of open) {
      if (order.status === 'PENDING') {
        const occurredAt = this.move(order, 'REJECTED');
        await manager.save(order);
        await this.outbox.add(manager, OrderRejected, { orderId: order.id, userId, reason: 'customer-deleted', occurredAt });
      } else {
        await this.cancelLocked(manager, order, 'customer-deleted');
      }
    }
    await manager.update(OrderEntity, { userId }, { userId: null, idempotencyKey: null, requestHash: null });
  }

  private async cancelLocked(manager: EntityManager, order: OrderEntity, reason: 'customer-request' | 'customer-deleted'): Promise<void> {
    const occurredAt = this.move(order, 'CANCELLED');
    await manager.save(order);
    await this.outbox.add(manager, OrderCancelled, { orderId: order.id, userId: order.userId as string, reason, occurredAt });
  }

  /** Applies a transition (or throws 409) and returns its time as ISO text. */
  private move(order: OrderEntity, to: OrderStatus): string {
    assertTransition(order.status, to);
    order.status = to;
    order.updatedAt = new Date();
    return order.updatedAt.toISOString();
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
