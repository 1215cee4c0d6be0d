import { assign, enqueueActions, fromPromise, setup, stopChild } from 'xstate'
import { negotiationMachine, type NegotiationInput, type NegotiationOutcome } from './negotiation.machine.ts'
import { slotMachine, type SlotInput } from './slot.machine.ts'

export type NodeMachineEvent =
  | { type: 'TICK'; now: number }
  | { type: 'NEGOTIATE'; input: NegotiationInput }
  | { type: 'PLAN_SLOT'; input: SlotInput }
  | { type: 'APPROACH'; slot: number; now: number }
  | { type: 'STOP' }

interface Ctx {
  negotiations: Record<string, number>
  slots: Record<number, true>
  error?: string
}

const notProvided = (name: string) =>
  fromPromise<void, any>(async () => {
    throw new Error(`actor "${name}" must be provided by the node`)
  })

/**
 * A building node's root machine: starting → joining → trading → stopping → stopped. Effects are named
 * actors and actions the node provides: `start` (journal, host, recovery), `join` (wait for the gossip
 * mesh), `stop`; `tick` runs the node's periodic work (expire holds, plan slots, announce, meter,
 * settle). Each planned slot is a spawned `slot` child that receives every tick (it approaches offers
 * while its window is open and closes its gate), and each negotiation is a spawned child machine whose
 * output comes back as a done event and goes to `negotiationDone`.
 */
export const nodeMachine = setup({
  types: {
    context: {} as Ctx,
    events: {} as NodeMachineEvent
  },
  actors: {
    start: notProvided('start'),
    join: notProvided('join'),
    stop: notProvided('stop'),
    negotiation: negotiationMachine,
    slot: slotMachine
  },
  actions: {
    tick: (_, _params: { initial: boolean }) => {},
    negotiationDone: (_, _params: { outcome: NegotiationOutcome }) => {},
    negotiationCrashed: (_, _params: { id: string; error: unknown }) => {},
    failed: (_, _params: { error: unknown }) => {}
  }
}).createMachine({
  id: 'kvartal-node',
  context: { negotiations: {}, slots: {} },
  initial: 'starting',
  states: {
    starting: {
      invoke: {
        src: 'start',
        onDone: 'joining',
        onError: {
          target: 'failed',
          actions: [
            assign({ error: ({ event }) => String((event.error as Error)?.message ?? event.error) }),
            { type: 'failed', params: ({ event }) => ({ error: event.error }) }
          ]
        }
      },
      on: { STOP: 'stopping' }
    },
    joining: {
      invoke: { src: 'join', onDone: 'trading', onError: 'trading' },
      on: { STOP: 'stopping' }
    },
    trading: {
      entry: { type: 'tick', params: { initial: true } },
      on: {
        TICK: {
          actions: [
            { type: 'tick', params: { initial: false } },
            enqueueActions(({ context, event, enqueue }) => {
              for (const slot of Object.keys(context.slots)) enqueue.sendTo(`slot-${slot}`, { type: 'TICK', now: event.now })
            })
          ]
        },
        APPROACH: {
          guard: ({ context, event }) => context.slots[event.slot] != null,
          actions: enqueueActions(({ event, enqueue }) => {
            enqueue.sendTo(`slot-${event.slot}`, { type: 'APPROACH', now: event.now })
          })
        },
        PLAN_SLOT: {
          guard: ({ context, event }) => context.slots[event.input.slot] == null,
          actions: assign(({ context, event, spawn }) => {
            spawn('slot', { id: `slot-${event.input.slot}`, input: event.input })
            return { slots: { ...context.slots, [event.input.slot]: true as const } }
          })
        },
        NEGOTIATE: {
          actions: assign(({ context, event, spawn }) => {
            spawn('negotiation', { id: `n-${event.input.negotiation}`, input: event.input })
            return { negotiations: { ...context.negotiations, [event.input.negotiation]: event.input.slot } }
          })
        },
        // A child that is done stays in the snapshot's `children` (and in the actor system) until it is
        // stopped: xstate v5 removes children only by `stopChild`. Unstopped, every slot and every
        // negotiation a node ever ran stayed in memory with its context (a negotiation's decoded reply:
        // ~19 MB of heap and ~30 MB of pinned buffers for 36 nodes over one day, and growing without
        // bound on a node that runs for months). So each done or crashed child is stopped here, once its
        // output has been handed on (node.machine.test.ts, "children").
        'xstate.done.actor.*': [
          {
            // a slot child closed its gate
            guard: ({ event }: { event: any }) => String(event.type).startsWith('xstate.done.actor.slot-'),
            actions: [
              assign({
                slots: ({ context, event }: { context: Ctx; event: any }) => {
                  const { [Number(String(event.type).slice('xstate.done.actor.slot-'.length))]: _, ...rest } = context.slots
                  return rest
                }
              }),
              stopChild(({ event }: { event: any }) => String(event.actorId))
            ]
          },
          {
            actions: [
              { type: 'negotiationDone', params: ({ event }: { event: any }) => ({ outcome: event.output as NegotiationOutcome }) },
              assign({
                negotiations: ({ context, event }: { context: Ctx; event: any }) => {
                  const { [(event.output as NegotiationOutcome).negotiation]: _, ...rest } = context.negotiations
                  return rest
                }
              }),
              stopChild(({ event }: { event: any }) => String(event.actorId))
            ]
          }
        ] as any,
        'xstate.error.actor.*': {
          actions: [
            { type: 'negotiationCrashed', params: ({ event }: { event: any }) => ({ id: String(event.type), error: event.error }) },
            stopChild(({ event }: { event: any }) => String(event.actorId))
          ]
        } as any,
        STOP: 'stopping'
      }
    },
    stopping: {
      entry: enqueueActions(({ context, enqueue }) => {
        for (const id of Object.keys(context.negotiations)) enqueue(stopChild(`n-${id}`))
        for (const slot of Object.keys(context.slots)) enqueue(stopChild(`slot-${slot}`))
      }),
      invoke: { src: 'stop', onDone: 'stopped', onError: 'stopped' }
    },
    stopped: { type: 'final' },
    failed: { type: 'final' }
  }
})
