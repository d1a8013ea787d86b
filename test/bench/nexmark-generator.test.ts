import { describe, expect, it } from 'vitest';
import { FIRST_AUCTION_ID, FIRST_PERSON_ID, NexmarkGenerator, type Bid, type NexmarkEvent } from '../../bench/nexmark/generator.js';

function take(g: NexmarkGenerator, n: number): NexmarkEvent[] {
  const out: NexmarkEvent[] = [];
  for (let i = 0; i < n; i++) out.push(g.next());
  return out;
}

describe('Nexmark generator', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = take(new NexmarkGenerator({ seed: 7 }), 5000);
    const b = take(new NexmarkGenerator({ seed: 7 }), 5000);
    const c = take(new NexmarkGenerator({ seed: 8 }), 5000);
    expect(b).toEqual(a);
    const prices = (es: NexmarkEvent[]) => es.flatMap((e) => (e.kind === 'bid' ? [e.bid.price] : []));
    expect(prices(c)).not.toEqual(prices(a));
  });

  it('mixes persons, auctions and bids 1 : 3 : 46 with sequential ids', () => {
    const events = take(new NexmarkGenerator(), 50 * 200);
    const persons = events.flatMap((e) => (e.kind === 'person' ? [e.person] : []));
    const auctions = events.flatMap((e) => (e.kind === 'auction' ? [e.auction] : []));
    const bids = events.filter((e) => e.kind === 'bid').length;
    expect([persons.length, auctions.length, bids]).toEqual([200, 600, 9200]);
    expect(persons.map((p) => p.id)).toEqual(Array.from({ length: 200 }, (_, i) => FIRST_PERSON_ID + i));
    expect(auctions.map((a) => a.id)).toEqual(Array.from({ length: 600 }, (_, i) => FIRST_AUCTION_ID + i));
  });

  it('advances event time at the configured rate', () => {
    const g = new NexmarkGenerator({ eventsPerSecond: 1000, baseTime: 5_000 });
    const events = take(g, 3000);
    const time = (e: NexmarkEvent): number => (e.kind === 'bid' ? e.bid.dateTime : e.kind === 'auction' ? e.auction.dateTime : e.person.dateTime);
    // 1000 events per second: event n at 5000 + n ms.
    events.forEach((e, n) => expect(time(e)).toBe(5_000 + n));
    // The reference rate, 10M events per second: event 20,000,004 (a bid) at 2 s.
    const fast = new NexmarkGenerator({ eventsPerSecond: 10_000_000, baseTime: 0 });
    expect(fast.timeOf(20_000_004)).toBe(2000);
    expect(fast.timeOf(19_999_999)).toBe(1999);
  });

  it('sends about half the bids to the hot auction and 3 in 4 to the hot bidder, the rest to auctions in flight', () => {
    const g = new NexmarkGenerator({ seed: 3 });
    let bids = 0;
    let hotAuction = 0;
    let hotBidder = 0;
    let maxAuction = FIRST_AUCTION_ID - 1;
    let maxPerson = FIRST_PERSON_ID - 1;
    let outOfFlight = 0;
    for (let n = 0; n < 500_000; n++) {
      const e = g.next();
      if (e.kind === 'auction') maxAuction = e.auction.id;
      else if (e.kind === 'person') maxPerson = e.person.id;
      else {
        const b: Bid = e.bid;
        bids++;
        // The hot auction: the newest auction's id rounded down to an even 0-based index.
        const hot = FIRST_AUCTION_ID + Math.floor((maxAuction - FIRST_AUCTION_ID) / 2) * 2;
        if (b.auction === hot) hotAuction++;
        if (b.bidder === FIRST_PERSON_ID + Math.floor((maxPerson - FIRST_PERSON_ID) / 4) * 4 + 1) hotBidder++;
        // In flight: at most 100 behind the newest auction, at most 10 ahead.
        if (b.auction < Math.max(FIRST_AUCTION_ID, maxAuction - 100) || b.auction > maxAuction + 10) outOfFlight++;
      }
    }
    expect(bids).toBe(460_000);
    expect(outOfFlight).toBe(0);
    // 1/2 directly, plus the in-flight draws that land on it (about 1/111 of the other half).
    expect(hotAuction / bids).toBeGreaterThan(0.49);
    expect(hotAuction / bids).toBeLessThan(0.52);
    expect(hotBidder / bids).toBeGreaterThan(0.74);
    expect(hotBidder / bids).toBeLessThan(0.76);
  });

  it('draws prices as round(10^(6u) * 100): from 100 to 10^8, log-uniform (median about 10^5)', () => {
    const g = new NexmarkGenerator({ seed: 11 });
    const prices: number[] = [];
    for (let i = 0; i < 100_000; i++) prices.push(g.nextBid().price);
    prices.sort((a, b) => a - b);
    expect(prices[0]).toBeGreaterThanOrEqual(100);
    expect(prices.at(-1)!).toBeLessThanOrEqual(100_000_000);
    expect(prices.every(Number.isInteger)).toBe(true);
    const median = prices[50_000];
    expect(median).toBeGreaterThan(10 ** 4.9 * 100 / 100);
    expect(median).toBeLessThan(10 ** 5.1);
    // A sixth of the draws per decade: about 1/6 below 1000.
    const belowThousand = prices.filter((p) => p < 1000).length / prices.length;
    expect(belowThousand).toBeGreaterThan(0.15);
    expect(belowThousand).toBeLessThan(0.18);
  });
});
