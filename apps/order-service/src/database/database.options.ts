import type { ServiceData } from '@platform/service-kit';
import { CustomerEntity, ErasedCustomerEntity } from '../customers/customer.entity';
import { OrderEntity } from '../orders/order.entity';
import { CreateOrders1763900000000 } from './migrations/1763900000000-create-orders';
import { CustomersKeepNoContactData1765000000000 } from './migrations/1765000000000-customers-keep-no-contact-data';
import { CustomersDropContactData1765100000000 } from './migrations/1765100000000-customers-drop-contact-data';

/** What order-service keeps in its `orders` schema. */
export const ORDER_SERVICE_DATA: ServiceData = {
  entities: [OrderEntity, CustomerEntity, ErasedCustomerEntity],
  migrations: [CreateOrders1763900000000, CustomersKeepNoContactData1765000000000, CustomersDropContactData1765100000000],
};
