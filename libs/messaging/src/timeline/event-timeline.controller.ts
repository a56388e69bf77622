import { Controller, Get, Query } from '@nestjs/common';
import { DomainError, Public } from '@platform/service-kit';
import { EventTimeline, type EventTimelineEntry } from './event-timeline';

/** `GET /debug/event-timeline?since=<ms>` on the management port, while EVENT_TIMELINE is on. */
@Public()
@Controller('debug/event-timeline')
export class EventTimelineController {
  constructor(private readonly timeline: EventTimeline) {}

  @Get()
  read(@Query('since') since?: string): Record<string, EventTimelineEntry> {
    if (!this.timeline.enabled) throw new DomainError('not-found', 'EVENT_TIMELINE.OFF', 'The event timeline is off (EVENT_TIMELINE).');
    return this.timeline.since(Number(since ?? 0) || 0);
  }
}
