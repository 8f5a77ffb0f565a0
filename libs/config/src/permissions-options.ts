import type { ConfigEntry, ConfigNode } from './conf-nodes.js';
import { describeNode } from './conf-nodes.js';
import { Diagnostics, readDurationMs, readInteger, readMap } from './entry-reader.js';
import { isValidSubject } from './subject-rules.js';
import { DEFAULTS, type Permissions, type ResponsePermission, type SubjectPermission } from './options.js';

/**
 * `permissions { publish, subscribe, allow_responses }` in nats-server's forms: a subject or
 * list (allow only), or `{ allow, deny }`; `allow_responses: true` or `{ max, expires }`.
 */
export function readPermissions(e: ConfigEntry, d: Diagnostics): Permissions | undefined {
  const block = readMap(e, d);
  if (block === undefined) return undefined;
  const permissions: Permissions = {};
  for (const x of block.entries.values()) {
    switch (x.key.toLowerCase()) {
      case 'pub':
      case 'publish':
      case 'import':
        setIfDefined(permissions, 'publish', readSubjectPermission(x, d));
        break;
      case 'sub':
      case 'subscribe':
      case 'export':
        setIfDefined(permissions, 'subscribe', readSubjectPermission(x, d));
        break;
      case 'publish_allow_responses':
      case 'allow_responses':
        setIfDefined(permissions, 'allowResponses', readResponsePermission(x, d));
        break;
      default:
        if (!x.usedAsVariable) d.error(x.keyPos, `unknown field "${x.key}" in permissions`);
    }
  }
  // Like nats-server: allowing responses turns off the blanket publish allow, so such a
  // user may publish only to reply subjects unless an allow list says otherwise.
  if (permissions.allowResponses !== undefined && permissions.publish?.allow === undefined) {
    permissions.publish = { ...permissions.publish, allow: [] };
  }
  return permissions;
}

function setIfDefined<K extends keyof Permissions>(p: Permissions, key: K, value: Permissions[K] | undefined): void {
  if (value !== undefined) p[key] = value;
}

function readSubjectPermission(e: ConfigEntry, d: Diagnostics): SubjectPermission | undefined {
  if (e.node.kind !== 'map') {
    const allow = readSubjects(e.key, e.node, d);
    return allow === undefined ? undefined : { allow };
  }
  if (e.node.entries.size === 0) return undefined;
  const permission: SubjectPermission = {};
  for (const x of e.node.entries.values()) {
    const which = x.key.toLowerCase();
    if (which === 'allow' || which === 'deny') {
      const subjects = readSubjects(x.key, x.node, d);
      if (subjects !== undefined) permission[which] = subjects;
    } else if (!x.usedAsVariable) {
      d.error(x.keyPos, `unknown field "${x.key}" in subject permissions, only "allow" and "deny" are permitted`);
    }
  }
  return permission;
}

function readSubjects(key: string, node: ConfigNode, d: Diagnostics): string[] | undefined {
  const items = node.kind === 'array' ? node.items : node.kind === 'string' ? [node] : undefined;
  if (items === undefined) {
    d.error(node.pos, `"${key}" must be a subject or an array of subjects, found ${describeNode(node)}`);
    return undefined;
  }
  const subjects: string[] = [];
  let ok = true;
  for (const item of items) {
    if (item.kind !== 'string') {
      d.error(item.pos, `subjects in "${key}" must be strings, found ${describeNode(item)}`);
      ok = false;
    } else if (!isValidPermissionSubject(item.value)) {
      d.error(item.pos, `subject "${item.value}" in "${key}" is not a valid subject`);
      ok = false;
    } else {
      subjects.push(item.value);
    }
  }
  return ok ? subjects : undefined;
}

function readResponsePermission(e: ConfigEntry, d: Diagnostics): ResponsePermission | undefined {
  const response: ResponsePermission = { maxMsgs: DEFAULTS.responseMaxMsgs, expiresMs: DEFAULTS.responseExpiresMs };
  if (e.node.kind === 'bool') return e.node.value ? response : undefined;
  if (e.node.kind !== 'map') {
    d.error(e.keyPos, `"${e.key}" must be a boolean or a map, found ${describeNode(e.node)}`);
    return undefined;
  }
  for (const x of e.node.entries.values()) {
    switch (x.key.toLowerCase()) {
      case 'max':
      case 'max_msgs':
      case 'max_messages':
      case 'max_responses': {
        // Negative means unlimited; 0 keeps the default.
        const max = readInteger(x, d);
        if (max !== undefined && max !== 0) response.maxMsgs = max;
        break;
      }
      case 'expires':
      case 'expiration':
      case 'ttl': {
        const expires = readDurationMs(x, d, 'refused');
        if (expires !== undefined && expires !== 0) response.expiresMs = expires;
        break;
      }
      default:
        if (!x.usedAsVariable) d.error(x.keyPos, `unknown field "${x.key}" in response permissions`);
    }
  }
  return response;
}

/**
 * nats-server's rule for permission subjects: a valid subject (non-empty tokens, no
 * whitespace, `>` last), or `subject queue` naming a queue group for subscribe permissions.
 */
export function isValidPermissionSubject(subject: string): boolean {
  if (isValidSubject(subject)) return true;
  const fields = subject.split(/\s+/).filter((f) => f !== '');
  return fields.length === 2 && isValidSubject(fields[0]!);
}
