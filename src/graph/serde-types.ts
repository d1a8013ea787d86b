/** Turns values into bytes and back. `topic` is the topic being written or read. */
export interface Serializer<T> {
  serialize(topic: string, data: T): Buffer | null;
}

export interface Deserializer<T> {
  deserialize(topic: string, data: Buffer | null): T;
}

export interface Serde<T> extends Serializer<T>, Deserializer<T> {
  /** Short name for describe() and error messages, e.g. "String" or "Json". */
  readonly name: string;
}
