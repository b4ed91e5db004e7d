// A large made-up library for the test backend (`?generate=100000` on the test page): every
// session plays the events of one template recording, but each has its own id, time, user,
// client, figures and pages, so the feed, search and filters have something to chew on.
// Deterministic: session `i` is the same on every run (its time counts back from `now`).

import type { ClientInfo, SessionSummary } from "../bindings";
import type { StoredSession } from "./test-backend";

const BROWSERS = ["Chrome", "Firefox", "Safari", "Edge", "Mobile Safari"];
const OSES = ["Windows", "macOS", "Linux", "iOS", "Android"];
const DEVICES = ["Desktop", "Desktop", "Mobile", "Tablet"];
const COUNTRIES = ["US", "DE", "FR", "GB", "JP", "BR", "IN"];
const NAMES = ["Ada", "Grace", "Linus", "Margaret", "Alan", "Edsger", "Barbara", "Ken"];
const PAGES = ["/", "/pricing", "/checkout", "/cart", "/docs/getting-started", "/account"];

/** Minutes between generated sessions, newest first. */
export const GENERATED_SPACING_MS = 7 * 60_000;

/** The id of generated session `i`: sorted by recency, row `i` of the feed. */
export function generatedId(i: number): string {
  return `gen-${String(i).padStart(6, "0")}`;
}

export function generateSessions(n: number, template: StoredSession, now: number): StoredSession[] {
  const out: StoredSession[] = [];
  const clients: ClientInfo[] = BROWSERS.map((browser, b) => ({
    ...template.summary.client,
    browser,
    os: OSES[b],
    deviceType: DEVICES[b % DEVICES.length],
  }));
  for (let i = 0; i < n; i++) {
    const t = template.summary;
    const u = i % 997;
    const name = NAMES[u % NAMES.length];
    const page = PAGES[i % PAGES.length];
    const url = `https://shop.example.test${page}`;
    const errors = i % 7 === 0 ? (i % 5) + 1 : 0;
    const rage = i % 11 === 0 ? 1 + (i % 3) : 0;
    const dead = i % 13 === 0 ? 1 : 0;
    const durationMs = 20_000 + ((i * 7919) % 1_800_000);
    const summary: SessionSummary = {
      ...t,
      id: generatedId(i),
      source: `/recordings/generated/${generatedId(i)}.json`,
      startedAt: now - 60_000 - i * GENERATED_SPACING_MS,
      durationMs,
      firstUrl: url,
      urlCount: 1 + (i % 4),
      user:
        i % 9 === 0
          ? { id: null, name: null, email: null }
          : {
              id: `u-${String(u).padStart(5, "0")}`,
              name: `${name} ${u}`,
              email: `${name.toLowerCase()}.${u}@example.com`,
            },
      client: { ...clients[i % clients.length], country: COUNTRIES[i % COUNTRIES.length] },
      insights: {
        ...t.insights,
        pageCount: 1 + (i % 4),
        errors,
        exceptions: errors > 0 ? 1 : 0,
        rageClicks: rage,
        deadClicks: dead,
        activeMs: Math.round(durationMs * (0.3 + (i % 7) / 10)),
        inactiveMs: Math.round(durationMs * (0.7 - (i % 7) / 10)),
        frustrationScore: Math.min(99, errors * 9 + rage * 15 + dead * 10),
      },
      sourceUrl: null,
      sourceFolder: "/recordings/generated",
      missing: false,
      tags: i % 50 === 0 ? ["sampled"] : [],
      commentCount: 0,
    };
    out.push({
      ...template,
      summary,
      urls: [{ at: template.urls[0]?.at ?? t.startedAt, url, window: 0 }],
      comments: [],
      rev: 0,
    });
  }
  return out;
}
