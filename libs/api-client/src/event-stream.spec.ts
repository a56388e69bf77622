import { EventStreamDecoder } from './event-stream.ts';

describe('EventStreamDecoder', () => {
  it('dispatches an event at each blank line, with its type, data and id', () => {
    const decoder = new EventStreamDecoder();

    expect(decoder.push('id: 1\nevent: notification\ndata: {"a":1}\n\nid: 2\ndata: plain\n\n')).toEqual([
      { type: 'notification', data: '{"a":1}', lastEventId: '1' },
      { type: 'message', data: 'plain', lastEventId: '2' },
    ]);
  });

  it('never dispatches comments (the heartbeat), only tells them, and drops an event that has no data', () => {
    const comments: string[] = [];
    const decoder = new EventStreamDecoder('', (text) => comments.push(text));

    expect(decoder.push(': connected\n\n: keep-alive\n\nevent: notification\n\n')).toEqual([]);
    expect(comments).toEqual([' connected', ' keep-alive']);
  });

  it('joins data lines with a newline and strips one leading space only', () => {
    const decoder = new EventStreamDecoder();

    expect(decoder.push('data:  two spaces\ndata:none\ndata\n\n')).toEqual([{ type: 'message', data: ' two spaces\nnone\n', lastEventId: '' }]);
  });

  it('accepts CRLF, CR and LF line ends, also when a chunk ends between CR and LF', () => {
    const decoder = new EventStreamDecoder();
    const events = [...decoder.push('data: a\r'), ...decoder.push('\n\r\ndata: b\r\r'), ...decoder.push('data: c\n\n')];

    expect(events.map((event) => event.data)).toEqual(['a', 'b', 'c']);
  });

  it('puts events split anywhere across chunks back together', () => {
    const text = 'id: 7\nevent: notification\ndata: {"title":"Your order is on its way"}\n\n';
    for (let cut = 1; cut < text.length; cut++) {
      const decoder = new EventStreamDecoder();
      expect([...decoder.push(text.slice(0, cut)), ...decoder.push(text.slice(cut))]).toEqual([{ type: 'notification', data: '{"title":"Your order is on its way"}', lastEventId: '7' }]);
    }
  });

  it('keeps the last event id for later events and starts from the one given (a resumed stream)', () => {
    const decoder = new EventStreamDecoder('41');

    expect(decoder.push('data: x\n\nid: 42\ndata: y\n\ndata: z\n\nid: bad\0id\ndata: w\n\n').map((event) => event.lastEventId)).toEqual(['41', '42', '42', '42']);
  });
});
