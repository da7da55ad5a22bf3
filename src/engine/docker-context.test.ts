import { describe, expect, it } from 'vitest';
import { contextEndpoint, contextMetaPath, contextTls, contextTlsDir, currentContextOf } from './docker-context.js';

describe('docker contexts', () => {
  it('finds meta.json under the sha256 of the context name, as the docker CLI stores it', () => {
    // sha256("remote"): the directory `docker context create remote` makes.
    expect(contextMetaPath('/root/.docker', 'remote')).toBe('/root/.docker/contexts/meta/b71199ebd070b36beab7317920c2c2f1d777df8d05e5527d8458fda57cb17a7a/meta.json');
  });
  it('reads currentContext, ignoring a missing or broken config', () => {
    expect(currentContextOf('{"auths":{},"currentContext":"prod"}')).toBe('prod');
    expect(currentContextOf('{"auths":{}}')).toBeUndefined();
    expect(currentContextOf('{broken')).toBeUndefined();
  });
  it('reads the docker endpoint of a context, and says what is wrong with one that cannot be used', () => {
    const meta = '{"Name":"prod","Metadata":{},"Endpoints":{"docker":{"Host":"ssh://ops@prod-1","SkipTLSVerify":false}}}';
    expect(contextEndpoint('prod', meta, '/m.json')).toEqual({ host: 'ssh://ops@prod-1', skipTlsVerify: false });
    expect(() => contextEndpoint('gone', null, '/m.json')).toThrow('docker context "gone" does not exist (no /m.json)');
    expect(() => contextEndpoint('odd', '{"Endpoints":{}}', '/m.json')).toThrow('has no docker endpoint');
    expect(() => contextEndpoint('bad', '{"Endpoints":', '/m.json')).toThrow(/^\/m.json \(docker context "bad"\) is not valid JSON: /);
  });
  it('finds TLS files where `docker context create --docker host=…,ca=…` puts them', () => {
    expect(contextTlsDir('/root/.docker', 'remote')).toBe('/root/.docker/contexts/tls/b71199ebd070b36beab7317920c2c2f1d777df8d05e5527d8458fda57cb17a7a/docker');
  });
  it('speaks TLS to a context that has TLS files or skips verification, as the docker CLI does', () => {
    // meta.json as `docker context create lab --docker host=tcp://lab:2376,skip-tls-verify=true` writes it.
    const skip = contextEndpoint('lab', '{"Name":"lab","Metadata":{},"Endpoints":{"docker":{"Host":"tcp://lab:2376","SkipTLSVerify":true}}}', '/m.json');
    expect(skip).toEqual({ host: 'tcp://lab:2376', skipTlsVerify: true });
    expect(contextTls(skip, '/t', false)).toEqual({ dir: '/t', skipVerify: true });
    expect(contextTls({ host: 'tcp://prod:2376', skipTlsVerify: false }, '/t', true)).toEqual({ dir: '/t', skipVerify: false });
    expect(contextTls({ host: 'tcp://ci:2375', skipTlsVerify: false }, '/t', false)).toBeNull();
  });
});
