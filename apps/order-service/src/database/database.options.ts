import { postgresOptions } from '@platform/service-kit';
import type { DataSourceOptions } from 'typeorm';
import { CustomerEntity, ErasedCustomerEntity } from '../customers/customer.entity';
import { OrderEntity } from '../orders/order.entity';
import { CreateOrders1763900000000 } from './migrations/1763900000000-create-orders';

/** The schema order-service owns; its role can reach no other. */
export const ORDERS_SCHEMA = 'orders';

export function orderServiceDatabase(url: string, poolMax?: number): DataSourceOptions {
  return postgresOptions({
    service: 'order-service',
    url,
    schema: ORDERS_SCHEMA,
    poolMax,
    entities: [OrderEntity, CustomerEntity, ErasedCustomerEntity],
    migrations: [CreateOrders1763900000000],
  });
}
