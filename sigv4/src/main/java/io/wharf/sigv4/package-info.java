/**
 * Authentication of API calls with AWS Signature Version 4, so that unmodified AWS CLIs and SDKs
 * can talk to Wharf with an access key id and secret.
 *
 * <p>{@link io.wharf.sigv4.SigV4Verifier} checks one request at a time and keeps no per-request
 * state, so the HTTP layer calls it from every request thread at once. It works in two halves, so
 * that a request is refused on its headers before its body is read:
 *
 * <pre>
 *  verifyHeaders: headers ─► parse Authorization header ─► signed headers, clock skew, ─► look up ─► canonical request
 *                            (or X-Amz-* query params)     scope's region and service     secret     (payload hash to come)
 *                                                                                                       │
 *                 declared x-amz-content-sha256? ─► signature checked now ◄────────────────────────────┤
 *                                                                                                       ▼
 *  verifyPayload: body's SHA-256 ─► matches the declared hash, or ─► HMAC with the cached signing key ─► constant-time compare ─► Caller
 * </pre>
 *
 * <p>Every failure is a {@link io.wharf.model.WharfException} with the code and message AWS itself
 * answers, so clients print the errors their users already know.
 */
package io.wharf.sigv4;
