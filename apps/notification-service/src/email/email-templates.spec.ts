import { NotificationTemplates } from '../notifications/notification-templates';
import { EMAILED_TYPES, renderEmail } from './email-templates';

describe('email templates', () => {
  it('mail the notification in text and HTML, greeting the recipient by name', () => {
    const mail = renderEmail(NotificationTemplates.orderShipped('0f8b2e8e-425c-4f87-b4b4-a5d4d0833e1a'), 'Ada');
    expect(mail.subject).toBe('Your order is on its way');
    expect(mail.text).toContain('Hello Ada,\n\nOrder 0f8b2e8e has been shipped.');
    expect(mail.html).toContain('<p>Order 0f8b2e8e has been shipped.</p>');
  });

  it('escape what users typed before it goes into HTML', () => {
    const mail = renderEmail(NotificationTemplates.welcome('<script>x</script>'), '<b>Eve</b> & co');
    expect(mail.html).not.toMatch(/<script>|<b>Eve/);
    expect(mail.html).toContain('&lt;b&gt;Eve&lt;/b&gt; &amp; co');
    expect(mail.text).toContain('Hello <b>Eve</b> & co,');
  });

  it('mail every listed notification type except rejections', () => {
    expect([...EMAILED_TYPES].sort()).toEqual(['order-cancelled', 'order-confirmed', 'order-delivered', 'order-shipped', 'welcome']);
  });
});
