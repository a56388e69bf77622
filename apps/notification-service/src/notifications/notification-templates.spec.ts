import { formatMoney, NotificationTemplates } from './notification-templates';

describe('notification templates', () => {
  it('formats minor units as money', () => {
    expect(formatMoney(123456, 'EUR')).toBe('1,234.56 EUR');
    expect(formatMoney(5, 'USD')).toBe('0.05 USD');
    expect(formatMoney(0, 'JPY')).toBe('0.00 JPY');
  });

  it('has a notification for every status change a customer cares about', () => {
    const orderId = '0f8b2e8e-425c-4f87-b4b4-a5d4d0833e1a';
    expect([
      NotificationTemplates.welcome('Ada').type,
      NotificationTemplates.orderConfirmed(orderId, 4248, 'EUR').type,
      NotificationTemplates.orderRejected(orderId).type,
      NotificationTemplates.orderCancelled(orderId).type,
      NotificationTemplates.orderShipped(orderId).type,
      NotificationTemplates.orderDelivered(orderId).type,
    ]).toEqual(['welcome', 'order-confirmed', 'order-rejected', 'order-cancelled', 'order-shipped', 'order-delivered']);
    expect(NotificationTemplates.orderConfirmed(orderId, 4248, 'EUR').body).toBe('Order 0f8b2e8e for 42.48 EUR is confirmed and will be prepared for shipping.');
  });
});
