import { describe, expect, it } from 'vitest';
import { ServerSentEventParser } from './server-sent-events.js';

describe('ServerSentEventParser', () => {
  it('reads events split anywhere across chunks', () => {
    const text =
      ': connected\n\nevent: snapshot\ndata: {"a":1}\n\n: keep-alive\n\nevent: state\ndata: {"state":"Running"}\n\n';
    for (let size = 1; size <= text.length; size += 1) {
      const parser = new ServerSentEventParser();
      const events = [];
      for (let at = 0; at < text.length; at += size)
        events.push(...parser.push(text.slice(at, at + size)));
      expect(events).toEqual([
        { event: 'snapshot', data: '{"a":1}' },
        { event: 'state', data: '{"state":"Running"}' },
      ]);
    }
  });

  it('takes CRLF and CR line endings, even with a CRLF split between chunks', () => {
    const parser = new ServerSentEventParser();
    expect(parser.push('event: a\r\ndata: 1\r')).toEqual([]);
    expect(parser.push('\n\r\n')).toEqual([{ event: 'a', data: '1' }]);
    // The last \r may be the first half of a \r\n: the event ends with what follows.
    expect(parser.push('data: 2\r\r')).toEqual([]);
    expect(parser.push(': next')).toEqual([{ event: 'message', data: '2' }]);
  });

  it('joins data lines and ignores events without data', () => {
    const parser = new ServerSentEventParser();
    expect(parser.push('event: x\n\nevent: y\ndata: one\ndata:two\nid: 4\n\n')).toEqual([
      { event: 'y', data: 'one\ntwo' },
    ]);
  });

  it('keeps an unfinished event for the next chunk', () => {
    const parser = new ServerSentEventParser();
    expect(parser.push('event: state\ndata: {"state":')).toEqual([]);
    expect(parser.push('"Done"}\n\n')).toEqual([{ event: 'state', data: '{"state":"Done"}' }]);
  });
});
