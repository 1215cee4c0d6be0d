import { setup } from 'xstate'

export interface SlotInput {
  readonly slot: number
  /** when buyers start approaching offers for this slot */
  readonly openedAt: number
  readonly gateClosureAt: number
}

/**
 * `TICK`: the node's periodic tick. `APPROACH`: look at the book again now, between ticks — a seller
 * just refused for want of capacity, so the buyer moves on to the next offer at once instead of a tick
 * later (a refusal costs one round trip, not a quarter of the trading window).
 */
export type SlotEvent = { type: 'TICK'; now: number } | { type: 'APPROACH'; now: number }

/**
 * One delivery slot's life on a node: planned → trading (from the opening of its trading window, the
 * node approaches offers on every tick) → closed (at gate closure: negotiation ends, what is left goes
 * to the grid). The root machine spawns one per planned slot and forwards every tick to it; the node
 * provides `approach` and `closeGate`.
 */
export const slotMachine = setup({
  types: {
    input: {} as SlotInput,
    context: {} as SlotInput & { now: number },
    events: {} as SlotEvent
  },
  actions: {
    approach: (_, _params: { slot: number; now: number }) => {},
    closeGate: (_, _params: { slot: number; now: number }) => {}
  },
  guards: {
    windowOpen: ({ context, event }) => event.now >= context.openedAt,
    gateClosed: ({ context, event }) => event.type === 'TICK' && event.now >= context.gateClosureAt
  }
}).createMachine({
  id: 'slot',
  context: ({ input }) => ({ ...input, now: 0 }),
  initial: 'planned',
  states: {
    planned: {
      on: {
        TICK: [
          { guard: 'gateClosed', target: 'closed' },
          { guard: 'windowOpen', target: 'trading' }
        ]
      }
    },
    trading: {
      entry: { type: 'approach', params: ({ context, event }) => ({ slot: context.slot, now: (event as SlotEvent).now }) },
      on: {
        TICK: [
          { guard: 'gateClosed', target: 'closed' },
          { actions: { type: 'approach', params: ({ context, event }) => ({ slot: context.slot, now: event.now }) } }
        ],
        APPROACH: {
          guard: ({ context, event }) => event.now < context.gateClosureAt,
          actions: { type: 'approach', params: ({ context, event }) => ({ slot: context.slot, now: event.now }) }
        }
      }
    },
    closed: {
      type: 'final',
      entry: { type: 'closeGate', params: ({ context, event }) => ({ slot: context.slot, now: (event as SlotEvent).now }) }
    }
  }
})
