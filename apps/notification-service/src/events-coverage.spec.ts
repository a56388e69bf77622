import { catalogEventKeysConsumedBy, handledEventKeys } from '@platform/messaging';
import { NOTIFICATION_SERVICE } from './service';
import { NotificationsEventsController } from './notifications/notifications.events.controller';

describe('notification-service event handlers', () => {
  it('handle exactly the events the catalog lists notification-service as a consumer of', () => {
    expect(handledEventKeys([NotificationsEventsController])).toEqual(catalogEventKeysConsumedBy(NOTIFICATION_SERVICE.name));
  });
});
