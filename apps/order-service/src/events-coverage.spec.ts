import { catalogEventKeysConsumedBy, handledEventKeys } from '@platform/messaging';
import { CustomersEventsController } from './customers/customers.events.controller';
import { OrdersEventsController } from './orders/orders.events.controller';

describe('order-service event handlers', () => {
  it('handle exactly the events the catalog lists order-service as a consumer of', () => {
    expect(handledEventKeys([OrdersEventsController, CustomersEventsController])).toEqual(catalogEventKeysConsumedBy('order-service'));
  });
});
