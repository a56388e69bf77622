import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CustomersService, type CustomerProfile } from '../customers/customers.service';
import { OrdersService } from '../orders/orders.service';

/**
 * What user events change in order-service: its customer copy, and the orders decided from it. Each
 * takes the user's lock first, so an order being placed for the same user is decided either before
 * the change or after it, never beside it.
 */
@Injectable()
export class UserEventsService {
  constructor(
    private readonly customers: CustomersService,
    private readonly orders: OrdersService,
  ) {}

  /** A new customer (or a profile change the copy missed the start of): keep it, then decide the orders that waited for it. */
  async known(manager: EntityManager, profile: CustomerProfile): Promise<void> {
    await this.customers.lockUser(manager, profile.userId);
    if (await this.customers.upsert(manager, profile)) await this.orders.decideWaitingOrders(manager, profile.userId);
  }

  /** Erasure: the copy goes first (that waits for orders being placed), then open orders are closed and all anonymised. */
  async erased(manager: EntityManager, userId: string): Promise<void> {
    await this.customers.lockUser(manager, userId);
    await this.customers.erase(manager, userId);
    await this.orders.closeForErasure(manager, userId);
  }
}
