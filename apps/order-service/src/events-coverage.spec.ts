import { catalogEventKeysConsumedBy, handledEventKeys } from '@platform/messaging';
import { ORDER_SERVICE } from './service';
import { UsersEventsController } from './user-events/users.events.controller';

describe('order-service event handlers', () => {
  it('handle exactly the events the catalog lists order-service as a consumer of', () => {
    expect(handledEventKeys([UsersEventsController])).toEqual(catalogEventKeysConsumedBy(ORDER_SERVICE.name));
  });
});
