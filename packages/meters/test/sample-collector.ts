import type { MeterSample, MeterSink } from '../src/index.ts'

/** A meter sink for tests: what the driver delivered, and a wait (with a deadline) until a condition holds. */
export interface SampleCollector {
  readonly samples: MeterSample[]
  readonly refused: Error[]
  readonly sink: MeterSink
  until: (what: string, cond: () => boolean) => Promise<void>
  /** until the nth sample, or the nth refusal, has arrived */
  next: (kind: 'samples' | 'refused', n: number) => Promise<void>
}

export function collector(deadlineMs = 10_000): SampleCollector {
  const samples: MeterSample[] = []
  const refused: Error[] = []
  const waiters: Array<() => void> = []
  const wake = (): void => {
    for (const w of waiters.splice(0)) w()
  }
  const c: SampleCollector = {
    samples,
    refused,
    sink: {
      sample: s => {
        samples.push(s)
        wake()
      },
      refused: e => {
        refused.push(e)
        wake()
      }
    },
    until: async (what, cond) => {
      const deadline = Date.now() + deadlineMs
      while (!cond()) {
        const left = deadline - Date.now()
        if (left <= 0)
          throw new Error(
            `timed out waiting for ${what} (samples ${JSON.stringify(samples.slice(-2))}, ` +
              `refused ${refused.map(e => (e as { code?: string }).code).join(', ')})`
          )
        await new Promise<void>(resolve => {
          const t = setTimeout(resolve, left)
          waiters.push(() => {
            clearTimeout(t)
            resolve()
          })
        })
      }
    },
    // every wait has a deadline: a meter that stops reporting fails the test with a message, not a hang
    next: async (kind, n) => {
      await c.until(`${n} ${kind} (have ${c[kind].length})`, () => c[kind].length >= n)
    }
  }
  return c
}
