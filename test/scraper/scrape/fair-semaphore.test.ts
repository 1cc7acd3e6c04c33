import { describe, expect, it } from 'vitest';
import { FairSemaphore } from '../../../scraper/scrape/fair-semaphore.ts';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('FairSemaphore', () => {
  it('a tenant whose scrapes hang holds at most its share; another tenant still gets slots at once', async () => {
    const sem = new FairSemaphore(4, 2);
    const hang = gate();
    const started: string[] = [];
    const hostile = Array.from({ length: 50 }, (_, i) =>
      sem.run('hostile', async () => {
        started.push(`h${i}`);
        await hang.opened;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual(['h0', 'h1']);
    let neighbourRan = false;
    await sem.run('neighbour', async () => {
      neighbourRan = true;
    });
    expect(neighbourRan).toBe(true);
    expect(sem.inFlight).toBe(2);
    hang.open();
    await Promise.all(hostile);
    expect(started).toHaveLength(50);
    expect(sem.inFlight).toBe(0);
    expect(sem.tenants).toBe(0);
  });

  it('a freed slot goes to the next waiting tenant in turn, not to the longest queue', async () => {
    const sem = new FairSemaphore(1, 1);
    const order: string[] = [];
    const first = gate();
    const holder = sem.run('a', async () => {
      order.push('a0');
      await first.opened;
    });
    const queued = [
      ...Array.from({ length: 3 }, (_, i) => sem.run('a', async () => void order.push(`a${i + 1}`))),
      sem.run('b', async () => void order.push('b0')),
      sem.run('c', async () => void order.push('c0')),
    ];
    first.open();
    await Promise.all([holder, ...queued]);
    expect(order).toEqual(['a0', 'a1', 'b0', 'c0', 'a2', 'a3']);
  });

  it('never runs more than the limit in all', async () => {
    const sem = new FairSemaphore(3, 2);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        sem.run(`t${i % 5}`, async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 1));
          running--;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(sem.tenants).toBe(0);
  });
});
