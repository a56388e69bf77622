// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- an ambient declaration the apps type-checking this file would not see otherwise
/// <reference path="./kafkajs-internals.d.ts" />
import RequestQueue from 'kafkajs/src/network/requestQueue';

const FIXED = Symbol.for('platform.kafkajs.requestQueueFix');

/**
 * Stops kafkajs 2.2.4 from spinning on a 1 ms timer on every broker connection, forever.
 *
 * After each response its request queue schedules another look at the pending requests, also when
 * nothing is pending and nothing is throttled; the delay is then negative (Node runs it after 1 ms
 * and, since Node 24, warns with TimeoutNegativeWarning), and each look schedules the next. A
 * service with five Kafka connections woke about 5,000 times a second, idle or not
 * (tulios/kafkajs#1556, #1704, #1751; the fix of the unmerged PR #1667). With nothing pending and
 * no throttle there is nothing to look at: the next push or response looks again by itself.
 * Everything else (pending requests, throttling by the broker) keeps kafkajs' own schedule.
 */
export function fixKafkaRequestQueue(): void {
  const prototype = RequestQueue.prototype as RequestQueue & { [FIXED]?: true };
  if (prototype[FIXED]) return;
  const schedule = prototype.scheduleCheckPendingRequests;
  prototype.scheduleCheckPendingRequests = function (this: RequestQueue) {
    if (this.pending.length === 0 && this.throttledUntil <= Date.now()) return;
    schedule.call(this);
  };
  prototype[FIXED] = true;
}
