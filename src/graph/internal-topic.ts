/** A topic the application owns and creates: `<application.id>-<name>`. */
export interface InternalTopicSpec {
  /** Unprefixed, e.g. KSTREAM-REPARTITION-0000000003-repartition or <store>-changelog. */
  readonly name: string;
  readonly role: 'repartition' | 'changelog';
  /** Fixed partition count; undefined means "as many as the upstream source topics". */
  readonly partitions?: number;
  readonly config: Readonly<Record<string, string>>;
}

export function internalTopicName(applicationId: string, name: string): string {
  return `${applicationId}-${name}`;
}
