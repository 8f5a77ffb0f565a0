// The bus wire schema, the single source of truth: kept as text in a module so it ships in dist/
// with the code. The TCP transport writes each BusFrame length-delimited (varint length prefix).
// Over TCP each process (a "peer", hosting one or more members) dials every other peer and sends
// only on the connection it dialed, so each direction of a pair of peers has its own connection.
export const BUS_PROTO = `
syntax = "proto3";

package natsts.bus;

enum Role {
  ROLE_UNSPECIFIED = 0;
  ROLE_CLIENT_GATEWAY = 1;
  ROLE_ROUTE_MESH = 2;
  ROLE_SUPERCLUSTER_GATEWAY = 3;
  ROLE_LEAF_PROXY = 4;
  ROLE_STREAM_STORE = 5;
}

// First frame each side sends on a TCP connection: the process speaking. After it the dialing
// side sends its members (MemberHello + InterestSnapshot each), their changes, messages and
// heartbeats; the accepting side sends nothing more.
message PeerHello {
  string peer_id = 1;
  // host:port where the peer accepts bus connections (so a peer that heard of it can dial back).
  string url = 2;
  uint32 protocol = 3;
}

// A member joined: who it is. Followed by its InterestSnapshot.
message MemberHello {
  string node_id = 1;
  string member_id = 2;
  Role role = 3;
  string version = 4;
}

// A member left; its interest is gone with it.
message MemberGone {
  string member_id = 1;
}

// Liveness; seq increases by one per heartbeat so gaps are visible.
message Heartbeat {
  // The sender: over TCP the peer id (heartbeats are per connection, not per member).
  string member_id = 1;
  uint64 seq = 2;
}

// The sender's current subscription count for (account, subject, queue): add with the count
// (for queues the number of members), or add = false when it dropped to zero.
message InterestChange {
  string account = 1;
  string subject = 2;
  string queue = 3;
  int32 weight = 4;
  bool add = 5;
  // The announcing member, where a connection carries several.
  string member_id = 6;
}

// All of the sender's interest, sent after MemberHello.
message InterestSnapshot {
  repeated InterestChange interests = 1;
  string member_id = 2;
}

// A published message. The receiver delivers to its plain subscribers and, for each queue group
// listed in queues, to one member of that group (as a route's RMSG does).
message MessageDelivery {
  string account = 1;
  string subject = 2;
  string reply = 3;
  bytes header = 4;
  bytes payload = 5;
  string traceparent = 6;
  string origin_member = 7;
  repeated string queues = 8;
  // Sending and receiving members where a connection carries several; from_member is left out
  // when it is origin_member.
  string from_member = 9;
  string to_member = 10;
}

// A remote cluster's gateway URLs.
message GatewayUrls {
  string name = 1;
  repeated string urls = 2;
}

// What a member tells the others about how clients and servers reach the node and its cluster;
// replaces its previous state.
message MemberState {
  repeated string client_urls = 1;
  string cluster = 2;
  // The announcing member, where a connection carries several.
  string member_id = 3;
  string gateway_url = 4;
  repeated string cluster_gateway_urls = 5;
  repeated GatewayUrls gateways = 6;
}

message BusFrame {
  oneof body {
    MemberHello hello = 1;
    Heartbeat heartbeat = 2;
    InterestChange interest = 3;
    InterestSnapshot snapshot = 4;
    MessageDelivery message = 5;
    PeerHello peer = 6;
    MemberGone gone = 7;
    MemberState state = 8;
  }
}
`;
