import { describe, it, expect } from 'vitest';
import { LruCache } from '../../src/cache/lru-cache.js';

const bytes = (n: number) => new Uint8Array(n);

describe('LruCache', () => {
  it('shares a load in flight and serves the value from the cache afterwards', async () => {
    const cache = new LruCache<Uint8Array>(1000, (v) => v.byteLength);
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 5));
      return bytes(10);
    };
    const [a, b] = await Promise.all([cache.get('k', load), cache.get('k', load)]);
    expect(a).toBe(b);
    expect(await cache.get('k', load)).toBe(a);
    expect(loads).toBe(1);
    expect(cache.stats()).toEqual({ hits: 2, misses: 1, bytes: 10, entries: 1 });
  });

  it('evicts the least recently used values past its byte budget', async () => {
    const cache = new LruCache<Uint8Array>(25, (v) => v.byteLength);
    for (const k of ['a', 'b']) await cache.get(k, async () => bytes(10));
    await cache.get('a', async () => bytes(10)); // a is now the most recent
    await cache.get('c', async () => bytes(10));
    expect(cache.bytes).toBe(20);
    let reloaded = '';
    await cache.get('a', async () => ((reloaded += 'a'), bytes(10)));
    await cache.get('b', async () => ((reloaded += 'b'), bytes(10)));
    expect(reloaded).toBe('b'); // b, the least recently used, was evicted; a was kept
  });

  it('does not remember a failed load, and with maxBytes 0 keeps nothing but still shares loads', async () => {
    const cache = new LruCache<Uint8Array>(100, (v) => v.byteLength);
    await expect(cache.get('x', async () => Promise.reject(new Error('disk')))).rejects.toThrow('disk');
    expect((await cache.get('x', async () => bytes(3))).byteLength).toBe(3);

    const none = new LruCache<Uint8Array>(0, (v) => v.byteLength);
    let loads = 0;
    const load = async () => (loads++, bytes(4));
    const [a, b] = await Promise.all([none.get('k', load), none.get('k', load)]);
    expect(a).toBe(b);
    await none.get('k', load);
    expect(loads).toBe(2);
    expect(none.size).toBe(0);
  });

  it('invalidates by key prefix; a value larger than the budget is returned, not kept', async () => {
    const cache = new LruCache<Uint8Array>(50, (v) => v.byteLength);
    for (const k of ['t1/0', 't1/1', 't2/0']) await cache.get(k, async () => bytes(5));
    cache.invalidate('t1/');
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(5);
    expect((await cache.get('big', async () => bytes(80))).byteLength).toBe(80);
    expect(cache.size).toBe(1);
    expect(() => new LruCache<Uint8Array>(-1, (v) => v.byteLength)).toThrow(/maxBytes must be >= 0/);
  });
});
