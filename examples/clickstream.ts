/**
 * A stateless clickstream pipeline: drop bot traffic, branch by action, re-key clicks by page.
 *
 *   clicks (key: session id, value: ClickEvent JSON)
 *     -> filterNot(bot)
 *     -> split: purchase -> purchases (re-keyed by user)
 *               click    -> clicks-by-page (re-keyed by page)
 *               default  -> page-views
 *
 * Run it with `npm start`, or `npx tsx src/cli/main.ts run examples/clickstream.ts`.
 */
import { Serdes, StreamsBuilder, TimestampExtractors, type Topology } from '../src/index.js';

export interface ClickEvent {
  readonly user: string;
  readonly page: string;
  readonly action: 'view' | 'click' | 'purchase';
  readonly amount?: number;
  readonly userAgent: string;
  readonly ts: number;
}

export const INPUT_TOPIC = 'clicks';
export const OUTPUT_TOPICS = ['purchases', 'clicks-by-page', 'page-views'] as const;

export const config = {
  'application.id': 'clickstream',
  'commit.interval.ms': 1000,
};

export function buildTopology(): Topology {
  const builder = new StreamsBuilder();
  const events = builder
    .stream(INPUT_TOPIC, { keySerde: Serdes.String(), valueSerde: Serdes.Json<ClickEvent>(), timestampExtractor: TimestampExtractors.field('ts') })
    .filterNot((_session, e) => /bot|crawler|spider/i.test(e.userAgent), { name: 'drop-bots' });

  const branches = events
    .split({ name: 'by-action-' })
    .branch((_k, e) => e.action === 'purchase', { name: 'purchase' })
    .branch((_k, e) => e.action === 'click', { name: 'click' })
    .defaultBranch({ name: 'view' });

  branches
    .get('by-action-purchase')!
    .selectKey((_k, e) => e.user, { name: 'key-by-user' })
    .mapValues((e) => ({ user: e.user, page: e.page, amount: e.amount ?? 0, ts: e.ts }))
    .to('purchases', { keySerde: Serdes.String(), valueSerde: Serdes.Json() });

  branches
    .get('by-action-click')!
    .selectKey((_k, e) => e.page, { name: 'key-by-page' })
    .to('clicks-by-page', { keySerde: Serdes.String(), valueSerde: Serdes.Json<ClickEvent>() });

  branches.get('by-action-view')!.to('page-views', { keySerde: Serdes.String(), valueSerde: Serdes.Json<ClickEvent>() });
  return builder.build();
}

const USERS = ['ada', 'grace', 'linus', 'margaret', 'ken', 'barbara'];
const PAGES = ['/', '/pricing', '/docs', '/blog', '/checkout'];
const AGENTS = ['Mozilla/5.0 (X11; Linux)', 'Mozilla/5.0 (Macintosh)', 'Googlebot/2.1', 'curl/8.0'];

/** Deterministic click events (a small linear congruential generator, so runs are repeatable). */
export function* generateClicks(count: number, startTs: number, seed = 42): Generator<{ key: string; value: ClickEvent }> {
  let s = seed >>> 0;
  const next = (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
  for (let i = 0; i < count; i++) {
    const r = next(100);
    const action = r < 10 ? 'purchase' : r < 45 ? 'click' : 'view';
    const user = USERS[next(USERS.length)];
    const value: ClickEvent = {
      user,
      page: PAGES[next(PAGES.length)],
      action,
      amount: action === 'purchase' ? 5 + next(200) : undefined,
      userAgent: AGENTS[next(AGENTS.length)],
      ts: startTs + i * 10,
    };
    yield { key: `session-${user}-${next(3)}`, value };
  }
}
