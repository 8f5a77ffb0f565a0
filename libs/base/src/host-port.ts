/** `host:port`, with brackets around an IPv6 host, as INFO's URL lists write addresses. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * An `advertise` setting (client, cluster, gateway, leafnodes): `host[:port]`, an IPv6 host in
 * brackets, the port defaulting to the listener's.
 */
export function parseAdvertise(advertise: string, port: number): { host: string; port: number } {
  const bracketed = /^\[(.*)\](?::(\d+))?$/.exec(advertise);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] !== undefined ? Number(bracketed[2]) : port };
  const colon = advertise.lastIndexOf(':');
  if (colon < 0 || advertise.indexOf(':') !== colon) return { host: advertise, port };
  return { host: advertise.slice(0, colon), port: Number(advertise.slice(colon + 1)) };
}
