import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { daemonJsonSettings, parseDaemonJson } from './daemon-json.js';

const PATH = '/etc/docker/daemon.json';

describe('parseDaemonJson', () => {
  it('parses an object', () => {
    expect(parseDaemonJson('{"data-root": "/data/docker"}', PATH)).toEqual({ 'data-root': '/data/docker' });
  });
  it('treats a blank file (and a top-level null) as no settings', () => {
    expect(parseDaemonJson(' \n', PATH)).toEqual({});
    expect(parseDaemonJson('null', PATH)).toEqual({});
  });
  it('throws one UsageError line with the file, line, column and consequence', () => {
    const text = '{\n  "data-root": "/mnt/docker-data"\n  "log-driver": "json-file"\n}\n';
    let error: unknown;
    try {
      parseDaemonJson(text, PATH);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    expect(message).toBe(
      `/etc/docker/daemon.json is not valid JSON (line 3, column 3: expected ',' or '}' after the property value, found '"'): dockerd will refuse to start with it; fix the file or move it aside.`,
    );
    expect(message).not.toContain('\n');
  });
  it('refuses JSON that is not an object, as Go does', () => {
    expect(() => parseDaemonJson('["data-root"]', PATH)).toThrow(/holds an array, not a JSON object: dockerd will refuse to start/);
  });
  it('refuses a file nested deeper than any option goes, in one line instead of a stack overflow', () => {
    const deep = `{"labels": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(() => parseDaemonJson(deep, '/etc/docker/daemon.json')).toThrow(
      new UsageError(
        '/etc/docker/daemon.json is nested more than 100 levels deep (line 1, column 111), deeper than any daemon.json option goes: dockerd will refuse to start with it; fix the file or move it aside.',
      ),
    );
  });
});

describe('daemonJsonSettings', () => {
  it('turns every storage, logging and live-restore key into settings, one per value', () => {
    const json = {
      'data-root': '/data/docker',
      'storage-driver': 'overlay2',
      'storage-opts': ['overlay2.size=20G'],
      'log-driver': 'json-file',
      'log-opts': { 'max-size': '10m', 'max-file': '3' },
      'live-restore': true,
      'registry-mirrors': ['https://mirror.example.com'],
    };
    const settings = daemonJsonSettings(json, PATH);
    expect(settings.map((s) => [s.key, s.value])).toEqual([
      ['data-root', '/data/docker'],
      ['storage-driver', 'overlay2'],
      ['log-driver', 'json-file'],
      ['live-restore', 'true'],
      ['storage-opt', 'overlay2.size=20G'],
      ['log-opt', 'max-size=10m'],
      ['log-opt', 'max-file=3'],
    ]);
    expect(settings.every((s) => s.origin === 'daemon.json' && s.file === PATH && s.effective)).toBe(true);
    expect(settings.find((s) => s.key === 'log-opt')?.text).toBe('"log-opts": {"max-size":"10m","max-file":"3"}');
  });
  it('counts the pre-17.05 "graph" key as data-root, and shows it as written', () => {
    expect(daemonJsonSettings({ graph: '/data/docker' }, PATH)).toEqual([
      { key: 'data-root', value: '/data/docker', origin: 'daemon.json', file: PATH, text: '"graph": "/data/docker"', effective: true },
    ]);
  });
});
