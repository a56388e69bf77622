import { randomUUID } from 'node:crypto';
import { createEvent, OrderConfirmed, Topics, toEventMessage, UserRegistered } from '@platform/contracts';
import { parsePrometheus, sumOf, type CaughtMail } from '@platform/local-platform';
import { eventually, expectProblem, registerUser, TestPlatform, type TestUser } from '@platform/testing';

const anOrder = { currency: 'EUR', items: [{ sku: 'BOOK-1', quantity: 2, unitPrice: 1999 }] };

/** Waits long enough for a duplicate or a late mail to show up (the sender polls every 200 ms here). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 2_000));

describe('notification email over a real SMTP server', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await TestPlatform.start('notification-email');
  });

  afterAll(async () => {
    await platform?.stop();
  });

  const api = () => platform.api;

  async function notificationsOf(user: TestUser) {
    const response = await api().get('/notifications', { token: user.accessToken });
    expect(response.status).toBe(200);
    return response.body.items as { id: string; type: string; title: string; body: string }[];
  }

  async function confirmedOrder(user: TestUser) {
    const order = (await api().post('/orders', anOrder, { token: user.accessToken })).body;
    await eventually(async () => expect((await notificationsOf(user)).map((n) => n.type)).toContain('order-confirmed'), 20_000);
    return order;
  }

  const mailsTo = (user: TestUser) => platform.mail.mailsTo(user.email);

  async function emailMetric(name: string): Promise<number> {
    const text = await (await fetch(`${platform.managementUrl('notification-service')}/metrics`)).text();
    return sumOf(parsePrometheus(text), name);
  }

  /** Every mail once: as many mails as notifications, one per Message-ID. */
  function expectOncePerNotification(mails: CaughtMail[], notifications: { id: string }[]) {
    expect(mails.map((mail) => mail.messageId).sort()).toEqual(notifications.map((n) => `<${n.id}@platform.local>`).sort());
  }

  it('mails each notification once, to the user, as text and HTML with a stable Message-ID', async () => {
    const user = await registerUser(api(), { displayName: 'Grace' });
    // The order waits for the welcome: user.registered has then brought the address, so neither
    // mail waits for it (an order event overtaking user.registered is tested below).
    await eventually(async () => expect(mailsTo(user)).toHaveLength(1), 10_000);
    await confirmedOrder(user);

    await eventually(async () => expect(mailsTo(user)).toHaveLength(2), 10_000);
    await settle();
    const notifications = await notificationsOf(user);
    const mails = mailsTo(user);
    expectOncePerNotification(mails, notifications);

    const welcome = mails.find((mail) => mail.subject === 'Welcome, Grace!')!;
    expect(welcome).toEqual(expect.objectContaining({ to: [user.email], from: 'notifications@platform.local', contentType: 'multipart/alternative' }));
    expect(welcome.text).toContain('Hello Grace,');
    expect(welcome.html).toContain('<h1 style="font-size: 1.25em">Welcome, Grace!</h1>');
    const confirmed = mails.find((mail) => mail.subject === 'Your order is confirmed')!;
    expect(confirmed.text).toContain('39.98 EUR is confirmed');
    expect(await platform.queryAs('notification-service', `SELECT status, attempts FROM email_deliveries WHERE user_id = $1`, [user.id])).toEqual([
      { status: 'sent', attempts: 1 },
      { status: 'sent', attempts: 1 },
    ]);
  });

  it('sends the mails of a burst over a kept-open SMTP connection, one after another', async () => {
    const users = await Promise.all([registerUser(api()), registerUser(api()), registerUser(api()), registerUser(api())]);
    for (const user of users) await eventually(async () => expect(mailsTo(user)).toHaveLength(1), 10_000);
    // A connection per mail cost a greeting, EHLO and QUIT each: at 50 orders/s the sender fell
    // behind. One connection normally carries all four; a second one is allowed, should the
    // server have closed the kept-open one just then.
    expect(new Set(users.map((user) => mailsTo(user)[0].sessionId)).size).toBeLessThanOrEqual(2);
  });

  it('holds a mail whose order event overtook user.registered (another topic) until the address arrives', async () => {
    const userId = randomUUID();
    const email = `${userId}@e2e.example.com`;
    const produce = (event: Parameters<typeof toEventMessage>[0], topic: string) => platform.kafka.produce(topic, [toEventMessage(event)]);
    await produce(createEvent(OrderConfirmed, { orderId: randomUUID(), userId, currency: 'EUR', total: 3998, occurredAt: new Date().toISOString() }, '/e2e'), Topics.Orders);

    // Stored in-app at once; the mail is rescheduled, not sent and not failed.
    await eventually(async () => {
      const [delivery] = await platform.queryAs('notification-service', `SELECT status, attempts, last_error FROM email_deliveries WHERE user_id = $1`, [userId]);
      expect(delivery).toEqual({ status: 'pending', attempts: expect.any(Number), last_error: 'no address for the user yet' });
      expect(delivery.attempts).toBeGreaterThanOrEqual(1);
    }, 10_000);
    expect(platform.mail.mailsTo(email)).toEqual([]);

    await produce(createEvent(UserRegistered, { userId, email, displayName: 'Late', registeredAt: new Date().toISOString() }, '/e2e'), Topics.Users);
    await eventually(async () => expect(platform.mail.mailsTo(email).map((mail) => mail.subject).sort()).toEqual(['Welcome, Late!', 'Your order is confirmed']), 15_000);
    await settle();
    expect(platform.mail.mailsTo(email)).toHaveLength(2);
    const rows = await platform.queryAs('notification-service', `SELECT n.type, d.status, d.attempts, d.last_error FROM email_deliveries d JOIN notifications n ON n.id = d.notification_id WHERE d.user_id = $1 ORDER BY n.type`, [userId]);
    expect(rows).toEqual([
      { type: 'order-confirmed', status: 'sent', attempts: expect.any(Number), last_error: null },
      { type: 'welcome', status: 'sent', attempts: 1, last_error: null },
    ]);
    expect(rows[0].attempts).toBeGreaterThanOrEqual(2);
  });

  it('with email turned off keeps in-app notifications and sends no mail', async () => {
    const user = await registerUser(api());
    await eventually(async () => expect(mailsTo(user)).toHaveLength(1), 10_000); // the welcome, sent while email was on

    expect((await api().get('/notifications/preferences', { token: user.accessToken })).body).toEqual({ email: true });
    const turnedOff = await api().put('/notifications/preferences', { email: false }, { token: user.accessToken });
    expect(turnedOff.status).toBe(200);
    expect(turnedOff.body).toEqual({ email: false });
    expect((await api().get('/notifications/preferences', { token: user.accessToken })).body).toEqual({ email: false });

    await confirmedOrder(user);
    await settle();
    expect(mailsTo(user)).toHaveLength(1);
    expect(await platform.queryAs('notification-service', `SELECT count(*)::int AS n FROM email_deliveries WHERE user_id = $1`, [user.id])).toEqual([{ n: 1 }]);

    // and on again: the next notification is mailed
    expect((await api().put('/notifications/preferences', { email: true }, { token: user.accessToken })).body).toEqual({ email: true });
    await confirmedOrder(user);
    await eventually(async () => expect(mailsTo(user)).toHaveLength(2), 10_000);
  });

  it('refuses bad preferences with a 400 problem, and needs a token', async () => {
    const user = await registerUser(api());
    for (const body of [{}, { email: 'no' }, { email: true, sms: true }, [true]]) {
      expectProblem(await api().put('/notifications/preferences', body, { token: user.accessToken }), 400);
    }
    expectProblem(await api().put('/notifications/preferences', undefined, { token: user.accessToken, rawBody: '{"email":', headers: { 'content-type': 'application/json' } }), 400);
    expectProblem(await api().get('/notifications/preferences'), 401);
    expectProblem(await api().put('/notifications/preferences', { email: false }), 401);
    expect((await api().get('/notifications/preferences', { token: user.accessToken })).body).toEqual({ email: true });
  });

  it('delivers every mail once after an SMTP outage, and counts the retries', async () => {
    const retriedBefore = await emailMetric('notification_emails_retried_total');
    await platform.mail.stopSmtp();
    const users = [await registerUser(api()), await registerUser(api())];
    // In-app notifications do not wait for mail.
    for (const user of users) await eventually(async () => expect(await notificationsOf(user)).toHaveLength(1), 10_000);
    await eventually(async () => {
      const rows = await platform.queryAs('notification-service', `SELECT status, attempts, last_error FROM email_deliveries WHERE user_id = ANY($1::uuid[])`, [users.map((u) => u.id)]);
      expect(rows).toHaveLength(2);
      expect(rows.every((row) => row.status === 'pending')).toBe(true);
      expect(rows.some((row) => row.attempts >= 1 && /ECONNREFUSED|connect/i.test(row.last_error))).toBe(true);
    }, 10_000);
    expect(await emailMetric('notification_emails_retried_total')).toBeGreaterThan(retriedBefore);
    for (const user of users) expect(mailsTo(user)).toEqual([]);

    await platform.mail.start();
    for (const user of users) await eventually(async () => expect(mailsTo(user)).toHaveLength(1), 15_000);
    await settle();
    for (const user of users) expectOncePerNotification(mailsTo(user), await notificationsOf(user));
  });

  it('delivers every mail once across a notification-service SIGKILL', async () => {
    await platform.mail.stopSmtp();
    const users = [await registerUser(api()), await registerUser(api()), await registerUser(api())];
    await eventually(async () => {
      expect(await platform.queryAs('notification-service', `SELECT 1 FROM email_deliveries WHERE user_id = ANY($1::uuid[]) AND status = 'pending'`, [users.map((u) => u.id)])).toHaveLength(3);
    }, 15_000);

    await platform.platform.killService('notification-service');
    await platform.mail.start();
    await platform.platform.startService('notification-service');

    for (const user of users) await eventually(async () => expect(mailsTo(user)).toHaveLength(1), 20_000);
    await settle();
    for (const user of users) expectOncePerNotification(mailsTo(user), await notificationsOf(user));
  });

  it('sends again, with the same Message-ID, what a SIGKILL interrupted before the server answered', async () => {
    platform.mail.acceptDelayMs = 3_000; // the server keeps each mail, then takes 3 s to say so
    try {
      const users = [await registerUser(api()), await registerUser(api())];
      await eventually(() => expect(users.filter((user) => mailsTo(user).length > 0).length).toBeGreaterThanOrEqual(1), 15_000, 50);
      await platform.platform.killService('notification-service'); // mid-send: no 250 seen, nothing committed
      platform.mail.acceptDelayMs = 0;
      await platform.platform.startService('notification-service');

      for (const user of users) {
        await eventually(async () => expect(await platform.queryAs('notification-service', `SELECT status FROM email_deliveries WHERE user_id = $1`, [user.id])).toEqual([{ status: 'sent' }]), 20_000);
        const [welcome] = await notificationsOf(user);
        // At least once; a repeat is the same mail (same Message-ID), which receivers drop.
        expect(mailsTo(user).length).toBeGreaterThanOrEqual(1);
        expect(new Set(mailsTo(user).map((mail) => mail.messageId))).toEqual(new Set([`<${welcome.id}@platform.local>`]));
      }
      expect(users.some((user) => mailsTo(user).length === 2)).toBe(true); // the interrupted one really was sent twice
    } finally {
      platform.mail.acceptDelayMs = 0;
    }
  });

  it('marks a mail the server refuses for good (5xx) as failed, with the reason, and goes on', async () => {
    const failedBefore = await emailMetric('notification_emails_failed_total');
    const bouncing = await registerUser(api(), { email: `bounce-${randomUUID()}@e2e.example.com` });
    const fine = await registerUser(api());

    await eventually(async () => {
      expect(await platform.queryAs('notification-service', `SELECT status, last_error FROM email_deliveries WHERE user_id = $1`, [bouncing.id])).toEqual([
        { status: 'failed', last_error: expect.stringMatching(/^550 .*Mailbox does not exist/) },
      ]);
    }, 10_000);
    expect(await emailMetric('notification_emails_failed_total')).toBe(failedBefore + 1);
    await eventually(async () => expect(mailsTo(fine)).toHaveLength(1), 10_000);
    expect(mailsTo(bouncing)).toEqual([]);
    // the in-app notification is there all the same
    expect((await notificationsOf(bouncing)).map((n) => n.type)).toEqual(['welcome']);
  });

  it('never mails an erased user, not even what was waiting for the SMTP server', async () => {
    await platform.mail.stopSmtp();
    const user = await registerUser(api(), { displayName: 'Forget Me' });
    await eventually(async () => expect(await platform.queryAs('notification-service', `SELECT status FROM email_deliveries WHERE user_id = $1`, [user.id])).toEqual([{ status: 'pending' }]), 10_000);

    expect((await api().delete('/users/me', { token: user.accessToken })).status).toBe(204);
    await eventually(async () => expect(await platform.queryAs('notification-service', `SELECT user_id FROM recipients WHERE user_id = $1`, [user.id])).toEqual([]), 10_000);
    // The access token outlives the account by minutes: a preference set with it is not kept.
    expect((await api().put('/notifications/preferences', { email: false }, { token: user.accessToken })).status).toBe(200);
    expect(await platform.queryAs('notification-service', `SELECT 1 FROM email_deliveries WHERE user_id = $1 UNION ALL SELECT 1 FROM preferences WHERE user_id = $1`, [user.id])).toEqual([]);

    await platform.mail.start();
    const bystander = await registerUser(api());
    await eventually(async () => expect(mailsTo(bystander)).toHaveLength(1), 10_000);
    await settle();
    expect(mailsTo(user)).toEqual([]);
  });
});
