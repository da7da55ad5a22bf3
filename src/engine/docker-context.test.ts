import { describe, expect, it } from 'vitest';
import { contextHost, contextMetaPath, currentContextOf } from './docker-context.js';

describe('docker contexts', () => {
  it('finds meta.json under the sha256 of the context name, as the docker CLI stores it', () => {
    // sha256("remote"): the directory `docker context create remote` makes.
    expect(contextMetaPath('/root/.docker', 'remote')).toBe(
      '/root/.docker/contexts/meta/b71199ebd070b36beab7317920c2c2f1d777df8d05e5527d8458fda57cb17a7a/meta.json',
    );
  });
  it('reads currentContext, ignoring a missing or broken config', () => {
    expect(currentContextOf('{"auths":{},"currentContext":"prod"}')).toBe('prod');
    expect(currentContextOf('{"auths":{}}')).toBeUndefined();
    expect(currentContextOf('{broken')).toBeUndefined();
  });
  it("reads the docker endpoint of a context, and says what is wrong with one that cannot be used", () => {
    const meta = '{"Name":"prod","Metadata":{},"Endpoints":{"docker":{"Host":"ssh://ops@prod-1","SkipTLSVerify":false}}}';
    expect(contextHost('prod', meta, '/m.json')).toBe('ssh://ops@prod-1');
    expect(() => contextHost('gone', null, '/m.json')).toThrow('docker context "gone" does not exist (no /m.json)');
    expect(() => contextHost('odd', '{"Endpoints":{}}', '/m.json')).toThrow('has no docker endpoint');
  });
});
