/**
 * AWS wire protocols driven by the service models: bytes in, bytes out, no HTTP server.
 *
 * <pre>
 *  HTTP front (auth, limits) ──ProtocolRequest──▶ {@link io.wharf.protocol.Endpoint}
 *     service by SigV4 name ─▶ protocol by headers ─▶ parse ─▶ guard ─▶ look up ─▶ validate
 *     (model) ─▶ bind (record) ─▶ {@link io.wharf.protocol.Operations.Handler} ─▶ output by the
 *     model ─▶ serialise ──ProtocolResponse──▶ HTTP front
 * </pre>
 *
 * <p>A service is an {@link io.wharf.protocol.AwsService}: its botocore model ({@link
 * io.wharf.protocol.ServiceModel}, a resource of the module that implements it) and its {@link
 * io.wharf.protocol.Operations}. Protocols: AWS JSON 1.0 and 1.1 ({@code X-Amz-Target}), query
 * (form in, XML out), Smithy RPCv2 CBOR, and the core of REST-JSON 1. Validation ({@code
 * InputValidator}) runs once, on the tree every protocol normalises a request to, so its messages
 * do not depend on the protocol. Handlers see records, never JSON or XML.
 *
 * <p>Streaming answers: a handler may return an {@link io.wharf.protocol.EventStream} for an
 * operation whose output has an {@code eventstream} member; the endpoint then answers with a {@link
 * io.wharf.protocol.StreamingBody} of {@link io.wharf.protocol.EventStreamFrames} messages (AWS's
 * binary event-stream framing, JSON payloads), which the front writes and flushes as they come.
 *
 * <p>Errors: {@link io.wharf.model.WharfException} (generic codes, named per service by {@link
 * io.wharf.protocol.AwsService#answer}), {@link io.wharf.protocol.AwsServiceException} (the model's
 * own error shapes), anything else a logged 500 fault.
 */
package io.wharf.protocol;
