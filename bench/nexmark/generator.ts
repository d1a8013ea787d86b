/**
 * Deterministic Nexmark event generator (the model of the reference generator, see
 * /work/shared/nexmark/README.md), written for Streamwright's benchmarks.
 *
 * Events are numbered 0, 1, 2, ...; event n is a person when n % 50 == 0, an auction when
 * n % 50 is 1..3, otherwise a bid (mix 1 : 3 : 46). Event n happens at
 * baseTime + floor(n * 1000 / eventsPerSecond) (in order, no out-of-order option). Ids are
 * sequential per kind (persons and auctions start at 1000). A bid goes half of the time to the
 * current hot auction (the newest auction rounded down to a multiple of hotAuctionRatio = 2), else
 * to one of the ~100 auctions in flight (or up to 10 ids ahead, which do not exist yet, as in the
 * reference); its bidder is the hot bidder 3 times in 4 (hotBiddersRatio = 4), else one of the
 * 1,000 active people. Sellers are hot 3 times in 4 (hotSellersRatio = 4). Prices are
 * round(10^(6u) * 100) for uniform u in [0, 1).
 *
 * Objects are plain records with the same shape each time (no pooling or reuse): what a
 * deserializer would hand the engine. Strings come from small fixed pools, so a bid's payload
 * is its numbers (the reference's `url` and `extra` padding is left out: nothing here is
 * serialized).
 */

export interface Person {
  readonly id: number;
  readonly name: string;
  readonly emailAddress: string;
  readonly creditCard: string;
  readonly city: string;
  readonly state: string;
  readonly dateTime: number;
}

export interface Auction {
  readonly id: number;
  readonly itemName: string;
  readonly initialBid: number;
  readonly reserve: number;
  readonly dateTime: number;
  readonly expires: number;
  readonly seller: number;
  readonly category: number;
}

export interface Bid {
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
  readonly channel: string;
  readonly dateTime: number;
}

export type NexmarkEvent = { readonly kind: 'person'; readonly person: Person } | { readonly kind: 'auction'; readonly auction: Auction } | { readonly kind: 'bid'; readonly bid: Bid };

export interface NexmarkConfig {
  readonly seed: number;
  /** Event time advances by 1000 / eventsPerSecond ms per event (all kinds counted). */
  readonly eventsPerSecond: number;
  /** Event time of event 0, epoch ms. */
  readonly baseTime: number;
  readonly numInFlightAuctions: number;
  readonly numActivePeople: number;
  readonly hotAuctionRatio: number;
  readonly hotBiddersRatio: number;
  readonly hotSellersRatio: number;
}

export const DEFAULT_NEXMARK_CONFIG: NexmarkConfig = {
  seed: 42,
  eventsPerSecond: 100_000,
  baseTime: 1_700_000_000_000,
  numInFlightAuctions: 100,
  numActivePeople: 1000,
  hotAuctionRatio: 2,
  hotBiddersRatio: 4,
  hotSellersRatio: 4,
};

export const FIRST_PERSON_ID = 1000;
export const FIRST_AUCTION_ID = 1000;
export const FIRST_CATEGORY_ID = 10;
const PROPORTION_DENOMINATOR = 50;
const PERSON_PROPORTION = 1;
const AUCTION_PROPORTION = 3;
/** Bids and sellers may name ids this far past the newest one (not yet created). */
const ID_LEAD = 10;

export const CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'];
const FIRST_NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'];
const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];
const CITIES = ['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne'];
const STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];
export const ITEMS = ['lamp', 'chair', 'bicycle', 'camera', 'guitar', 'watch', 'vase', 'desk'];

/** Which kind event number n is. */
export function eventKind(n: number): 'person' | 'auction' | 'bid' {
  const r = n % PROPORTION_DENOMINATOR;
  return r < PERSON_PROPORTION ? 'person' : r < PERSON_PROPORTION + AUCTION_PROPORTION ? 'auction' : 'bid';
}

/** 0-based id of the newest person created at or before event n. */
export function lastPersonIndex(n: number): number {
  return Math.floor(n / PROPORTION_DENOMINATOR);
}

/** 0-based id of the newest auction created at or before event n (-1 before the first). */
export function lastAuctionIndex(n: number): number {
  const epoch = Math.floor(n / PROPORTION_DENOMINATOR);
  const r = n % PROPORTION_DENOMINATOR;
  if (r < PERSON_PROPORTION) return epoch * AUCTION_PROPORTION - 1;
  if (r < PERSON_PROPORTION + AUCTION_PROPORTION) return epoch * AUCTION_PROPORTION + r - PERSON_PROPORTION;
  return epoch * AUCTION_PROPORTION + AUCTION_PROPORTION - 1;
}

export class NexmarkGenerator {
  readonly config: NexmarkConfig;
  private state: number;
  /** Number of the next event. */
  private n = 0;

  constructor(config: Partial<NexmarkConfig> = {}) {
    this.config = { ...DEFAULT_NEXMARK_CONFIG, ...config };
    if (!(this.config.eventsPerSecond > 0)) throw new RangeError(`eventsPerSecond must be > 0, got ${this.config.eventsPerSecond}`);
    this.state = this.config.seed >>> 0;
  }

  /** Number of events generated so far. */
  get eventCount(): number {
    return this.n;
  }

  /** Event time of event n. */
  timeOf(n: number): number {
    return this.config.baseTime + Math.floor((n * 1000) / this.config.eventsPerSecond);
  }

  /** Uniform in [0, 1), mulberry32 over a 32-bit state. */
  private random(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  private int(bound: number): number {
    return Math.floor(this.random() * bound);
  }

  private price(): number {
    return Math.round(10 ** (6 * this.random()) * 100);
  }

  /** A person among the active ones (or a little ahead), 0-based. */
  private activePerson(n: number): number {
    const people = lastPersonIndex(n) + 1;
    const active = Math.min(people, this.config.numActivePeople);
    return people - active + this.int(active + ID_LEAD);
  }

  /** The next event. */
  next(): NexmarkEvent {
    const n = this.n;
    const kind = eventKind(n);
    if (kind === 'bid') return { kind, bid: this.bidAt(n) };
    if (kind === 'auction') return { kind, auction: this.auctionAt(n) };
    return { kind, person: this.personAt(n) };
  }

  /** Skips to the next bid event and returns it (persons and auctions in between are drawn and dropped). */
  nextBid(): Bid {
    for (;;) {
      const e = this.next();
      if (e.kind === 'bid') return e.bid;
    }
  }

  private bidAt(n: number): Bid {
    this.n = n + 1;
    const cfg = this.config;
    const lastAuction = Math.max(0, lastAuctionIndex(n));
    let auction: number;
    if (this.int(cfg.hotAuctionRatio) > 0) auction = Math.floor(lastAuction / cfg.hotAuctionRatio) * cfg.hotAuctionRatio;
    else {
      const min = Math.max(lastAuction - cfg.numInFlightAuctions, 0);
      auction = min + this.int(lastAuction - min + 1 + ID_LEAD);
    }
    const bidder = this.int(cfg.hotBiddersRatio) > 0 ? Math.floor(lastPersonIndex(n) / cfg.hotBiddersRatio) * cfg.hotBiddersRatio + 1 : this.activePerson(n);
    return { auction: auction + FIRST_AUCTION_ID, bidder: bidder + FIRST_PERSON_ID, price: this.price(), channel: CHANNELS[this.int(CHANNELS.length)], dateTime: this.timeOf(n) };
  }

  private auctionAt(n: number): Auction {
    this.n = n + 1;
    const cfg = this.config;
    const id = lastAuctionIndex(n) + FIRST_AUCTION_ID;
    const seller = this.int(cfg.hotSellersRatio) > 0 ? Math.floor(lastPersonIndex(n) / cfg.hotSellersRatio) * cfg.hotSellersRatio : this.activePerson(n);
    const initialBid = this.price();
    const dateTime = this.timeOf(n);
    // Auctions last long enough that about numInFlightAuctions are open at once (on average).
    const eventsPerAuction = PROPORTION_DENOMINATOR / AUCTION_PROPORTION;
    const horizonMs = (cfg.numInFlightAuctions * eventsPerAuction * 1000) / cfg.eventsPerSecond;
    return {
      id,
      itemName: ITEMS[this.int(ITEMS.length)],
      initialBid,
      reserve: initialBid + this.price(),
      dateTime,
      expires: dateTime + 1 + Math.floor(this.random() * 2 * horizonMs),
      seller: seller + FIRST_PERSON_ID,
      category: FIRST_CATEGORY_ID + this.int(5),
    };
  }

  private personAt(n: number): Person {
    this.n = n + 1;
    const id = lastPersonIndex(n) + FIRST_PERSON_ID;
    const first = FIRST_NAMES[this.int(FIRST_NAMES.length)];
    return {
      id,
      name: `${first} ${LAST_NAMES[this.int(LAST_NAMES.length)]}`,
      emailAddress: `${first.toLowerCase()}${id}@example.com`,
      creditCard: `${1000 + this.int(9000)} ${1000 + this.int(9000)} ${1000 + this.int(9000)} ${1000 + this.int(9000)}`,
      city: CITIES[this.int(CITIES.length)],
      state: STATES[this.int(STATES.length)],
      dateTime: this.timeOf(n),
    };
  }
}
