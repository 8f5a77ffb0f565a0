// The Lua scripts of the Redis store. Every key of one stream starts with the same prefix,
// `nats-ts:js:{<account>:<stream>}:`, so they all hash to one slot (Redis Cluster runs a
// script only on keys of one slot). KEYS are the stream's fixed keys; the per-subject sorted
// sets are `<prefix>s:<subject>`, named from ARGV[1] (the prefix).
//
// meta      hash: owner (the fencing token of the store allowed to write), last_seq, last_time,
//           config (the stream config's JSON), created
// msgs      hash: seq -> the message record (time, subject, header, data; see redis-store.ts)
// seqs      sorted set of the stored sequences (score = member = seq), for loading in order
// subjects  set of the subjects with messages; each has its sorted set `s:<subject>` of seqs
//           (ZCARD: its count, the highest: its last sequence)
// consumers hash: name -> the consumer's meta JSON; cstate hash: name -> its state JSON
//
// Every script that writes checks the owner first: a store that lost the stream to a newer
// opener (another process, or this one after a restart) is refused with FENCED and writes
// nothing. Each operation is idempotent (a message at or below last_seq is not stored again,
// a removal of what is gone changes nothing), so a batch that ioredis sends again after a
// reconnect leaves the same state.

export const STREAM_KEY_NAMES = ['meta', 'msgs', 'seqs', 'subjects', 'consumers', 'cstate'] as const;

/** Deletes every key of the stream (KEYS as STREAM_KEY_NAMES, ARGV[1] the prefix). */
const WIPE = `
local function wipe()
  local subjects = redis.call('SMEMBERS', KEYS[4])
  for i = 1, #subjects do redis.call('DEL', ARGV[1] .. 's:' .. subjects[i]) end
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6])
end
`;

const FENCE = `
local function fenced()
  local owner = redis.call('HGET', KEYS[1], 'owner')
  if owner ~= ARGV[2] then
    return redis.error_reply('FENCED the stream is owned by another store (' .. tostring(owner) .. ')')
  end
  return nil
end
`;

/** ARGV: prefix, token, config JSON, created. A new stream: what a stream of that name left is removed. */
export const CREATE_SCRIPT = `${WIPE}
wipe()
redis.call('HSET', KEYS[1], 'owner', ARGV[2], 'config', ARGV[3], 'created', ARGV[4])
return 1
`;

/** ARGV: prefix, token. Takes the stream over; returns last_seq, last_time, config, created (nil when there is no such stream). */
export const CLAIM_SCRIPT = `
if redis.call('HEXISTS', KEYS[1], 'config') == 0 then return nil end
redis.call('HSET', KEYS[1], 'owner', ARGV[2])
return redis.call('HMGET', KEYS[1], 'last_seq', 'last_time', 'config', 'created')
`;

/** ARGV: prefix, token. */
export const DESTROY_SCRIPT = `${WIPE}${FENCE}
local refusal = fenced()
if refusal then return refusal end
wipe()
return 1
`;

/**
 * ARGV: prefix, token, then operations, each a letter and its fixed arguments:
 *   M seq time subject record   a message (skipped when seq is not above last_seq: sent twice)
 *   D seq subject               a removal
 *   S seq time                  the sequences up to seq are used (last_seq never goes down)
 *   G config                    the stream's new config JSON
 *   K name meta                 a consumer's meta JSON;  T name state: its state JSON
 *   X name                      a consumer removed
 * Returns the number of operations applied.
 */
export const APPLY_SCRIPT = `${FENCE}
local refusal = fenced()
if refusal then return refusal end
local meta, msgs, seqs, subjects = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local prefix = ARGV[1]
local last = tonumber(redis.call('HGET', meta, 'last_seq') or '0')
local i, n, applied = 3, #ARGV, 0
while i <= n do
  local op = ARGV[i]
  if op == 'M' then
    local seq = tonumber(ARGV[i + 1])
    if seq > last then
      local subject = ARGV[i + 3]
      redis.call('HSET', msgs, ARGV[i + 1], ARGV[i + 4])
      redis.call('ZADD', seqs, seq, ARGV[i + 1])
      redis.call('ZADD', prefix .. 's:' .. subject, seq, ARGV[i + 1])
      redis.call('SADD', subjects, subject)
      redis.call('HSET', meta, 'last_seq', ARGV[i + 1], 'last_time', ARGV[i + 2])
      last = seq
    end
    i = i + 5
  elseif op == 'D' then
    if redis.call('HDEL', msgs, ARGV[i + 1]) == 1 then
      local subjectKey = prefix .. 's:' .. ARGV[i + 2]
      redis.call('ZREM', seqs, ARGV[i + 1])
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
    redis.call('HSET', KEYS[5], ARGV[i + 1], ARGV[i + 2])
    i = i + 3
  elseif op == 'T' then
    redis.call('HSET', KEYS[6], ARGV[i + 1], ARGV[i + 2])
    i = i + 3
  elseif op == 'X' then
    redis.call('HDEL', KEYS[5], ARGV[i + 1])
    redis.call('HDEL', KEYS[6], ARGV[i + 1])
    i = i + 2
  else
    return redis.error_reply('ERR unknown stream operation ' .. tostring(op))
  end
  applied = applied + 1
end
return applied
`;

/** The number of ARGV entries of each operation, its letter included. */
export const OPERATION_ARITY = { M: 5, D: 3, S: 3, G: 2, K: 3, T: 3, X: 2 } as const;
