import { EngineError } from '../core/errors.js';
import type { Endpoint } from './endpoint.js';

// A TLS handshake that fails surfaces as OpenSSL's own words ("...:ssl3_read_bytes:sslv3
// alert bad certificate:../deps/openssl/...:SSL alert number 42"). Which side refused,
// and which file to change, is what an operator needs: said here in one sentence.

/** Node's codes for an engine certificate that the client does not trust. */
const UNTRUSTED_ENGINE = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
]);

/** OpenSSL alerts the engine sends when it will not accept the client's certificate. */
const REFUSED_CLIENT = new Set([
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
  'ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR',
]);

/**
 * An EngineError naming the refusing side and the fix when `err` is a TLS handshake
 * failure on a TLS endpoint; otherwise `err` unchanged. `sentClientCert`: whether a
 * cert.pem/key.pem pair was offered.
 */
export function explainTlsFailure(err: unknown, endpoint: Endpoint, sentClientCert: boolean): unknown {
  if (endpoint.kind !== 'tcp' || !endpoint.tls || !err || typeof err !== 'object') return err;
  const { code: given, message } = err as { code?: unknown; message?: unknown };
  if (typeof given !== 'string') return err;
  // OpenSSL 3.x (Node 22 and later) words the SSLv3-era alerts "ssl/tls alert …", and Node
  // names its code after those words: ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE for Node 20's
  // ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE. The same alert either way.
  const code = given.replace(/^ERR_SSL_SSL\/TLS_ALERT_/, 'ERR_SSL_SSLV3_ALERT_');
  const tls = endpoint.tls;
  const where = `${endpoint.url} (${tls.from})`;
  // OpenSSL's reason is the field before the source file: "...:sslv3 alert bad certificate:../deps/...".
  const text = typeof message === 'string' ? message.trim() : code;
  const said = /:([^:]+):\.\.\//.exec(text)?.[1] ?? text;
  if (UNTRUSTED_ENGINE.has(code)) {
    return new EngineError(
      `The engine at ${where} presented a certificate that ${tls.certPath}/ca.pem (or, without one, the system's CAs) does not vouch for (${said}): use the CA that signed the engine's certificate (dockerd --tlscert).`,
    );
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new EngineError(`The engine at ${where} presented a certificate outside its validity period (${said}): renew the engine's certificate (dockerd --tlscert) or check this machine's clock.`);
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new EngineError(`The engine's certificate does not name ${endpoint.host} (${said}): connect by a name or IP address it lists, or reissue it with ${endpoint.host} in subjectAltName.`);
  }
  if (code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' || (REFUSED_CLIENT.has(code) && !sentClientCert)) {
    return new EngineError(`The engine at ${where} requires a client certificate and ${tls.certPath} holds no cert.pem and key.pem: put the pair issued for this engine there.`);
  }
  if (REFUSED_CLIENT.has(code)) {
    return new EngineError(
      `The engine at ${where} refused the client certificate ${tls.certPath}/cert.pem (${said}): it is not signed by a CA the engine trusts (dockerd --tlscacert); use the cert.pem and key.pem issued for this engine.`,
    );
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'EPROTO') {
    return new EngineError(
      `${endpoint.url} does not answer in TLS (${said}), but ${tls.from} asked for TLS: is it a plain-HTTP endpoint (port 2375)? Then drop the TLS settings, or use the engine's TLS port.`,
    );
  }
  return err;
}
