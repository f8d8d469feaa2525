/** The login throttle on a fake clock: free attempts, doubling locks, cap, window, reset on success. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryThrottleStore, Throttle } from "../../src/core/throttle.js";

test("free failures, then locks that double up to the cap; success clears; the window forgets", async () => {
  let now = 0;
  const t = new Throttle({ free: 3, windowMs: 60_000, baseLockMs: 1000, maxLockMs: 4000 }, new MemoryThrottleStore(), () => now);
  assert.deepEqual([await t.fail("k"), await t.fail("k")], [0, 0]);
  assert.equal(await t.waitMs("k"), 0);
  assert.equal(await t.fail("k"), 1000);
  assert.equal(await t.waitMs("k"), 1000);
  assert.equal(await t.waitMs("other"), 0, "keys are independent");
  now += 1000;
  assert.equal(await t.waitMs("k"), 0, "the lock runs out");
  assert.deepEqual([await t.fail("k"), await t.fail("k"), await t.fail("k")], [2000, 4000, 4000], "doubling, capped");
  await t.succeed("k");
  assert.equal(await t.waitMs("k"), 0);
  await t.fail("w");
  await t.fail("w");
  now += 61_000;
  assert.equal(await t.fail("w"), 0, "failures outside the window are forgotten");
});

test("memory stays bounded: expired entries are pruned when the store is full", async () => {
  let now = 0;
  const store = new MemoryThrottleStore(100);
  const t = new Throttle({ free: 2, windowMs: 1000, baseLockMs: 10, maxLockMs: 10 }, store, () => now);
  for (let i = 0; i < 100; i++) await t.fail(`a${i}`);
  now += 5000;
  await t.fail("fresh");
  assert.equal(store.size, 1);
});
