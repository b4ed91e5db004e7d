import { expect, test } from "vitest";
import { fitToStage } from "./fit";

test("a page larger than the stage shrinks to fit, centred on the free axis", () => {
  const fit = fitToStage({ width: 800, height: 600 }, { width: 1600, height: 900 });
  expect(fit.scale).toBe(0.5);
  expect(fit.left).toBe(0);
  expect(fit.top).toBe((600 - 450) / 2);
});

test("the tighter axis decides", () => {
  const fit = fitToStage({ width: 1000, height: 400 }, { width: 1000, height: 800 });
  expect(fit.scale).toBe(0.5);
  expect(fit.left).toBe(250);
  expect(fit.top).toBe(0);
});

test("a page smaller than the stage keeps its size", () => {
  const fit = fitToStage({ width: 1000, height: 800 }, { width: 400, height: 300 });
  expect(fit).toEqual({ scale: 1, left: 300, top: 250 });
});

test("the aspect ratio is preserved", () => {
  const page = { width: 1366, height: 768 };
  const fit = fitToStage({ width: 917, height: 611 }, page);
  const w = page.width * fit.scale;
  const h = page.height * fit.scale;
  expect(w).toBeLessThanOrEqual(917 + 1e-9);
  expect(h).toBeLessThanOrEqual(611 + 1e-9);
  expect(w / h).toBeCloseTo(page.width / page.height, 10);
});

test("degenerate sizes do not divide by zero", () => {
  expect(fitToStage({ width: 0, height: 0 }, { width: 100, height: 100 })).toEqual({
    scale: 1,
    left: 0,
    top: 0,
  });
  expect(fitToStage({ width: 100, height: 100 }, { width: 0, height: 50 }).scale).toBe(1);
});
