// A stored message's size as nats-server 2.9 counts it in the stream state's bytes and against
// max_bytes. Subjects are latin1 strings here (one char per byte), so a subject's length is its
// byte length.

/**
 * nats-server's `fileStoreMsgSize` (server/filestore.go): the record's length (4), seq (8),
 * timestamp (8) and subject length (2) fields, the subject, the data and the hash (8); with
 * headers also their length field (4) and the headers.
 */
export function fileStoreMessageSize(subjectLength: number, headerLength: number, dataLength: number): number {
  const headerPart = headerLength === 0 ? 0 : 4 + headerLength;
  return 22 + subjectLength + headerPart + dataLength + 8;
}

/** nats-server's `memStoreMsgSize` (server/memstore.go): subject, headers and data, plus seq and timestamp (16). */
export function memoryStoreMessageSize(subjectLength: number, headerLength: number, dataLength: number): number {
  return subjectLength + headerLength + dataLength + 16;
}
