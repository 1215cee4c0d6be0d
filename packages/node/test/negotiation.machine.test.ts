import { describe, expect, it } from 'vitest'
import { createActor, fromPromise, toPromise } from 'xstate'
import type { Accept, Counter } from '@kvartal/protocol'
import type { CounterAnswer } from '@kvartal/market'
import { negotiationMachine, type ConfirmResult, type Reply } from '../src/index.ts'

const input = { negotiation: 'ab'.repeat(16), seller: 'cd'.repeat(32), slot: 3, energyWh: 500, price: 600 }
const accept = {
  negotiation: new Uint8Array(16),
  terms: { energyWh: 400, price: 650 },
  sellerSignature: new Uint8Array(64),
  holdUntil: 0
} as unknown as Accept
const counter = (price: number): Counter => ({ negotiation: new Uint8Array(16), energyWh: 400, price, expiresAt: 0, round: 1 })

/** Runs the machine with fake effects (the protocol logic is what is under test here, not I/O). */
async function run(replies: Reply[], opts: { takeCounter?: boolean; confirm?: ConfirmResult | Error } = {}) {
  const proposals: Array<{ round: number; price: number }> = []
  let withdrawn = false
  const machine = negotiationMachine.provide({
    actors: {
      exchange: fromPromise(async ({ input: i }: { input: { input: typeof input; round: number; price: number } }) => {
        proposals.push({ round: i.round, price: i.price })
        const r = replies.shift()
        if (r == null) throw new Error('stream closed')
        return r
      }),
      confirm: fromPromise(async () => {
        if (opts.confirm instanceof Error) throw opts.confirm
        return opts.confirm ?? 'committed'
      }),
      decideCounter: fromPromise(
        async (): Promise<CounterAnswer> => (opts.takeCounter === true ? { action: 'accept' } : { action: 'walk-away' })
      ),
      withdraw: fromPromise(async () => {
        withdrawn = true
      })
    }
  })
  const actor = createActor(machine, { input }).start()
  return { outcome: await toPromise(actor), proposals, withdrawn: () => withdrawn }
}

describe('negotiation machine (buyer side)', () => {
  it('propose → accept → confirm ends committed with the accepted terms', async () => {
    const r = await run([{ kind: 'accept', accept }])
    expect(r.outcome).toMatchObject({ result: 'committed', energyWh: 400, price: 650 })
  })
  it('a counter the strategy takes is proposed back in the next round at the counter price', async () => {
    const r = await run(
      [
        { kind: 'counter', counter: counter(650) },
        { kind: 'accept', accept }
      ],
      { takeCounter: true }
    )
    expect(r.proposals).toEqual([
      { round: 0, price: 600 },
      { round: 1, price: 650 }
    ])
    expect(r.outcome.result).toBe('committed')
  })
  it('a counter the strategy refuses withdraws and ends walked-away', async () => {
    const r = await run([{ kind: 'counter', counter: counter(990) }])
    expect(r.outcome.result).toBe('walked-away')
    expect(r.withdrawn()).toBe(true)
  })
  it('a reject ends rejected with its code; a broken stream ends failed', async () => {
    expect(
      (await run([{ kind: 'reject', reject: { negotiation: new Uint8Array(16), code: 'no-capacity', detail: 'available=0' } }])).outcome
    ).toMatchObject({ result: 'rejected', code: 'no-capacity' })
    expect((await run([])).outcome).toMatchObject({ result: 'failed', detail: 'stream closed' })
  })
  it('a confirm that fails after the trade was journaled leaves it pending (to be retried), never lost', async () => {
    expect((await run([{ kind: 'accept', accept }], { confirm: new Error('reset') })).outcome.result).toBe('pending')
    expect((await run([{ kind: 'accept', accept }], { confirm: 'void' })).outcome.result).toBe('void')
  })
})
