import { describe, expect, it } from 'vitest'
import { createActor } from 'xstate'
import { slotMachine } from '../src/index.ts'

describe('slot machine', () => {
  it('waits for its window, approaches on every tick inside it, and closes its gate once', () => {
    const calls: string[] = []
    const actor = createActor(
      slotMachine.provide({
        actions: {
          approach: (_, p) => {
            calls.push(`approach ${p.slot}@${p.now}`)
          },
          closeGate: (_, p) => {
            calls.push(`close ${p.slot}@${p.now}`)
          }
        }
      }),
      { input: { slot: 7, openedAt: 100, gateClosureAt: 200 } }
    ).start()
    for (const now of [50, 100, 150, 200]) actor.send({ type: 'TICK', now })
    expect(calls).toEqual(['approach 7@100', 'approach 7@150', 'close 7@200'])
    expect(actor.getSnapshot().status).toBe('done')
  })
  it('a slot first seen after its gate closed is closed without trading', () => {
    const calls: string[] = []
    const actor = createActor(
      slotMachine.provide({
        actions: {
          approach: () => {
            calls.push('approach')
          },
          closeGate: () => {
            calls.push('close')
          }
        }
      }),
      { input: { slot: 1, openedAt: 0, gateClosureAt: 10 } }
    ).start()
    actor.send({ type: 'TICK', now: 20 })
    expect(calls).toEqual(['close'])
  })
})
