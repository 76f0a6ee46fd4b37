// src/lib/servers.ts: the gallery's server URLs from index.html's meta tags (filled by the
// gateway), or this page's host with the default ports when a tag is empty or unusable. The
// module is compiled with TypeScript and run against a minimal document and location.
import assert from 'node:assert/strict';
import { readFile, mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const here = dirname(fileURLToPath(import.meta.url));
let servers;
let dir;
const metas = new Map();

before(async () => {
  const source = await readFile(join(here, '..', 'src', 'lib', 'servers.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  dir = await mkdtemp(join(tmpdir(), 'servers-test-'));
  await writeFile(join(dir, 'servers.mjs'), outputText);
  globalThis.document = {
    querySelector(selector) {
      const name = /^meta\[name="([^"]+)"\]$/.exec(selector)?.[1];
      return metas.has(name) ? { content: metas.get(name) } : null;
    },
  };
  globalThis.location = { protocol: 'https:', hostname: 'gallery.example' };
  servers = await import(pathToFileURL(join(dir, 'servers.mjs')).href);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('the meta tags name the servers', () => {
  metas.set('hatongsu-event-url', 'http://127.0.0.1:25670');
  metas.set('hatongsu-world-url', ' https://world.example:4443/ ');
  assert.equal(servers.eventServerUrl(), 'http://127.0.0.1:25670');
  assert.equal(servers.worldServerUrl(), 'https://world.example:4443');
  assert.deepEqual(servers.worldServerGeckosOptions(), { url: 'https://world.example', port: 4443 });
});

test('a URL without a port takes its scheme\'s', () => {
  metas.set('hatongsu-world-url', 'https://world.example');
  assert.deepEqual(servers.worldServerGeckosOptions(), { url: 'https://world.example', port: 443 });
});

test('empty, missing or unusable tags mean this host with the default ports', () => {
  metas.set('hatongsu-event-url', '');
  metas.set('hatongsu-world-url', 'ws://elsewhere:1');
  assert.equal(servers.eventServerUrl(), 'https://gallery.example:2567');
  assert.equal(servers.worldServerUrl(), 'https://gallery.example:4100');
  metas.clear();
  assert.equal(servers.eventServerUrl(), 'https://gallery.example:2567');
  assert.deepEqual(servers.worldServerGeckosOptions(), { url: 'https://gallery.example', port: 4100 });
  metas.set('hatongsu-event-url', 'not a url');
  assert.equal(servers.eventServerUrl(), 'https://gallery.example:2567');
});
