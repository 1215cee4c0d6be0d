/**
 * The iota adapter's calls in time: back-off delays to the nanosecond of their formula, sleep and bounded
 * under an abort and a deadline, and withRetry's count of tries. Vitest's fake timers stand in for time, so
 * nothing here waits: each test moves the clock by hand and checks what has happened by then. A timer or
 * listener left behind on the caller's signal is checked too (node:events getEventListeners).
 */
import { getEventListeners } from 'node:events'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { SettlementError, TransientLedgerError } from '../src/port.ts'
import { CallTimeoutError, backoffDelay, bounded, sleep, withRetry, type CallPolicy } from '../src/iota/retry.ts'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

/** Settles `p` into a record that says whether (and how) it has settled yet. */
function track<T>(p: Promise<T>): { settled: boolean; value?: T; error?: unknown } {
  const s: { settled: boolean; value?: T; error?: unknown } = { settled: false }
  p.then(
    v => {
      s.settled = true
      s.value = v
    },
    e => {
      s.settled = true
      s.error = e
    }
  )
  return s
}
const transient = (): Error => Object.assign(new Error('connect ECONNRESET'), { code: 'ECONNRESET' })

describe('backoffDelay', () => {
  it('doubles from the base per attempt, caps at the maximum, and is half fixed, half random', () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 1_000 }
    expect([0, 1, 2, 3, 4, 5].map(a => backoffDelay(a, policy, () => 0))).toEqual([50, 100, 200, 400, 500, 500])
    expect([0, 1, 2, 3, 4, 5].map(a => backoffDelay(a, policy, () => 1))).toEqual([100, 200, 400, 800, 1_000, 1_000])
    expect(backoffDelay(2, policy, () => 0.5)).toBe(300)
    expect(backoffDelay(0, { baseDelayMs: 3, maxDelayMs: 100 }, () => 0)).toBe(2) // 1.5 rounds to 2
    expect(backoffDelay(0, { baseDelayMs: 0, maxDelayMs: 100 }, () => 0.7)).toBe(0)
    expect(backoffDelay(3, { baseDelayMs: 100, maxDelayMs: 800 }, () => 1)).toBe(800) // exactly the cap
    const r = backoffDelay(1, policy)
    expect(r).toBeGreaterThanOrEqual(100)
    expect(r).toBeLessThanOrEqual(200)
  })
})

describe('sleep', () => {
  it('resolves after ms and not before, leaving no timer', async () => {
    const s = track(sleep(100))
    await vi.advanceTimersByTimeAsync(99)
    expect(s.settled).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(s.settled).toBe(true)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('0 ms or less resolves without a timer', async () => {
    for (const ms of [0, -5]) {
      const s = track(sleep(ms))
      await Promise.resolve()
      await Promise.resolve()
      expect(s.settled).toBe(true)
      expect(vi.getTimerCount()).toBe(0)
    }
  })

  it('an aborted signal rejects at once with its reason, even for 0 ms', async () => {
    const ac = new AbortController()
    const reason = new Error('stop')
    ac.abort(reason)
    await expect(sleep(0, ac.signal)).rejects.toBe(reason)
    await expect(sleep(100, ac.signal)).rejects.toBe(reason)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('an abort while sleeping rejects with the reason and clears the timer and the listener', async () => {
    const ac = new AbortController()
    const s = track(sleep(1_000, ac.signal))
    await vi.advanceTimersByTimeAsync(10)
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1)
    const reason = new Error('stop')
    ac.abort(reason)
    await vi.advanceTimersByTimeAsync(0)
    expect(s).toEqual({ settled: true, error: reason })
    expect(vi.getTimerCount()).toBe(0)
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0)
  })

  it('a sleep that ended leaves no listener on the signal', async () => {
    const ac = new AbortController()
    const s = track(sleep(10, ac.signal))
    await vi.advanceTimersByTimeAsync(10)
    expect(s.settled).toBe(true)
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0)
  })
})

describe('bounded', () => {
  it('a promise that answers in time: its value, no timer and no listener left', async () => {
    const ac = new AbortController()
    let answer: (v: number) => void = () => {}
    const s = track(
      bounded(
        new Promise<number>(resolve => {
          answer = resolve
        }),
        'ask',
        100,
        ac.signal
      )
    )
    await vi.advanceTimersByTimeAsync(99)
    expect(s.settled).toBe(false)
    answer(7)
    await vi.advanceTimersByTimeAsync(0)
    expect(s).toEqual({ settled: true, value: 7 })
    expect(vi.getTimerCount()).toBe(0)
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0)
  })

  it('its failure as is', async () => {
    const e = new Error('refused')
    await expect(bounded(Promise.reject(e), 'ask', 100)).rejects.toBe(e)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('no answer by the deadline: a CallTimeoutError that names the call and the deadline; a late failure is not unhandled', async () => {
    let fail: (e: Error) => void = () => {}
    const s = track(
      bounded(
        new Promise<number>((_resolve, reject) => {
          fail = reject
        }),
        'get balance of 0x1',
        100
      )
    )
    await vi.advanceTimersByTimeAsync(99)
    expect(s.settled).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(s.error).toBeInstanceOf(CallTimeoutError)
    expect(s.error).toMatchObject({ name: 'CallTimeoutError', message: 'get balance of 0x1: no answer within 100 ms' })
    fail(new Error('too late'))
    await vi.advanceTimersByTimeAsync(0)
  })

  it("an abort: the signal's reason, before or while waiting; the listener is removed", async () => {
    const before = new AbortController()
    before.abort(new Error('already'))
    await expect(bounded(new Promise(() => {}), 'ask', 100, before.signal)).rejects.toThrow('already')
    expect(vi.getTimerCount()).toBe(0)

    const ac = new AbortController()
    const s = track(bounded(new Promise(() => {}), 'ask', 1_000, ac.signal))
    await vi.advanceTimersByTimeAsync(10)
    const reason = new Error('stop')
    ac.abort(reason)
    await vi.advanceTimersByTimeAsync(0)
    expect(s).toEqual({ settled: true, error: reason })
    expect(vi.getTimerCount()).toBe(0)
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0)
  })
})

describe('withRetry', () => {
  const policy: CallPolicy = { attempts: 3, baseDelayMs: 100, maxDelayMs: 1_000, requestTimeoutMs: 5_000 }

  it('a success on the first try: its value, one call, no retry', async () => {
    const fn = vi.fn(async () => 5)
    const onRetry = vi.fn()
    expect(await withRetry('ask', fn, policy, undefined, onRetry)).toBe(5)
    expect(fn).toHaveBeenCalledTimes(1)
    expect(onRetry).not.toHaveBeenCalled()
  })

  it('retries a transient failure after a back-off, telling onRetry the attempt and the error', async () => {
    const e = transient()
    const fn = vi.fn().mockRejectedValueOnce(e).mockResolvedValueOnce('ok')
    const onRetry = vi.fn()
    const s = track(withRetry('ask', fn, policy, undefined, onRetry))
    await vi.advanceTimersByTimeAsync(49) // the first back-off is 50 to 100 ms
    expect(fn).toHaveBeenCalledTimes(1)
    expect(onRetry.mock.calls).toEqual([[0, e]])
    await vi.advanceTimersByTimeAsync(51)
    expect(fn).toHaveBeenCalledTimes(2)
    expect(s).toEqual({ settled: true, value: 'ok' })
  })

  it('a permanent failure is thrown as is, at once', async () => {
    const e = new SettlementError('rejected', 'no')
    const fn = vi.fn().mockRejectedValue(e)
    const onRetry = vi.fn()
    await expect(withRetry('ask', fn, policy, undefined, onRetry)).rejects.toBe(e)
    expect(fn).toHaveBeenCalledTimes(1)
    expect(onRetry).not.toHaveBeenCalled()
  })

  it('the tries run out: a TransientLedgerError naming the call and the last failure, with no wait after the last try', async () => {
    const errors = [transient(), transient(), Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' })]
    const fn = vi.fn()
    for (const e of errors) fn.mockRejectedValueOnce(e)
    const onRetry = vi.fn()
    const s = track(withRetry('execute transaction X', fn, policy, undefined, onRetry))
    await vi.advanceTimersByTimeAsync(100) // first back-off: at most 100
    expect(fn).toHaveBeenCalledTimes(2)
    await vi.advanceTimersByTimeAsync(200) // second: at most 200
    expect(fn).toHaveBeenCalledTimes(3)
    expect(s.settled).toBe(true)
    expect(s.error).toBeInstanceOf(TransientLedgerError)
    expect(s.error).toMatchObject({
      message: 'execute transaction X failed 3 time(s), last: connect ETIMEDOUT; the ledger may be unreachable or busy, call again later'
    })
    expect((s.error as Error).cause).toBe(errors[2])
    expect(onRetry.mock.calls.map(c => c[0])).toEqual([0, 1, 2])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('one try: no back-off at all', async () => {
    const fn = vi.fn().mockRejectedValue(transient())
    const s = track(withRetry('ask', fn, { ...policy, attempts: 1 }))
    await vi.advanceTimersByTimeAsync(0)
    expect(s.error).toBeInstanceOf(TransientLedgerError)
    expect((s.error as Error).message).toMatch(/^ask failed 1 time\(s\)/)
    expect(fn).toHaveBeenCalledTimes(1)
  })

  it('a try that does not answer within requestTimeoutMs counts as a transient failure', async () => {
    const fn = vi
      .fn()
      .mockReturnValueOnce(new Promise(() => {}))
      .mockResolvedValueOnce('late but fine')
    const s = track(withRetry('ask', fn, { ...policy, requestTimeoutMs: 1_000 }))
    await vi.advanceTimersByTimeAsync(999)
    expect(fn).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1 + 100)
    expect(fn).toHaveBeenCalledTimes(2)
    expect(s).toEqual({ settled: true, value: 'late but fine' })
  })

  it('an aborted signal: its reason, before a try, after a failed try, or during the back-off', async () => {
    const reason = new Error('stop')
    const aborted = new AbortController()
    aborted.abort(reason)
    const never = vi.fn()
    await expect(withRetry('ask', never, policy, aborted.signal)).rejects.toBe(reason)
    expect(never).not.toHaveBeenCalled()

    // the try fails transiently because the caller aborted meanwhile: the reason, no retry
    const ac = new AbortController()
    const fn = vi.fn(async () => {
      ac.abort(reason)
      throw transient()
    })
    await expect(withRetry('ask', fn, policy, ac.signal)).rejects.toBe(reason)
    expect(fn).toHaveBeenCalledTimes(1)

    const during = new AbortController()
    const failing = vi.fn().mockRejectedValue(transient())
    const s = track(withRetry('ask', failing, policy, during.signal))
    await vi.advanceTimersByTimeAsync(10)
    during.abort(reason)
    await vi.advanceTimersByTimeAsync(0)
    expect(s).toEqual({ settled: true, error: reason })
    expect(failing).toHaveBeenCalledTimes(1)
  })
})

describe('bounded, asked after the caller gave up', () => {
  it("an already-aborted signal: the abort reason, and the abandoned call's own failure is not left unhandled", async () => {
    vi.useRealTimers()
    const unhandled: unknown[] = []
    const onUnhandled = (e: unknown): void => {
      unhandled.push(e)
    }
    process.on('unhandledRejection', onUnhandled)
    try {
      const ac = new AbortController()
      ac.abort(new Error('stopping'))
      const call = Promise.reject(new Error('the node refused, later'))
      await expect(bounded(call, 'a call', 1_000, ac.signal)).rejects.toThrow('stopping')
      await new Promise(resolve => setImmediate(resolve))
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })
})
