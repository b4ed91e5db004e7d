import { describe, expect, test } from "vitest";
import { BackendError, unwrap } from "./backend";

describe("unwrap", () => {
  test("returns the data of an ok result", () => {
    expect(unwrap({ status: "ok", data: [1, 2] })).toEqual([1, 2]);
  });

  test("throws an error result as a BackendError with its code and message", () => {
    const run = () =>
      unwrap({
        status: "error",
        error: { code: "not_json", message: "a.json: not JSON: expected value at line 1" },
      });
    expect(run).toThrow(BackendError);
    try {
      run();
    } catch (e) {
      expect(e).toBeInstanceOf(Error);
      expect((e as BackendError).code).toBe("not_json");
      expect((e as BackendError).message).toBe("a.json: not JSON: expected value at line 1");
    }
  });
});

describe("BackendError.from", () => {
  test("keeps an AppError's code", () => {
    const e = BackendError.from({ code: "io", message: "x: cannot read the file" });
    expect([e.code, e.message]).toEqual(["io", "x: cannot read the file"]);
  });

  test("wraps strings and Errors as internal", () => {
    expect(BackendError.from("command chunk_events not found").code).toBe("internal");
    expect(BackendError.from(new TypeError("boom")).message).toBe("boom");
  });

  test("passes a BackendError through unchanged", () => {
    const original = new BackendError("storage", "damaged");
    expect(BackendError.from(original)).toBe(original);
  });

  test("describes anything else", () => {
    const e = BackendError.from({ weird: true });
    expect(e.code).toBe("internal");
    expect(e.message).toContain('{"weird":true}');
  });
});
