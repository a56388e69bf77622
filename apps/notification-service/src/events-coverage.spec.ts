import { catalogEventKeysConsumedBy, handledEventKeys } from '@platform/messaging';
import { NotificationsEventsController } from './notifications/notifications.events.controller';

describe('notification-service event handlers', () => {
  it('handle exactly the events the catalog lists notification-service as a consumer of', () => {
    expect(handledEventKeys([NotificationsEventsController])).toEqual(catalogEventKeysConsumedBy('notification-service'));
  });
});
