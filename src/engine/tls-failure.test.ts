import { describe, expect, it } from 'vitest';
import { EngineError } from '../core/errors.js';
import type { Endpoint } from './endpoint.js';
import { explainTlsFailure } from './tls-failure.js';

const endpoint: Endpoint = {
  kind: 'tcp',
  url: 'tcp://10.0.0.5:2376',
  host: '10.0.0.5',
  port: 2376,
  tls: { certPath: '/certs', verify: true, from: 'DOCKER_TLS_VERIFY', caRequired: true },
};

// What Node's https client throws, as seen against dockerd --tlsverify.
const openSslAlert = (code: string, reason: string) =>
  Object.assign(new Error(`80AC30B6A37F0000:error:0A000412:SSL routines:ssl3_read_bytes:${reason}:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 42\n`), { code });

describe('explainTlsFailure', () => {
  it('says the engine refused the client certificate, in words, with the file to change', () => {
    const err = explainTlsFailure(openSslAlert('ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'sslv3 alert bad certificate'), endpoint, true);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as Error).message).toBe(
      'The engine at tcp://10.0.0.5:2376 (DOCKER_TLS_VERIFY) refused the client certificate /certs/cert.pem (sslv3 alert bad certificate): it is not signed by a CA the engine trusts (dockerd --tlscacert); use the cert.pem and key.pem issued for this engine.',
    );
  });

  it('reads the same alert as Node 22+ (OpenSSL 3.x) names it: ssl/tls, not sslv3', () => {
    const refused = explainTlsFailure(openSslAlert('ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE', 'ssl/tls alert bad certificate'), endpoint, true);
    expect((refused as Error).message).toMatch(/^The engine at tcp:\/\/10\.0\.0\.5:2376 \(DOCKER_TLS_VERIFY\) refused the client certificate \/certs\/cert\.pem \(ssl\/tls alert bad certificate\): /);
    const missing = explainTlsFailure(openSslAlert('ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE', 'ssl/tls alert bad certificate'), endpoint, false);
    expect((missing as Error).message).toMatch(/requires a client certificate and \/certs holds no cert.pem and key.pem/);
  });

  it('says a client certificate is missing when none was offered', () => {
    const err = explainTlsFailure(openSslAlert('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'tlsv13 alert certificate required'), endpoint, false);
    expect((err as Error).message).toMatch(/requires a client certificate and \/certs holds no cert.pem and key.pem/);
  });

  it("names the CA file when the engine's certificate is not trusted, and the host when it is not named", () => {
    const untrusted = Object.assign(new Error('unable to verify the first certificate'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect((explainTlsFailure(untrusted, endpoint, true) as Error).message).toMatch(
      /^The engine at tcp:\/\/10.0.0.5:2376 \(DOCKER_TLS_VERIFY\) presented a certificate that \/certs\/ca.pem .* does not vouch for \(unable to verify the first certificate\)/,
    );
    const altname = Object.assign(new Error("Hostname/IP does not match certificate's altnames: IP: 10.0.0.5 is not in the cert's list: 127.0.0.1"), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    expect((explainTlsFailure(altname, endpoint, true) as Error).message).toMatch(/^The engine's certificate does not name 10.0.0.5 /);
  });

  it('leaves other errors, and endpoints without TLS, alone', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(explainTlsFailure(refused, endpoint, true)).toBe(refused);
    const alert = openSslAlert('ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'x');
    expect(explainTlsFailure(alert, { ...endpoint, tls: null }, true)).toBe(alert);
  });
});
