import type { NotificationType } from '@platform/api';
import type { NotificationContent } from '../notifications/notification-templates';

/** The notification types that are also mailed (SPEC §2); `order-rejected` stays in-app only. */
export const EMAILED_TYPES: ReadonlySet<NotificationType> = new Set(['welcome', 'order-confirmed', 'order-shipped', 'order-delivered', 'order-cancelled']);

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string);

const FOOTER = 'You receive this because email notifications are on for your account. Turn them off in your notification preferences.';

/** One notification as a multipart mail: the same words as the in-app notification, greeted by name. */
export function renderEmail(notification: NotificationContent, displayName: string): EmailContent {
  const text = [`Hello ${displayName},`, '', notification.body, '', '-- ', FOOTER].join('\n');
  const html = [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(notification.title)}</title></head>`,
    '<body style="font-family: sans-serif; line-height: 1.5">',
    `<h1 style="font-size: 1.25em">${escapeHtml(notification.title)}</h1>`,
    `<p>Hello ${escapeHtml(displayName)},</p>`,
    `<p>${escapeHtml(notification.body)}</p>`,
    `<hr><p style="color: #666; font-size: 0.85em">${escapeHtml(FOOTER)}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject: notification.title, text, html };
}
