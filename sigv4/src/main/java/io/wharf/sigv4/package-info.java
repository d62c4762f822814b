/**
 * Authentication of API calls with AWS Signature Version 4, so that unmodified AWS CLIs and SDKs
 * can talk to Wharf with an access key id and secret.
 *
 * <p>{@link io.wharf.sigv4.SigV4Verifier} checks one request at a time and keeps no per-request
 * state, so the HTTP layer calls it from every request thread at once:
 *
 * <pre>
 *  SignedRequest ─► parse Authorization header ─► check scope, signed  ─► look up ─► canonical request
 *                   (or X-Amz-* query params)     headers, clock skew      secret     + string to sign
 *                                                                                          │
 *  Caller ◄──────────── constant-time compare ◄── HMAC with the cached signing key ◄───────┘
 * </pre>
 *
 * <p>Every failure is a {@link io.wharf.model.WharfException} with the code and message AWS itself
 * answers, so clients print the errors their users already know.
 */
package io.wharf.sigv4;
