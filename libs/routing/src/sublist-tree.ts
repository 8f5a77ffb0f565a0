// The token trie behind the sublist. Each level maps literal tokens to nodes and keeps the
// `*` and `>` nodes apart, so matching a subject touches at most three children per level.
import { isQueueEntry, type ResultBuilder, type SublistEntry } from './sublist-result.js';

export interface QueueGroup<T> {
  readonly name: string;
  readonly members: Set<T>;
}

export interface TreeNode<T> {
  next: TreeLevel<T> | undefined;
  readonly plain: Set<T>;
  /** An array, not a Map: matching iterates it, and a node rarely has more than a few groups. */
  queues: QueueGroup<T>[] | undefined;
}

export interface TreeLevel<T> {
  readonly literals: Map<string, TreeNode<T>>;
  partialWildcard: TreeNode<T> | undefined;
  fullWildcard: TreeNode<T> | undefined;
}

export function newLevel<T>(): TreeLevel<T> {
  return { literals: new Map(), partialWildcard: undefined, fullWildcard: undefined };
}

function newNode<T>(): TreeNode<T> {
  return { next: undefined, plain: new Set(), queues: undefined };
}

function childFor<T>(level: TreeLevel<T>, token: string): TreeNode<T> | undefined {
  if (token === '*') return level.partialWildcard;
  if (token === '>') return level.fullWildcard;
  return level.literals.get(token);
}

/** Adds `entry` under its (already validated) subject; false if it was already there. */
export function insertIntoTree<T extends SublistEntry>(root: TreeLevel<T>, entry: T): boolean {
  const tokens = entry.subject.split('.');
  let level = root;
  let node: TreeNode<T> | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    node = childFor(level, token);
    if (node === undefined) {
      node = newNode();
      if (token === '*') level.partialWildcard = node;
      else if (token === '>') level.fullWildcard = node;
      else level.literals.set(token, node);
    }
    if (i + 1 < tokens.length) level = node.next ??= newLevel();
  }
  const leaf = node!;
  if (!isQueueEntry(entry)) {
    if (leaf.plain.has(entry)) return false;
    leaf.plain.add(entry);
    return true;
  }
  leaf.queues ??= [];
  let group = leaf.queues.find((candidate) => candidate.name === entry.queue);
  if (group === undefined) {
    group = { name: entry.queue, members: new Set() };
    leaf.queues.push(group);
  } else if (group.members.has(entry)) {
    return false;
  }
  group.members.add(entry);
  return true;
}

function isPrunable<T>(node: TreeNode<T>): boolean {
  return node.plain.size === 0 && node.queues === undefined && node.next === undefined;
}

function isEmptyLevel<T>(level: TreeLevel<T>): boolean {
  return level.literals.size === 0 && level.partialWildcard === undefined && level.fullWildcard === undefined;
}

function detach<T>(level: TreeLevel<T>, node: TreeNode<T>, token: string): void {
  if (level.partialWildcard === node) level.partialWildcard = undefined;
  else if (level.fullWildcard === node) level.fullWildcard = undefined;
  else level.literals.delete(token);
}

/** Removes `entry` and prunes nodes left empty; false if it was not in the tree. */
export function removeFromTree<T extends SublistEntry>(root: TreeLevel<T>, entry: T): boolean {
  const tokens = entry.subject.split('.');
  const path: TreeNode<T>[] = [];
  const levels: TreeLevel<T>[] = [];
  let level: TreeLevel<T> | undefined = root;
  for (const token of tokens) {
    if (level === undefined) return false;
    const node: TreeNode<T> | undefined = childFor(level, token);
    if (node === undefined) return false;
    levels.push(level);
    path.push(node);
    level = node.next;
  }
  const leaf = path[path.length - 1]!;
  if (!isQueueEntry(entry)) {
    if (!leaf.plain.delete(entry)) return false;
  } else {
    const groups = leaf.queues;
    const index = groups === undefined ? -1 : groups.findIndex((candidate) => candidate.name === entry.queue);
    if (index < 0 || !groups![index]!.members.delete(entry)) return false;
    if (groups![index]!.members.size === 0) groups!.splice(index, 1);
    if (groups!.length === 0) leaf.queues = undefined;
  }
  for (let i = path.length - 1; i >= 0; i--) {
    const node = path[i]!;
    if (node.next !== undefined && isEmptyLevel(node.next)) node.next = undefined;
    if (!isPrunable(node)) break;
    detach(levels[i]!, node, tokens[i]!);
  }
  return true;
}

function addNode<T extends SublistEntry>(node: TreeNode<T>, out: ResultBuilder<T>): void {
  if (node.plain.size > 0) out.addPlain(node.plain);
  const groups = node.queues;
  if (groups !== undefined) {
    for (let i = 0; i < groups.length; i++) out.addQueueGroup(groups[i]!.name, groups[i]!.members);
  }
}

/** Collects every entry whose subject matches `tokens[from..count)`, starting at `level`. */
export function collectMatches<T extends SublistEntry>(
  level: TreeLevel<T> | undefined,
  tokens: readonly string[],
  from: number,
  count: number,
  out: ResultBuilder<T>,
): void {
  let node: TreeNode<T> | undefined;
  let partial: TreeNode<T> | undefined;
  const last = count - 1;
  for (let i = from; i <= last; i++) {
    if (level === undefined) return;
    if (level.fullWildcard !== undefined) addNode(level.fullWildcard, out);
    partial = level.partialWildcard;
    if (partial !== undefined && i < last) collectMatches(partial.next, tokens, i + 1, count, out);
    node = level.literals.get(tokens[i]!);
    level = node?.next;
  }
  if (node !== undefined) addNode(node, out);
  if (partial !== undefined) addNode(partial, out);
}

/** Appends every entry in the tree to `out`. */
export function collectAll<T>(level: TreeLevel<T>, out: T[]): void {
  const visit = (node: TreeNode<T>): void => {
    for (const entry of node.plain) out.push(entry);
    if (node.queues !== undefined) {
      for (const group of node.queues) for (const entry of group.members) out.push(entry);
    }
    if (node.next !== undefined) collectAll(node.next, out);
  };
  for (const node of level.literals.values()) visit(node);
  if (level.partialWildcard !== undefined) visit(level.partialWildcard);
  if (level.fullWildcard !== undefined) visit(level.fullWildcard);
}
