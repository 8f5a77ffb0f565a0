import { fileURLToPath } from 'node:url';

/** The bus wire schema (libs/bus/bus.proto), beside src/ and dist/ alike. */
export const BUS_PROTO_FILE = fileURLToPath(new URL('../bus.proto', import.meta.url));
