import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Simulation } from "./simulation.js";
import { ms, s } from "./time.js";

describe("Simulation", () => {
  it("fires events at the same time in insertion order", () => {
    const sim = new Simulation();
    const order: number[] = [];
    for (let i = 0; i < 100; i++) sim.schedule(s(1), (x) => order.push(x), i);
    sim.schedule(0, (x) => order.push(x), -1);
    sim.run();
    expect(order).toEqual([-1, ...Array.from({ length: 100 }, (_, i) => i)]);
  });

  it("orders by time, then by insertion, for events scheduled from handlers", () => {
    const sim = new Simulation();
    const seen: string[] = [];
    sim.schedule(ms(10), () => {
      seen.push("a@10");
      sim.after(0, () => seen.push("c@10 (scheduled by a)"));
    });
    sim.schedule(ms(10), () => seen.push("b@10"));
    sim.schedule(ms(5), () => seen.push("d@5"));
    sim.run();
    expect(seen).toEqual(["d@5", "a@10", "b@10", "c@10 (scheduled by a)"]);
  });

  it("cancels pending events and refuses to cancel fired or cancelled ones", () => {
    const sim = new Simulation();
    const fired: number[] = [];
    const a = sim.scheduleCancellable(s(1), (x) => fired.push(x), 1);
    const b = sim.afterCancellable(s(2), (x) => fired.push(x), 2);
    sim.schedule(s(3), (x) => fired.push(x), 3);
    expect(sim.pending).toBe(3);
    expect(sim.cancel(b)).toBe(true);
    expect(sim.cancel(b)).toBe(false);
    expect(sim.pending).toBe(2);
    sim.run({ until: s(1) });
    expect(sim.cancel(a)).toBe(false);
    sim.run();
    expect(fired).toEqual([1, 3]);
    expect(sim.eventsProcessed).toBe(2);
    expect(sim.pending).toBe(0);
  });

  it("a recycled slot does not make an old id cancel the new event", () => {
    const sim = new Simulation();
    const fired: number[] = [];
    const old = sim.scheduleCancellable(1, () => fired.push(1));
    sim.run();
    sim.schedule(2, () => fired.push(2));
    expect(sim.cancel(old)).toBe(false);
    sim.run();
    expect(fired).toEqual([1, 2]);
  });

  it("run({until}) processes events up to and including until, then sets now = until", () => {
    const sim = new Simulation();
    const fired: number[] = [];
    for (const t of [s(1), s(2), s(3)]) sim.schedule(t, (x) => fired.push(x), t);
    const r = sim.run({ until: s(2) });
    expect(fired).toEqual([s(1), s(2)]);
    expect(sim.now).toBe(s(2));
    expect(r.drained).toBe(false);
    sim.run({ until: s(2.5) });
    expect(sim.now).toBe(s(2.5));
    // scheduling between now and the next pending event still fires first
    sim.schedule(s(2.6), (x) => fired.push(x), -1);
    expect(sim.run().drained).toBe(true);
    expect(fired).toEqual([s(1), s(2), -1, s(3)]);
  });

  it("refuses to schedule in the past and to run backwards", () => {
    const sim = new Simulation();
    sim.run({ until: s(5) });
    expect(() => sim.schedule(s(4), () => {})).toThrow(/must be a finite time >= now/);
    expect(() => sim.schedule(Number.NaN, () => {})).toThrow(RangeError);
    expect(() => sim.run({ until: s(1) })).toThrow(/before now/);
  });

  it("stop() ends the run after the current handler", () => {
    const sim = new Simulation();
    let n = 0;
    const tick = (): void => {
      if (++n === 10) sim.stop();
      sim.after(ms(1), tick);
    };
    sim.schedule(0, tick);
    sim.run();
    expect(n).toBe(10);
    expect(sim.now).toBe(ms(9));
    expect(sim.pending).toBe(1);
  });

  it("reports progress every N events", () => {
    const sim = new Simulation();
    for (let i = 0; i < 1000; i++) sim.schedule(i, () => {});
    const seen: number[] = [];
    sim.run({ onProgress: (t) => seen.push(t), progressEvery: 250 });
    expect(seen).toEqual([249, 499, 749, 999]);
  });

  /**
   * Property: whatever the mix of delays (bursts at one instant, microsecond gaps, hours-away timers), cancels and
   * interrupted runs, events fire in exactly (time, insertion) order, as a sorted reference list says.
   */
  it("fires every event in (time, seq) order under random workloads (property)", () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant("schedule" as const),
        delay: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 5_000_000 }), fc.integer({ min: 0, max: 4e9 })),
        children: fc.integer({ min: 0, max: 3 }),
      }),
      fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant("run" as const), span: fc.integer({ min: 0, max: 3_000_000 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 400 }), fc.integer({ min: 0, max: 2 ** 31 }), (ops, childSeed) => {
        const sim = new Simulation(16);
        interface Ref {
          t: number;
          seq: number;
          cancelled: boolean;
          fired: boolean;
          id: number;
        }
        const ref: Ref[] = [];
        const fired: number[] = [];
        let rngState = childSeed;
        const nextChild = (): number => {
          rngState = (rngState * 1103515245 + 12345) % 2147483648;
          return rngState % 1000;
        };
        const add = (t: number, children: number): void => {
          const r: Ref = { t, seq: ref.length, cancelled: false, fired: false, id: 0 };
          ref.push(r);
          r.id = sim.scheduleCancellable(
            t,
            (i) => {
              fired.push(i);
              ref[i].fired = true;
              for (let c = 0; c < children; c++) add(sim.now + nextChild(), 0);
            },
            r.seq,
          );
        };
        for (const o of ops) {
          if (o.kind === "schedule") add(sim.now + o.delay, o.children);
          else if (o.kind === "cancel" && ref.length > 0) {
            const r = ref[o.pick % ref.length];
            const ok = sim.cancel(r.id);
            expect(ok).toBe(!r.fired && !r.cancelled);
            if (ok) r.cancelled = true;
          } else if (o.kind === "run") sim.run({ until: sim.now + o.span });
        }
        sim.run();
        // Replaying the firing sequence against the reference: each fired event was the earliest live one.
        const expected = ref
          .filter((r) => !r.cancelled)
          .sort((a, b) => a.t - b.t || a.seq - b.seq)
          .map((r) => r.seq);
        expect([...fired].sort((a, b) => ref[a].t - ref[b].t || a - b)).toEqual(fired);
        expect(new Set(fired)).toEqual(new Set(expected));
        expect(sim.pending).toBe(0);
      }),
      { numRuns: 300, seed: 20261126 },
    );
  });

  it("keeps order through calendar resizes with 10^5 pending events", () => {
    const sim = new Simulation(16);
    let x = 7;
    const times: number[] = [];
    for (let i = 0; i < 100_000; i++) {
      x = (x * 48271) % 2147483647;
      const t = i % 3 === 0 ? s(1) : x % 10_000_000; // a third in one same-time burst
      times.push(t);
      sim.schedule(t, (k) => fired.push(k), i);
    }
    const fired: number[] = [];
    sim.run();
    const expected = times
      .map((t, i) => [t, i])
      .sort((a, b) => a[0] - b[0] || a[1] - b[1])
      .map((p) => p[1]);
    expect(fired).toEqual(expected);
  });
});
