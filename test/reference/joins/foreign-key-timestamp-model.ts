/**
 * Timestamps of foreign-key join results, as Kafka Streams stamps them (plain TS, no Streamwright
 * code). A left row's result is recomputed by
 *   - an update or delete of the left row at t: stamped max(t, the timestamp of the right row its
 *     foreign key names) when that right row exists, else t (the subscription's response takes the
 *     larger of the subscription's and the right value's timestamps);
 *   - an update or delete of the right row it references at t: stamped t (the right update's
 *     responses keep its timestamp).
 * `timestampOf(k)` is the stamp of the last event that recomputed k's result.
 */
export class ForeignKeyTimestampModel {
  /** Foreign key of every existing left row (null: none). */
  private readonly foreignKeys = new Map<string, string | null>();
  /** When each existing right row was written. */
  private readonly rightWritten = new Map<string, number>();
  private readonly stamps = new Map<string, number>();

  /** fk undefined: the left row is deleted. */
  putLeft(key: string, fk: string | null | undefined, ts: number): void {
    if (fk === undefined && !this.foreignKeys.has(key)) return; // deleting a missing row changes nothing
    if (fk === undefined) this.foreignKeys.delete(key);
    else this.foreignKeys.set(key, fk);
    const right = fk === undefined || fk === null ? undefined : this.rightWritten.get(fk);
    this.stamps.set(key, right === undefined ? ts : Math.max(ts, right));
  }

  putRight(key: string, present: boolean, ts: number): void {
    if (!present && !this.rightWritten.has(key)) return;
    if (present) this.rightWritten.set(key, ts);
    else this.rightWritten.delete(key);
    for (const [k, fk] of this.foreignKeys) if (fk === key) this.stamps.set(k, ts);
  }

  timestampOf(key: string): number | undefined {
    return this.stamps.get(key);
  }
}
