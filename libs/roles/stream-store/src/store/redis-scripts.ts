// The Lua scripts of the Redis store. Every key of one stream starts with the same prefix,
// `nats-ts:js:{<account>:<stream>}:`, so they all hash to one slot (Redis Cluster runs a
// script only on keys of one slot). KEYS are the stream's fixed keys; the per-subject sorted
// sets are `<prefix>s:<subject>`, named from ARGV[1] (the prefix).
//
// meta      hash: owner (the token of the store that took the stream last), last_seq, last_time,
//           config (the stream config's JSON), created, and as the owner counts them after its
//           last batch: bytes, messages, first_seq (for the servers that answer from Redis)
// lease     the owner's token, expiring unless renewed (`redis_lease`): while it lives no other
//           store takes the stream
// msgs      hash: seq -> the message record (time, subject, header, data; see redis-store.ts);
//           no sorted set of all sequences: an opening store scans it and sorts, so an append
//           writes one structure less
// subjects  set of the subjects with messages; each has its sorted set `s:<subject>` of seqs
//           (ZCARD: its count, the highest: its last sequence)
// consumers hash: name -> the consumer's meta JSON; cstate hash: name -> its state JSON
//
// Every script that writes checks the lease first (ARGV[2] the token, ARGV[3] the lease in ms):
// a store that lost the stream to another is refused with FENCED and writes nothing. An owner
// whose lease ran out while nobody took the stream (Redis was away longer) takes it again. Each operation is idempotent (a message at or below last_seq is not stored again,
// a removal of what is gone changes nothing), so a batch that ioredis sends again after a
// reconnect leaves the same state.

export const STREAM_KEY_NAMES = ['meta', 'msgs', 'subjects', 'consumers', 'cstate', 'lease'] as const;

/** Deletes every key of the stream (KEYS as STREAM_KEY_NAMES, ARGV[1] the prefix). */
const WIPE = `
local function wipe()
  local subjects = redis.call('SMEMBERS', KEYS[3])
  for i = 1, #subjects do redis.call('DEL', ARGV[1] .. 's:' .. subjects[i]) end
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6])
end
`;

const FENCE = `
local function fenced()
  local holder = redis.call('GET', KEYS[6])
  if holder == ARGV[2] then return nil end
  if not holder and redis.call('HGET', KEYS[1], 'owner') == ARGV[2] then
    redis.call('SET', KEYS[6], ARGV[2], 'PX', ARGV[3])
    return nil
  end
  return redis.error_reply('FENCED the stream is owned by another store (' .. tostring(holder or redis.call('HGET', KEYS[1], 'owner')) .. ')')
end
`;

/** ARGV: prefix, token, lease, config JSON, created. A new stream, refused when Redis has one of that name. */
export const CREATE_SCRIPT = `${WIPE}
if redis.call('HEXISTS', KEYS[1], 'config') == 1 then
  return redis.error_reply('EXISTS a stream of that name is kept in Redis (served by another server)')
end
wipe()
redis.call('HSET', KEYS[1], 'owner', ARGV[2], 'config', ARGV[4], 'created', ARGV[5])
redis.call('SET', KEYS[6], ARGV[2], 'PX', ARGV[3])
return 1
`;

/**
 * ARGV: prefix, token, lease, identity. Takes the stream over unless another's lease lives (a
 * lease of the same identity, a server of that name before its restart, is taken at once);
 * returns last_seq, last_time, config, created; 0 when the lease is another's; nil when there
 * is no such stream.
 */
export const CLAIM_SCRIPT = `
if redis.call('HEXISTS', KEYS[1], 'config') == 0 then return nil end
local holder = redis.call('GET', KEYS[6])
if holder and string.sub(holder, 1, #ARGV[4]) ~= ARGV[4] then return 0 end
redis.call('SET', KEYS[6], ARGV[2], 'PX', ARGV[3])
redis.call('HSET', KEYS[1], 'owner', ARGV[2])
return redis.call('HMGET', KEYS[1], 'last_seq', 'last_time', 'config', 'created')
`;

/** ARGV: prefix, token, lease. The owner keeps its lease for another term. */
export const RENEW_SCRIPT = `${FENCE}
local refusal = fenced()
if refusal then return refusal end
redis.call('PEXPIRE', KEYS[6], ARGV[3])
return 1
`;

/** ARGV: prefix, token, lease. */
export const DESTROY_SCRIPT = `${WIPE}${FENCE}
local refusal = fenced()
if refusal then return refusal end
wipe()
return 1
`;

/**
 * ARGV: none. Read only: what another server answers about the stream in the account-wide API
 * (INFO, STREAM.NAMES, STREAM.LIST): config, created, last_seq, last_time, bytes, messages,
 * first_seq, the first message's time as two 32-bit halves (0, 0 when empty), subjects,
 * consumers and the lease holder's token (false when the lease ran out); nil when no such stream.
 */
export const SUMMARY_SCRIPT = `
if redis.call('HEXISTS', KEYS[1], 'config') == 0 then return nil end
local m = redis.call('HMGET', KEYS[1], 'config', 'created', 'last_seq', 'last_time', 'bytes', 'messages', 'first_seq')
local high, low = 0, 0
if m[7] then
  local record = redis.call('HGET', KEYS[2], m[7])
  if record then high, low = struct.unpack('>I4I4', record) end
end
return { m[1], m[2], m[3] or '0', m[4] or '0', m[5] or '0', tonumber(m[6] or '0'), m[7] or '0', high, low,
  redis.call('SCARD', KEYS[3]), redis.call('HLEN', KEYS[4]), redis.call('GET', KEYS[6]) }
`;

/**
 * ARGV: prefix, token, lease, then operations, each a letter and its fixed arguments:
 *   P seq time records          messages of sequences seq, seq + 1, ..., each record (see
 *                               redis-store.ts) behind its length (u32); time: the last one's
 *                               (one skipped when its seq is not above last_seq: sent twice)
 *   D seq subject               a removal
 *   S seq time                  the sequences up to seq are used (last_seq never goes down)
 *   G config                    the stream's new config JSON
 *   K name meta                 a consumer's meta JSON;  T name state: its state JSON
 *   X name                      a consumer removed
 *   B bytes messages first      the stored bytes, the message count and the first sequence (as
 *                               stream info shows it), as the owner counts them (the last of a batch)
 * Returns the number of operations applied.
 */
export const APPLY_SCRIPT = `${FENCE}
local refusal = fenced()
if refusal then return refusal end
local meta, msgs, subjects = KEYS[1], KEYS[2], KEYS[3]
local prefix = ARGV[1]
local last = tonumber(redis.call('HGET', meta, 'last_seq') or '0')
-- A run of messages is written together, one command per key instead of five per message;
-- any other operation writes the run out first, so operations still apply in order.
local records, bySubject, runSubjects, runLast, runTime = {}, {}, {}, nil, nil
local function writeRun()
  if runLast == nil then return end
  redis.call('HSET', msgs, unpack(records))
  for k = 1, #runSubjects do redis.call('ZADD', prefix .. 's:' .. runSubjects[k], unpack(bySubject[runSubjects[k]])) end
  redis.call('SADD', subjects, unpack(runSubjects))
  redis.call('HSET', meta, 'last_seq', runLast, 'last_time', runTime)
  records, bySubject, runSubjects, runLast, runTime = {}, {}, {}, nil, nil
end
local i, n, applied = 4, #ARGV, 0
while i <= n do
  local op = ARGV[i]
  if op ~= 'P' then writeRun() end
  if op == 'P' then
    local seq, packed, at = tonumber(ARGV[i + 1]), ARGV[i + 3], 1
    while at <= #packed do
      local length = struct.unpack('>I4', packed, at)
      if seq > last then
        local record = string.sub(packed, at + 4, at + 3 + length)
        local subject = string.sub(record, 17, 16 + struct.unpack('>I4', record, 9))
        local member = string.format('%d', seq)
        records[#records + 1] = member
        records[#records + 1] = record
        local ofSubject = bySubject[subject]
        if ofSubject == nil then
          ofSubject = {}
          bySubject[subject] = ofSubject
          runSubjects[#runSubjects + 1] = subject
        end
        ofSubject[#ofSubject + 1] = member
        ofSubject[#ofSubject + 1] = member
        runLast, runTime, last = member, ARGV[i + 2], seq
        -- unpack() takes a few thousand values at most.
        if #records >= 4000 then writeRun() end
      end
      seq = seq + 1
      at = at + 4 + length
    end
    i = i + 4
  elseif op == 'D' then
    if redis.call('HDEL', msgs, ARGV[i + 1]) == 1 then
      local subjectKey = prefix .. 's:' .. ARGV[i + 2]
      redis.call('ZREM', subjectKey, ARGV[i + 1])
      if redis.call('EXISTS', subjectKey) == 0 then redis.call('SREM', subjects, ARGV[i + 2]) end
    end
    i = i + 3
  elseif op == 'S' then
    local seq = tonumber(ARGV[i + 1])
    if seq > last or redis.call('HEXISTS', meta, 'last_seq') == 0 then
      redis.call('HSET', meta, 'last_seq', ARGV[i + 1], 'last_time', ARGV[i + 2])
      last = seq
    end
    i = i + 3
  elseif op == 'G' then
    redis.call('HSET', meta, 'config', ARGV[i + 1])
    i = i + 2
  elseif op == 'K' then
    redis.call('HSET', KEYS[4], ARGV[i + 1], ARGV[i + 2])
    i = i + 3
  elseif op == 'T' then
    redis.call('HSET', KEYS[5], ARGV[i + 1], ARGV[i + 2])
    i = i + 3
  elseif op == 'X' then
    redis.call('HDEL', KEYS[4], ARGV[i + 1])
    redis.call('HDEL', KEYS[5], ARGV[i + 1])
    i = i + 2
  elseif op == 'B' then
    redis.call('HSET', meta, 'bytes', ARGV[i + 1], 'messages', ARGV[i + 2], 'first_seq', ARGV[i + 3])
    i = i + 4
  else
    return redis.error_reply('ERR unknown stream operation ' .. tostring(op))
  end
  applied = applied + 1
end
writeRun()
return applied
`;
