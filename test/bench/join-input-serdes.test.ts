import { describe, expect, it } from 'vitest';
import { CHANNELS, ITEMS, NexmarkGenerator, type Auction, type Bid, type NexmarkEvent } from '../../bench/nexmark/generator.js';
import { auctionSerde, bidSerde } from '../../bench/nexmark/join-input.js';

/** The documented layouts written field by field with a DataView: the independent expectation. */
function bidBytes(b: Bid, channels: readonly string[]): Buffer {
  const v = new DataView(new ArrayBuffer(33));
  [b.auction, b.bidder, b.price, b.dateTime].forEach((x, i) => v.setFloat64(8 * i, x, true));
  v.setUint8(32, channels.indexOf(b.channel));
  return Buffer.from(v.buffer);
}

function auctionBytes(a: Auction, items: readonly string[]): Buffer {
  const v = new DataView(new ArrayBuffer(57));
  [a.id, a.initialBid, a.reserve, a.dateTime, a.expires, a.seller, a.category].forEach((x, i) => v.setFloat64(8 * i, x, true));
  v.setUint8(56, items.indexOf(a.itemName));
  return Buffer.from(v.buffer);
}

describe('join bench serdes', () => {
  it('write the documented little-endian layouts and read them back', () => {
    const g = new NexmarkGenerator({ seed: 3 });
    let bids = 0;
    let auctions = 0;
    for (let i = 0; i < 3000; i++) {
      const e = g.next();
      if (e.kind === 'bid') {
        const bytes = bidSerde.serialize('bids', e.bid)!;
        expect(bytes.equals(bidBytes(e.bid, CHANNELS))).toBe(true);
        expect(bidSerde.deserialize('bids', bytes)).toEqual(e.bid);
        bids++;
      } else if (e.kind === 'auction') {
        const bytes = auctionSerde.serialize('auctions', e.auction)!;
        expect(bytes.equals(auctionBytes(e.auction, ITEMS))).toBe(true);
        const back = auctionSerde.deserialize('auctions', bytes);
        for (const k of ['id', 'itemName', 'initialBid', 'reserve', 'dateTime', 'expires', 'seller', 'category'] as const) expect(back[k]).toEqual(e.auction[k]);
        auctions++;
      }
    }
    expect(bids).toBeGreaterThan(2000);
    expect(auctions).toBeGreaterThan(100);
  });

  it('hands out a new buffer per record (the join buffers and changelogs keep them)', () => {
    const g = new NexmarkGenerator({ seed: 4 });
    const kept: { e: NexmarkEvent; bytes: Buffer }[] = [];
    while (kept.length < 100) {
      const e = g.next();
      if (e.kind === 'bid') kept.push({ e, bytes: bidSerde.serialize('bids', e.bid)! });
      else if (e.kind === 'auction') kept.push({ e, bytes: auctionSerde.serialize('auctions', e.auction)! });
    }
    // Checked only after all were written: a buffer reused by a later record would have changed.
    for (const { e, bytes } of kept) {
      if (e.kind === 'bid') expect(bytes.equals(bidBytes(e.bid, CHANNELS))).toBe(true);
      else if (e.kind === 'auction') expect(bytes.equals(auctionBytes(e.auction, ITEMS))).toBe(true);
    }
  });
});
