import { catalogEventKeysConsumedBy, handledEventKeys } from '@platform/messaging';
import { OrdersEventsController } from './notifications/orders.events.controller';
import { UsersEventsController } from './notifications/users.events.controller';
import { NOTIFICATION_SERVICE } from './service';

describe('notification-service event handlers', () => {
  it('handle exactly the events the catalog lists notification-service as a consumer of', () => {
    expect(handledEventKeys([OrdersEventsController, UsersEventsController])).toEqual(catalogEventKeysConsumedBy(NOTIFICATION_SERVICE.name));
  });
});
