import { describe, expect, it } from 'vitest';
import { formatModuleDocument, parseModuleDocuments } from './module-document.js';

const helloWorld = `path: Public/Tutorials/HelloWorld/apache
kind: image
parent: Public/BaseImages/local-host
parameters:
  - {name: port, kind: output, default: "8080", description: port to listen on}
  - {name: ready, kind: output}
targets:
  report: |
    #!/bin/sh -x
    cp server.log $SLIPSTREAM_REPORT_DIR
---
path: Public/Tutorials/HelloWorld/client_server
kind: deployment
nodes:
  - name: apache1
    image: Public/Tutorials/HelloWorld/apache
  - name: testclient1
    image: Public/Tutorials/HelloWorld/testclient
    mappings:
      webserver.hostname: apache1:hostname
`;

describe('parseModuleDocuments', () => {
  it('reads every document of a multi-document file', () => {
    const result = parseModuleDocuments(helloWorld);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.map((module) => [module.kind, module.path])).toEqual([
      ['image', 'Public/Tutorials/HelloWorld/apache'],
      ['deployment', 'Public/Tutorials/HelloWorld/client_server'],
    ]);
  });

  it('reports every problem of every document with its module and line', () => {
    const text = helloWorld
      .replace('kind: output, default: "8080"', 'kind: outptu, default: "8080"')
      .replace('name: testclient1', 'name: test-client');
    const result = parseModuleDocuments(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      expect.objectContaining({
        module: 'Public/Tutorials/HelloWorld/apache',
        at: ['parameters', 0, 'kind'],
        line: 5,
      }),
      expect.objectContaining({
        module: 'Public/Tutorials/HelloWorld/client_server',
        at: ['nodes', 1, 'name'],
        line: 17,
      }),
    ]);
  });

  it('points a missing field at the object that lacks it', () => {
    const result = parseModuleDocuments('path: A\nkind: image\nparameters:\n  - name: x\n');
    expect(result).toEqual({
      ok: false,
      problems: [expect.objectContaining({ at: ['parameters', 0, 'kind'], line: 4 })],
    });
  });

  it('points a misspelt field at its own line', () => {
    const result = parseModuleDocuments('path: A\nkind: image\ndescripton: typo\n');
    expect(result).toEqual({
      ok: false,
      problems: [
        { module: 'A', at: ['descripton'], message: 'unknown field "descripton"', line: 3 },
      ],
    });
  });

  it('reports YAML syntax errors with their line', () => {
    const result = parseModuleDocuments('path: A\nkind: [image\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]?.line).toBeGreaterThanOrEqual(2);
  });

  it('refuses an empty file', () => {
    expect(parseModuleDocuments('')).toEqual({
      ok: false,
      problems: [{ at: [], message: 'the file holds no document' }],
    });
  });
});

describe('formatModuleDocument', () => {
  it('gives YAML that parses back to the same documents, scripts as blocks of lines', () => {
    const parsed = parseModuleDocuments(helloWorld);
    if (!parsed.ok) throw new Error('the example does not parse');
    for (const document of parsed.value) {
      const text = formatModuleDocument(document);
      expect(parseModuleDocuments(text)).toEqual({ ok: true, value: [document] });
    }
    const apache = formatModuleDocument(parsed.value[0]!);
    expect(apache).toContain(
      '  report: |\n    #!/bin/sh -x\n    cp server.log $SLIPSTREAM_REPORT_DIR\n',
    );
  });

  it('never folds a long line', () => {
    const parsed = parseModuleDocuments(helloWorld);
    if (!parsed.ok) throw new Error('the example does not parse');
    const description = 'word '.repeat(60).trim();
    const text = formatModuleDocument({ ...parsed.value[0]!, description });
    expect(text.split('\n')).toContain(`description: ${description}`);
  });
});
