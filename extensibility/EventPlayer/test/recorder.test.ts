// The recorder's plan of a session (pure: the recording itself runs by `npm run record`, not in tests).
import { describe, expect, it } from '@jest/globals';
import { planSession, seeded } from '../recorder/session.js';

const MINUTE = 60_000;

describe('the session plan', () => {
  it('is the same for the same seed, and another for another', () => {
    expect(planSession(seeded(8))).toEqual(planSession(seeded(8)));
    expect(planSession(seeded(9))).not.toEqual(planSession(seeded(8)));
  });

  it('brings a few dozen customers over twelve minutes, a rush at minute 10, walkaways early enough to time out in the session', () => {
    for (const seed of [1, 7, 8, 42]) {
      const plan = planSession(seeded(seed));
      const at = plan.customers.map((c) => c.arrivesAt);
      expect(at).toEqual([...at].sort((a, b) => a - b));
      expect(plan.customers.length).toBeGreaterThanOrEqual(24);
      expect(Math.max(...at)).toBeLessThan(12 * MINUTE);
      expect(at.filter((t) => t >= 10 * MINUTE && t <= 10 * MINUTE + 20_000).length).toBeGreaterThanOrEqual(8);
      // A walkaway's 5-minute wait must run out before the session's 15 minutes do.
      for (const c of plan.customers.filter((c) => c.persona === 'walkaway')) expect(c.arrivesAt).toBeLessThan(9 * MINUTE);
      expect(new Set(plan.customers.map((c) => c.name)).size).toBe(plan.customers.length);
      expect(plan.closed).toEqual([6.5 * MINUTE, 7.5 * MINUTE]);
      expect(plan.durationMs).toBe(15 * MINUTE);
    }
  });

  it('draws numbers in [0, 1) from a seeded generator', () => {
    const random = seeded(3);
    const draws = Array.from({ length: 1000 }, random);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    expect(new Set(draws).size).toBe(1000);
  });
});
