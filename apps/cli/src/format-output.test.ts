import { describe, expect, it } from 'vitest';
import { formatDuration, formatProblemLine, formatTable } from './format-output.js';

describe('formatTable', () => {
  it('pads every column but the last', () => {
    expect(
      formatTable(
        ['KEY', 'VALUE'],
        [
          ['ss:state', 'Running'],
          ['a-1:port', ''],
        ],
      ),
    ).toBe('KEY       VALUE\nss:state  Running\na-1:port\n');
  });
});

describe('formatProblemLine', () => {
  const problem = {
    module: 'P/d',
    at: ['nodes', 'client', 'image'],
    message: 'P/x does not exist',
  };

  it('is FILE:LINE: module: at: message', () => {
    expect(formatProblemLine({ ...problem, line: 7 }, 'd.yaml')).toBe(
      'd.yaml:7: P/d: nodes.client.image: P/x does not exist',
    );
  });

  it('leaves out what is unknown', () => {
    expect(formatProblemLine({ at: [], message: 'the file holds no document' }, 'x.yaml')).toBe(
      'x.yaml: the file holds no document',
    );
    expect(formatProblemLine({ ...problem, line: 3 })).toBe(
      'P/d: nodes.client.image: line 3: P/x does not exist',
    );
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0:00'],
    [7_400, '0:07'],
    [750_000, '12:30'],
    [3_723_000, '1:02:03'],
    [-5_000, '0:00'],
  ])('%i ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
