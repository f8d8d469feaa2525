/** The login throttle on a fake clock: free attempts, doubling locks, cap, window, reset on success. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Throttle } from "../../src/core/throttle.js";

test("free failures, then locks that double up to the cap; success clears; the window forgets", () => {
  let now = 0;
  const t = new Throttle({ free: 3, windowMs: 60_000, baseLockMs: 1000, maxLockMs: 4000 }, () => now);
  assert.deepEqual([t.fail("k"), t.fail("k")], [0, 0]);
  assert.equal(t.waitMs("k"), 0);
  assert.equal(t.fail("k"), 1000);
  assert.equal(t.waitMs("k"), 1000);
  assert.equal(t.waitMs("other"), 0, "keys are independent");
  now += 1000;
  assert.equal(t.waitMs("k"), 0, "the lock runs out");
  assert.deepEqual([t.fail("k"), t.fail("k"), t.fail("k")], [2000, 4000, 4000], "doubling, capped");
  t.succeed("k");
  assert.equal(t.waitMs("k"), 0);
  t.fail("w");
  t.fail("w");
  now += 61_000;
  assert.equal(t.fail("w"), 0, "failures outside the window are forgotten");
});

test("memory stays bounded: expired entries are pruned when the map is full", () => {
  let now = 0;
  const t = new Throttle({ free: 2, windowMs: 1000, baseLockMs: 10, maxLockMs: 10, maxKeys: 100 }, () => now);
  for (let i = 0; i < 100; i++) t.fail(`a${i}`);
  now += 5000;
  t.fail("fresh");
  assert.equal((t as unknown as { entries: Map<string, unknown> }).entries.size, 1);
});
