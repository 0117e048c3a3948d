import { describe, expect, it } from 'vitest';
import { parseLaunchOverrides } from './launch-overrides.js';

const usage = 'slipway run PATH …';

describe('parseLaunchOverrides', () => {
  it('turns the options into the launch request', () => {
    expect(
      parseLaunchOverrides(
        {
          set: ['client:url=http://a:8080/x?y=1', 'client:greeting=', 'server:port=80'],
          multiplicity: ['client=3', 'server=0'],
          cloud: ['ec2'],
          'keep-running': 'on-error',
          timeout: '90',
          tag: ['nightly', 'perf'],
        },
        usage,
      ),
    ).toEqual({
      parameters: { client: { url: 'http://a:8080/x?y=1', greeting: '' }, server: { port: '80' } },
      multiplicity: { client: 3, server: 0 },
      cloud: 'ec2',
      keepRunning: 'on-error',
      timeoutMinutes: 90,
      tags: ['nightly', 'perf'],
    });
  });

  it('gives nothing for no options', () => {
    expect(parseLaunchOverrides({}, usage)).toEqual({});
  });

  it('takes a cloud per node', () => {
    expect(parseLaunchOverrides({ cloud: ['a=local', 'b=ec2'] }, usage)).toEqual({
      cloud: { a: 'local', b: 'ec2' },
    });
  });

  it('keeps a node named __proto__ as a plain key', () => {
    const request = parseLaunchOverrides({ set: ['__proto__:x=1'] }, usage);
    expect(Object.keys(request.parameters ?? {})).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(request.parameters)).toBe(Object.prototype);
  });

  it.each([
    [{ set: ['client.port=1'] }, '--set takes node:param=value, not "client.port=1"'],
    [{ set: ['client:port'] }, '--set takes node:param=value'],
    [{ set: ['a:x=1', 'a:x=2'] }, '--set a:x is given twice'],
    [{ multiplicity: ['client'] }, '--multiplicity takes node=N, not "client"'],
    [{ multiplicity: ['client=two'] }, '--multiplicity client must be a whole number, not "two"'],
    [{ multiplicity: ['a=1', 'a=2'] }, '--multiplicity a is given twice'],
    [
      { cloud: ['local', 'a=ec2'] },
      'give --cloud NAME (every node) or --cloud node=NAME, not both',
    ],
    [{ cloud: ['local', 'ec2'] }, '--cloud NAME is given twice'],
    [
      { 'keep-running': 'sometimes' },
      '--keep-running is one of never, on-success, on-error, always',
    ],
    [{ timeout: '0' }, '--timeout (minutes) must be from 1 to 10080, not 0'],
  ])('refuses %j', (options, message) => {
    expect(() => parseLaunchOverrides(options, usage)).toThrow(message);
  });
});
