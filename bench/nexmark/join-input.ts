/**
 * Input of the join benchmarks: Nexmark bids and auctions keyed by auction id as per-topic
 * FetchBatch pairs, the order a StreamTask visits them in, and compact binary serdes for the
 * values the join buffers hold.
 */
import type { FetchBatch } from '../../src/backend/backend-types.js';
import type { Serde } from '../../src/graph/serde-types.js';
import { CHANNELS, ITEMS, NexmarkGenerator, type Auction, type Bid } from './generator.js';

/**
 * The doubles of a record being written, then copied into its buffer with one set(): Node's
 * Buffer#writeDoubleLE stores a double byte by byte with its own checks, which took seven writes
 * of an auction to ~300 ns (half of that is gone this way; the bytes are the same, little-endian
 * as on every platform Node runs on, which loading this module checks).
 */
const auctionDoubles = new Float64Array(7);
const auctionBytes = new Uint8Array(auctionDoubles.buffer);
const bidDoubles = new Float64Array(4);
const bidBytes = new Uint8Array(bidDoubles.buffer);
if (new Uint8Array(new Float64Array([1]).buffer)[7] !== 0x3f) throw new Error('the Nexmark bench serdes assume a little-endian platform');

/** Bid as 33 bytes: auction, bidder, price, dateTime (float64 LE) and the channel's index. */
export const bidSerde: Serde<Bid> = {
  name: 'NexmarkBid',
  serialize: (_t, b) => {
    const f = bidDoubles;
    f[0] = b.auction;
    f[1] = b.bidder;
    f[2] = b.price;
    f[3] = b.dateTime;
    const buf = Buffer.allocUnsafe(33);
    buf.set(bidBytes, 0);
    buf[32] = CHANNELS.indexOf(b.channel);
    return buf;
  },
  deserialize: (_t, buf) => ({ auction: buf!.readDoubleLE(0), bidder: buf!.readDoubleLE(8), price: buf!.readDoubleLE(16), channel: CHANNELS[buf![32]], dateTime: buf!.readDoubleLE(24) }),
};

/** Auction as 57 bytes: seven float64 LE fields and the item name's index. */
export const auctionSerde: Serde<Auction> = {
  name: 'NexmarkAuction',
  serialize: (_t, a) => {
    const f = auctionDoubles;
    f[0] = a.id;
    f[1] = a.initialBid;
    f[2] = a.reserve;
    f[3] = a.dateTime;
    f[4] = a.expires;
    f[5] = a.seller;
    f[6] = a.category;
    const buf = Buffer.allocUnsafe(57);
    buf.set(auctionBytes, 0);
    buf[56] = ITEMS.indexOf(a.itemName);
    return buf;
  },
  deserialize: (_t, buf) => ({
    id: buf!.readDoubleLE(0), itemName: ITEMS[buf![56]], initialBid: buf!.readDoubleLE(8), reserve: buf!.readDoubleLE(16),
    dateTime: buf!.readDoubleLE(24), expires: buf!.readDoubleLE(32), seller: buf!.readDoubleLE(40), category: buf!.readDoubleLE(48),
  }),
};

/** Input as per-topic FetchBatch pairs; each chunk ends at a millisecond boundary. */
export interface JoinInput {
  readonly chunks: readonly { readonly auctions: FetchBatch; readonly bids: FetchBatch }[];
  readonly bids: number;
  readonly auctions: number;
}

function batch(topic: string, keys: unknown[], values: unknown[], timestamps: number[], firstOffset: number): FetchBatch {
  const n = keys.length;
  return { topic, partition: 0, size: n, offsets: Array.from({ length: n }, (_, i) => firstOffset + i), timestamps, keys: keys as Buffer[], values: values as Buffer[], headers: new Array(n).fill(undefined), highWatermark: firstOffset + n };
}

/**
 * Event time runs at 1,000 events/s, one event per millisecond, so no two records share a
 * timestamp and every timestamp-ordered processing sees the same order (at higher rates a bid and
 * the auction it names can share a millisecond, and which one a task takes first is a tie-break).
 */
export const JOIN_EVENTS_PER_SECOND = 1000;

export function joinInput(bids: number, chunkEvents = 5000): JoinInput {
  const gen = new NexmarkGenerator({ eventsPerSecond: JOIN_EVENTS_PER_SECOND });
  const chunks: { auctions: FetchBatch; bids: FetchBatch }[] = [];
  let nBids = 0;
  let nAuctions = 0;
  while (nBids < bids) {
    const ak: unknown[] = [], av: unknown[] = [], at: number[] = [];
    const bk: unknown[] = [], bv: unknown[] = [], bt: number[] = [];
    // Stop at a millisecond boundary so no timestamp spans two chunks.
    for (let e = 0; (e < chunkEvents || gen.timeOf(gen.eventCount) === gen.timeOf(gen.eventCount - 1)) && nBids < bids; e++) {
      const t = gen.timeOf(gen.eventCount);
      const ev = gen.next();
      if (ev.kind === 'auction') {
        ak.push(ev.auction.id);
        av.push(ev.auction);
        at.push(t);
      } else if (ev.kind === 'bid') {
        bk.push(ev.bid.auction);
        bv.push(ev.bid);
        bt.push(t);
        nBids++;
      }
    }
    chunks.push({ auctions: batch('auctions', ak, av, at, nAuctions), bids: batch('bids', bk, bv, bt, nBids - bk.length) });
    nAuctions += ak.length;
  }
  return { chunks, bids: nBids, auctions: nAuctions };
}

/**
 * Visits the records of both topics in the order StreamTask processes them: the partition with
 * the smaller head timestamp (auctions on a tie, the queue created first) runs while its records
 * are not later than the other partition's head. Equal timestamps thus go to whichever side is
 * running, which decides, e.g., whether a bid sees an auction created in the same millisecond.
 */
export function merged(input: JoinInput, onAuction: (fb: FetchBatch, i: number) => void, onBid: (fb: FetchBatch, i: number) => void): void {
  for (const { auctions, bids } of input.chunks) {
    const at = auctions.timestamps;
    const bt = bids.timestamps;
    let a = 0;
    let b = 0;
    while (a < auctions.size || b < bids.size) {
      const ta = a < auctions.size ? at[a] : Infinity;
      const tb = b < bids.size ? bt[b] : Infinity;
      if (ta <= tb) {
        do onAuction(auctions, a++);
        while (a < auctions.size && at[a] <= tb);
      } else {
        do onBid(bids, b++);
        while (b < bids.size && bt[b] <= ta);
      }
    }
  }
}

