// The one kafkajs internal the platform touches (see request-queue.fix.ts). kafkajs has no
// "exports" map, so the file can be required by its path; its shape is pinned by a unit test.
declare module 'kafkajs/src/network/requestQueue' {
  class RequestQueue {
    pending: unknown[];
    throttledUntil: number;
    throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
    scheduleCheckPendingRequests(): void;
  }
  export = RequestQueue;
}
