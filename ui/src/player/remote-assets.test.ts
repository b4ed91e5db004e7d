import { describe, expect, test } from "vitest";
import type { eventWithTime } from "rrweb";
import { RemoteAssetRewriter, rewriteCss, rewriteSrcset, rewriteUrl } from "./remote-assets";

const P = (u: string) => `remote-asset://localhost/g/${encodeURIComponent(u)}`;
const BASE = "https://shop.example.test/cart/index.html";

describe("rewriteUrl", () => {
  test("http(s) URLs are proxied, relative ones resolved against the page first", () => {
    expect(rewriteUrl("https://cdn.example.test/a.png", BASE, P)).toBe(
      P("https://cdn.example.test/a.png"),
    );
    expect(rewriteUrl("http://cdn.example.test/a.png?x=1", null, P)).toBe(
      P("http://cdn.example.test/a.png?x=1"),
    );
    expect(rewriteUrl("img/a.png", BASE, P)).toBe(P("https://shop.example.test/cart/img/a.png"));
    expect(rewriteUrl("/a.png", BASE, P)).toBe(P("https://shop.example.test/a.png"));
    expect(rewriteUrl("//cdn.example.test/a.png", BASE, P)).toBe(
      P("https://cdn.example.test/a.png"),
    );
    expect(rewriteUrl("  https://cdn.example.test/a.png ", BASE, P)).toBe(
      P("https://cdn.example.test/a.png"),
    );
  });

  test("data:, blob:, javascript:, fragments and unresolvable URLs are left alone", () => {
    for (const url of [
      "javascript:alert(1)",
      " JavaScript:alert(1)",
      "data:image/png;base64,AAAA",
      "blob:https://shop.example.test/1234",
      "about:blank",
      "mailto:a@example.test",
      "file:///etc/passwd",
      "#gradient",
      "",
      "   ",
    ]) {
      expect(rewriteUrl(url, BASE, P)).toBe(url);
    }
    expect(rewriteUrl("img/a.png", null, P)).toBe("img/a.png");
  });
});

describe("rewriteCss", () => {
  test("url(...) in every quoting, and @import", () => {
    const css =
      `body{background:url(https://cdn.example.test/bg.png) no-repeat}` +
      `.a{background-image:url( "img/a.png" )}` +
      `.b{background-image:url('/b.png')}` +
      `@import "https://cdn.example.test/more.css";` +
      `@import url(https://cdn.example.test/other.css) screen;` +
      `@font-face{font-family:X;src:url(https://fonts.example.test/x.woff2) format("woff2")}`;
    expect(rewriteCss(css, BASE, P)).toBe(
      `body{background:url("${P("https://cdn.example.test/bg.png")}") no-repeat}` +
        `.a{background-image:url( "${P("https://shop.example.test/cart/img/a.png")}" )}` +
        `.b{background-image:url('${P("https://shop.example.test/b.png")}')}` +
        `@import "${P("https://cdn.example.test/more.css")}";` +
        `@import url("${P("https://cdn.example.test/other.css")}") screen;` +
        `@font-face{font-family:X;src:url("${P("https://fonts.example.test/x.woff2")}") format("woff2")}`,
    );
  });

  test("everything else in the CSS stays byte for byte", () => {
    const css =
      `.a{background:url(data:image/png;base64,AAAA)}` +
      `.b{fill:url(#grad)}` +
      `.c{background:url(javascript:alert(1))}` +
      `.d{content:"url is a word"; color: red}` +
      `.e{background:url("a\\"b.png")}`;
    expect(rewriteCss(css, BASE, P)).toBe(css);
    expect(rewriteCss("p { color: red }", BASE, P)).toBe("p { color: red }");
  });
});

describe("rewriteSrcset", () => {
  test("each candidate's URL, keeping descriptors and separators", () => {
    expect(rewriteSrcset("a.png 1x, https://cdn.example.test/b.png 2x", BASE, P)).toBe(
      `${P("https://shop.example.test/cart/a.png")} 1x, ${P("https://cdn.example.test/b.png")} 2x`,
    );
    expect(rewriteSrcset("a.png,  b.png 640w,c.png", BASE, P)).toBe(
      `${P("https://shop.example.test/cart/a.png")},  ${P("https://shop.example.test/cart/b.png")} 640w,${P("https://shop.example.test/cart/c.png")}`,
    );
    // A data: URL has commas of its own.
    const data = "data:image/png;base64,AAAA 1x, https://cdn.example.test/b.png 2x";
    expect(rewriteSrcset(data, BASE, P)).toBe(
      `data:image/png;base64,AAAA 1x, ${P("https://cdn.example.test/b.png")} 2x`,
    );
  });
});

// Serialized nodes as rrweb records them.
let nextId = 1;
const el = (
  tagName: string,
  attributes: Record<string, unknown> = {},
  childNodes: unknown[] = [],
) => ({
  type: 2,
  tagName,
  attributes,
  childNodes,
  id: nextId++,
});
const text = (textContent: string, isStyle = false) => ({
  type: 3,
  textContent,
  ...(isStyle ? { isStyle: true } : {}),
  id: nextId++,
});
const ev = (type: number, data: unknown, timestamp = 1000) =>
  ({ type, data, timestamp }) as unknown as eventWithTime;
const inc = (data: Record<string, unknown>, timestamp = 2000) => ev(3, data, timestamp);

/** Runs the rewriter over a deep copy, leaving `events` as the "before". */
function rewritten(events: eventWithTime[]): eventWithTime[] {
  return new RemoteAssetRewriter(P).rewrite(structuredClone(events));
}

describe("RemoteAssetRewriter", () => {
  test("a full snapshot: every asset URL, and nothing else", () => {
    nextId = 1;
    const cssText = `.hero{background:url(img/hero.jpg)}`;
    const snapshot = {
      type: 0,
      id: nextId++,
      childNodes: [
        { type: 1, name: "html", publicId: "", systemId: "", id: nextId++ },
        el("html", { lang: "en" }, [
          el("head", {}, [
            el("link", { rel: "stylesheet", href: "https://cdn.example.test/site.css" }),
            el("link", {
              rel: "stylesheet",
              href: "https://cdn.example.test/inlined.css",
              _cssText: cssText,
            }),
            el("link", { rel: "shortcut icon", href: "/favicon.ico" }),
            el("link", { rel: "preload", as: "font", href: "https://fonts.example.test/x.woff2" }),
            el("link", { rel: "preload", as: "script", href: "https://cdn.example.test/app.js" }),
            el("link", { rel: "canonical", href: "https://shop.example.test/cart" }),
            el("style", {}, [text(`@import "theme.css"; p{background:url(p.png)}`, true)]),
            el("style", { _cssText: `.x{background:url(https://cdn.example.test/x.png)}` }),
            el("script", { src: "https://cdn.example.test/app.js" }),
          ]),
          el("body", { background: "bg.gif" }, [
            el("img", {
              src: "https://cdn.example.test/a.png",
              srcset: "https://cdn.example.test/a.png 1x, a@2x.png 2x",
              alt: "url(https://cdn.example.test/not-css.png)",
            }),
            el("img", { src: "javascript:alert(1)" }),
            el("img", { src: "data:image/gif;base64,R0lGODlh" }),
            el("a", { href: "https://elsewhere.example.test/" }, [text("a link to url(x.png)")]),
            el("iframe", { src: "https://embed.example.test/" }),
            el("video", { poster: "poster.jpg", src: "movie.mp4" }, [
              el("source", { src: "https://media.example.test/movie.webm", type: "video/webm" }),
            ]),
            el("div", { style: "background-image:url('/tile.png'); color: red", title: "x" }),
            el("svg", {}, [el("image", { href: "https://cdn.example.test/i.svg" })]),
            el("p", {}, [text("body text with url(https://cdn.example.test/y.png)")]),
          ]),
        ]),
      ],
    };
    const events = [
      ev(4, { href: BASE, width: 1280, height: 720 }, 1000),
      ev(2, { node: snapshot, initialOffset: { left: 0, top: 0 } }, 1000),
    ];
    const out = rewritten(events);

    // The expected result: the input with exactly these values replaced.
    const expected = structuredClone(events);
    const root = (expected[1].data as { node: typeof snapshot }).node;
    const html = root.childNodes[1] as ReturnType<typeof el>;
    const [head, body] = html.childNodes as ReturnType<typeof el>[];
    const h = head.childNodes as ReturnType<typeof el>[];
    const b = body.childNodes as ReturnType<typeof el>[];
    h[0].attributes.href = P("https://cdn.example.test/site.css");
    h[1].attributes.href = P("https://cdn.example.test/inlined.css");
    h[1].attributes._cssText = `.hero{background:url("${P("https://shop.example.test/cart/img/hero.jpg")}")}`;
    h[2].attributes.href = P("https://shop.example.test/favicon.ico");
    h[3].attributes.href = P("https://fonts.example.test/x.woff2");
    (h[6].childNodes[0] as ReturnType<typeof text>).textContent =
      `@import "${P("https://shop.example.test/cart/theme.css")}"; ` +
      `p{background:url("${P("https://shop.example.test/cart/p.png")}")}`;
    h[7].attributes._cssText = `.x{background:url("${P("https://cdn.example.test/x.png")}")}`;
    body.attributes.background = P("https://shop.example.test/cart/bg.gif");
    b[0].attributes.src = P("https://cdn.example.test/a.png");
    b[0].attributes.srcset = `${P("https://cdn.example.test/a.png")} 1x, ${P("https://shop.example.test/cart/a@2x.png")} 2x`;
    const video = b[5];
    video.attributes.poster = P("https://shop.example.test/cart/poster.jpg");
    video.attributes.src = P("https://shop.example.test/cart/movie.mp4");
    (video.childNodes[0] as ReturnType<typeof el>).attributes.src = P(
      "https://media.example.test/movie.webm",
    );
    b[6].attributes.style = `background-image:url('${P("https://shop.example.test/tile.png")}'); color: red`;
    (b[7].childNodes[0] as ReturnType<typeof el>).attributes.href = P(
      "https://cdn.example.test/i.svg",
    );

    expect(out).toEqual(expected);
    // And the input really was different (the test would pass on a no-op otherwise).
    expect(out).not.toEqual(events);
  });

  test("mutations: added nodes, attribute changes and the text of style elements", () => {
    nextId = 1;
    const style = el("style", {}, [text("p{}", true)]);
    const styleText = style.childNodes[0] as ReturnType<typeof text>;
    const img = el("img", { src: "a.png" });
    const link = el("link", { rel: "stylesheet", href: "a.css" });
    const anchor = el("a", { href: "https://elsewhere.example.test/" });
    const para = el("p", {}, [text("old")]);
    const paraText = para.childNodes[0] as ReturnType<typeof text>;
    const body = el("body", {}, [style, img, link, anchor, para]);
    const snapshot = { type: 0, id: nextId++, childNodes: [el("html", {}, [el("head"), body])] };
    const addedStyle = el("style");
    const addedStyleText = text("div{background:url(added.png)}");
    const events = [
      ev(4, { href: BASE, width: 800, height: 600 }),
      ev(2, { node: snapshot, initialOffset: { left: 0, top: 0 } }),
      inc({
        source: 0,
        texts: [
          { id: styleText.id, value: "p{background:url(p.png)}" },
          { id: paraText.id, value: "see url(https://cdn.example.test/t.png)" },
        ],
        attributes: [
          { id: img.id, attributes: { src: "b.png", alt: "https://cdn.example.test/alt.png" } },
          { id: link.id, attributes: { href: "https://cdn.example.test/b.css" } },
          { id: anchor.id, attributes: { href: "https://elsewhere.example.test/2" } },
          {
            id: para.id,
            attributes: {
              style: {
                "background-image": "url(https://cdn.example.test/s.png)",
                border: ["url(/b.png) 30 round", "important"],
                color: false,
              },
            },
          },
          { id: 9999, attributes: { src: "https://cdn.example.test/unknown.png" } },
        ],
        removes: [{ parentId: body.id, id: anchor.id }],
        adds: [
          { parentId: body.id, nextId: null, node: el("img", { src: "//cdn.example.test/c.png" }) },
          { parentId: body.id, nextId: null, node: addedStyle },
          { parentId: addedStyle.id, nextId: null, node: addedStyleText },
          { parentId: body.id, nextId: null, node: el("a", { href: "/next" }) },
        ],
      }),
      inc({
        source: 0,
        texts: [{ id: addedStyleText.id, value: "i{background:url(i.png)}" }],
        attributes: [],
        removes: [],
        adds: [],
      }),
    ];
    const out = rewritten(events);

    const expected = structuredClone(events);
    const m = expected[2].data as {
      texts: { value: string }[];
      attributes: { attributes: Record<string, unknown> }[];
      adds: { node: ReturnType<typeof el> | ReturnType<typeof text> }[];
    };
    m.texts[0].value = `p{background:url("${P("https://shop.example.test/cart/p.png")}")}`;
    m.attributes[0].attributes.src = P("https://shop.example.test/cart/b.png");
    m.attributes[1].attributes.href = P("https://cdn.example.test/b.css");
    m.attributes[3].attributes.style = {
      "background-image": `url("${P("https://cdn.example.test/s.png")}")`,
      border: [`url("${P("https://shop.example.test/b.png")}") 30 round`, "important"],
      color: false,
    };
    (m.adds[0].node as ReturnType<typeof el>).attributes.src = P("https://cdn.example.test/c.png");
    (m.adds[2].node as ReturnType<typeof text>).textContent =
      `div{background:url("${P("https://shop.example.test/cart/added.png")}")}`;
    (expected[3].data as { texts: { value: string }[] }).texts[0].value =
      `i{background:url("${P("https://shop.example.test/cart/i.png")}")}`;
    // The snapshot's own URLs.
    const snap = (expected[1].data as { node: typeof snapshot }).node;
    const b = (snap.childNodes[0].childNodes[1] as ReturnType<typeof el>).childNodes as ReturnType<
      typeof el
    >[];
    b[1].attributes.src = P("https://shop.example.test/cart/a.png");
    b[2].attributes.href = P("https://shop.example.test/cart/a.css");

    expect(out).toEqual(expected);
  });

  test("stylesheet rules, adopted stylesheets, style declarations and fonts", () => {
    const events = [
      ev(4, { href: BASE, width: 800, height: 600 }),
      inc({
        source: 8,
        id: 5,
        adds: [{ rule: ".a{background:url(a.png)}", index: 0 }],
        removes: [{ index: 1 }],
      }),
      inc({ source: 8, styleId: 2, replace: "@import 'x.css'; .b{color:red}" }),
      inc({
        source: 8,
        styleId: 3,
        replaceSync: ".c{background:url(https://cdn.example.test/c.png)}",
      }),
      inc({
        source: 15,
        id: 1,
        styleIds: [2],
        styles: [{ styleId: 2, rules: [{ rule: ".d{background:url(/d.png)}" }, { rule: ".e{}" }] }],
      }),
      inc({
        source: 13,
        id: 5,
        index: [0],
        set: { property: "background", value: "url(e.png)", priority: "" },
      }),
      inc({ source: 13, id: 5, index: [0], remove: { property: "background" } }),
      inc({
        source: 10,
        family: "X",
        fontSource: 'url("https://fonts.example.test/x.woff2")',
        buffer: false,
      }),
      inc({ source: 10, family: "Y", fontSource: "[1,2,3]", buffer: true }),
    ];
    const out = rewritten(events);
    const expected = structuredClone(events);
    const d = (i: number) => expected[i].data as Record<string, any>;
    d(1).adds[0].rule = `.a{background:url("${P("https://shop.example.test/cart/a.png")}")}`;
    d(2).replace = `@import '${P("https://shop.example.test/cart/x.css")}'; .b{color:red}`;
    d(3).replaceSync = `.c{background:url("${P("https://cdn.example.test/c.png")}")}`;
    d(4).styles[0].rules[0].rule = `.d{background:url("${P("https://shop.example.test/d.png")}")}`;
    d(5).set.value = `url("${P("https://shop.example.test/cart/e.png")}")`;
    d(7).fontSource = `url("${P("https://fonts.example.test/x.woff2")}")`;
    expect(out).toEqual(expected);
  });

  test("relative URLs follow the page of the latest Meta event", () => {
    nextId = 1;
    const page = (src: string) => ({
      type: 0,
      id: nextId++,
      childNodes: [el("html", {}, [el("body", {}, [el("img", { src })])])],
    });
    const out = new RemoteAssetRewriter(P).rewrite([
      ev(4, { href: "https://a.example.test/one/", width: 1, height: 1 }),
      ev(2, { node: page("x.png"), initialOffset: { left: 0, top: 0 } }),
      ev(4, { href: "https://b.example.test/two/", width: 1, height: 1 }),
      ev(2, { node: page("x.png"), initialOffset: { left: 0, top: 0 } }),
    ]);
    const src = (i: number) =>
      (out[i].data as any).node.childNodes[0].childNodes[0].childNodes[0].attributes.src;
    expect(src(1)).toBe(P("https://a.example.test/one/x.png"));
    expect(src(3)).toBe(P("https://b.example.test/two/x.png"));
  });

  test("events that carry no page assets are not touched", () => {
    const events = [
      ev(4, { href: BASE, width: 800, height: 600 }),
      ev(5, { tag: "nav", payload: { href: "https://cdn.example.test/a.png" } }),
      ev(6, { plugin: "rrweb/console@1", payload: { level: "log", payload: ['"url(a.png)"'] } }),
      inc({ source: 1, positions: [{ x: 1, y: 2, id: 3, timeOffset: 0 }] }),
      inc({ source: 5, id: 3, text: "https://cdn.example.test/a.png", isChecked: false }),
      inc({
        source: 0,
        texts: [{ id: 77, value: "url(a.png)" }],
        attributes: [],
        removes: [],
        adds: [],
      }),
    ];
    expect(rewritten(events)).toEqual(events);
  });
});
