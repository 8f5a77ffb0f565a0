import type { SourcePos } from './errors.js';

/** A parsed configuration value, with where it was written. */
export type ConfigNode = StringNode | IntegerNode | FloatNode | BoolNode | DatetimeNode | ArrayNode | MapNode;

interface Located {
  readonly pos: SourcePos;
}

export interface StringNode extends Located {
  readonly kind: 'string';
  readonly value: string;
}

export interface IntegerNode extends Located {
  readonly kind: 'integer';
  /** Size suffixes applied: `64KB` is 65536, `1k` is 1000, `1m` is 1000000. */
  readonly value: number;
  /** As written, e.g. `64KB`. */
  readonly raw: string;
}

export interface FloatNode extends Located {
  readonly kind: 'float';
  readonly value: number;
}

export interface BoolNode extends Located {
  readonly kind: 'bool';
  readonly value: boolean;
}

export interface DatetimeNode extends Located {
  readonly kind: 'datetime';
  readonly value: Date;
}

export interface ArrayNode extends Located {
  readonly kind: 'array';
  readonly items: readonly ConfigNode[];
}

export interface MapNode extends Located {
  readonly kind: 'map';
  /** In the order the keys were last written; a key written twice keeps its last value. */
  readonly entries: ReadonlyMap<string, ConfigEntry>;
}

export interface ConfigEntry {
  readonly key: string;
  readonly keyPos: SourcePos;
  readonly node: ConfigNode;
  /**
   * Set when a `$key` reference used this entry: nats-server lets such helper keys sit
   * anywhere without reporting them as unknown fields.
   */
  usedAsVariable: boolean;
}

const KIND_NAMES: Record<ConfigNode['kind'], string> = {
  string: 'a string',
  integer: 'an integer',
  float: 'a float',
  bool: 'a boolean',
  datetime: 'a date',
  array: 'an array',
  map: 'a map',
};

/** "a string", "an integer", ... for error messages. */
export function describeNode(node: ConfigNode): string {
  return KIND_NAMES[node.kind];
}

/** The value as plain data: maps become objects, arrays arrays, scalars themselves. */
export function plainValue(node: ConfigNode): unknown {
  switch (node.kind) {
    case 'array':
      return node.items.map(plainValue);
    case 'map':
      // fromEntries defines own properties, so a key named __proto__ stays a plain key.
      return Object.fromEntries([...node.entries].map(([key, entry]) => [key, plainValue(entry.node)]));
    default:
      return node.value;
  }
}
