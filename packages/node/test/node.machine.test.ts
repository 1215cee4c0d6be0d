import { describe, expect, it } from 'vitest'
import { createActor, fromPromise, waitFor } from 'xstate'
import type { CounterAnswer } from '@kvartal/market'
import type { Reject } from '@kvartal/protocol'
import {
  negotiationMachine,
  nodeMachine,
  slotMachine,
  type ConfirmResult,
  type NegotiationInput,
  type NegotiationOutcome,
  type Reply
} from '../src/index.ts'

/** The root machine with fake effects: it starts and joins at once, every negotiation is rejected. */
function fakeNode(outcomes: NegotiationOutcome[], closed: number[]) {
  return createActor(
    nodeMachine.provide({
      actors: {
        start: fromPromise(async () => {}),
        join: fromPromise(async () => {}),
        stop: fromPromise(async () => {}),
        slot: slotMachine.provide({
          actions: {
            approach: () => {},
            closeGate: (_, p) => {
              closed.push(p.slot)
            }
          }
        }),
        negotiation: negotiationMachine.provide({
          actors: {
            exchange: fromPromise(
              async ({ input }: { input: { input: NegotiationInput; round: number; price: number } }): Promise<Reply> => ({
                kind: 'reject',
                reject: { code: 'no-capacity', detail: input.input.negotiation } as unknown as Reject
              })
            ),
            confirm: fromPromise(async (): Promise<ConfirmResult> => 'committed'),
            decideCounter: fromPromise(async (): Promise<CounterAnswer> => ({ action: 'walk-away' })),
            withdraw: fromPromise(async () => {})
          }
        })
      },
      actions: {
        tick: () => {},
        negotiationDone: (_, p) => {
          outcomes.push(p.outcome)
        },
        negotiationCrashed: () => {},
        failed: () => {}
      }
    })
  )
}

describe('node machine', () => {
  it('children: done slots and negotiations are stopped and leave the snapshot, their outcomes still reported', async () => {
    const outcomes: NegotiationOutcome[] = []
    const closed: number[] = []
    const actor = fakeNode(outcomes, closed).start()
    await waitFor(actor, s => s.value === 'trading')
    // a node's day: many slots, each with a few negotiations, all finished
    const slots = 200
    for (let slot = 0; slot < slots; slot++) {
      actor.send({ type: 'PLAN_SLOT', input: { slot, openedAt: slot * 10, gateClosureAt: slot * 10 + 10 } })
      for (let k = 0; k < 3; k++)
        actor.send({ type: 'NEGOTIATE', input: { negotiation: `${slot}-${k}`, seller: 'ab', slot, energyWh: 100, price: 1 } })
    }
    await waitFor(actor, () => outcomes.length === slots * 3)
    actor.send({ type: 'TICK', now: slots * 10 + 10 })
    expect(closed).toHaveLength(slots)
    expect(outcomes.every(o => o.result === 'rejected')).toBe(true)
    const snap = actor.getSnapshot()
    expect(snap.context.negotiations).toEqual({})
    expect(snap.context.slots).toEqual({})
    // without stopChild every one of the 800 finished children stayed here, with its context, for ever
    expect(Object.keys(snap.children)).toEqual([])
    // and a slot planned now still runs: stopping the others did not stop the machine
    actor.send({ type: 'PLAN_SLOT', input: { slot: slots, openedAt: 0, gateClosureAt: slots * 10 + 30 } })
    expect(Object.keys(actor.getSnapshot().children)).toEqual([`slot-${slots}`])
    actor.send({ type: 'STOP' })
    await waitFor(actor, s => s.status === 'done')
  })
})
