import protobuf from 'protobufjs';

/**
 * google.rpc.Status, the OTLP/HTTP error body: `int32 code = 1; string message = 2;`
 * (details, field 3, is left empty). Two fields do not justify loading status.proto.
 */
export function encodeRpcStatus(code: number, message: string): Buffer {
  const writer = protobuf.Writer.create();
  if (code !== 0) writer.uint32((1 << 3) | 0).int32(code);
  if (message) writer.uint32((2 << 3) | 2).string(message);
  return Buffer.from(writer.finish());
}

/** The gRPC code the OTLP specification pairs with each HTTP status we answer. */
export function grpcCodeForHttpStatus(status: number): number {
  switch (status) {
    case 400:
    case 413:
    case 415:
      return 3; // INVALID_ARGUMENT
    case 401:
      return 16; // UNAUTHENTICATED
    case 429:
      return 8; // RESOURCE_EXHAUSTED
    case 503:
      return 14; // UNAVAILABLE
    default:
      return 2; // UNKNOWN
  }
}
