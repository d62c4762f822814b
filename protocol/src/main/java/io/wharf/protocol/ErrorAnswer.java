package io.wharf.protocol;

/**
 * How one error is answered: the code clients match on ({@code __type} in JSON and CBOR, {@code
 * <Code>} in query XML), the HTTP status, and whether the caller is at fault (query {@code
 * <Type>Sender</Type>}, else {@code Receiver}).
 */
public record ErrorAnswer(String code, int status, boolean senderFault) {}
