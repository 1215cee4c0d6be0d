import { assign, enqueueActions, fromPromise, setup, stopChild } from 'xstate'
import { negotiationMachine, type NegotiationInput, type NegotiationOutcome } from './negotiation.machine.ts'

export type NodeMachineEvent =
  | { type: 'TICK' }
  | { type: 'NEGOTIATE', input: NegotiationInput }
  | { type: 'STOP' }
  | { type: 'CLOSE_SLOT', slot: number }

interface Ctx { negotiations: Record<string, number>, error?: string }

const notProvided = (name: string) => fromPromise<void, any>(async () => { throw new Error(`actor "${name}" must be provided by the node`) })

/**
 * A building node's root machine: starting → joining → trading → stopping → stopped. Effects are named
 * actors and actions the node provides: `start` (journal, host, recovery), `join` (wait for the gossip
 * mesh), `stop`; `tick` runs the trader's periodic work; each negotiation is a spawned child machine,
 * whose output comes back as a done event and goes to `negotiationDone`.
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
    negotiation: negotiationMachine
  },
  actions: {
    tick: (_, _params: { initial: boolean }) => {},
    negotiationDone: (_, _params: { outcome: NegotiationOutcome }) => {},
    negotiationCrashed: (_, _params: { id: string, error: unknown }) => {},
    failed: (_, _params: { error: unknown }) => {}
  }
}).createMachine({
  id: 'kvartal-node',
  context: { negotiations: {} },
  initial: 'starting',
  states: {
    starting: {
      invoke: {
        src: 'start',
        onDone: 'joining',
        onError: { target: 'failed', actions: [assign({ error: ({ event }) => String((event.error as Error)?.message ?? event.error) }), { type: 'failed', params: ({ event }) => ({ error: event.error }) }] }
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
        TICK: { actions: { type: 'tick', params: { initial: false } } },
        NEGOTIATE: {
          actions: assign(({ context, event, spawn }) => {
            spawn('negotiation', { id: `n-${event.input.negotiation}`, input: event.input })
            return { negotiations: { ...context.negotiations, [event.input.negotiation]: event.input.slot } }
          })
        },
        'xstate.done.actor.*': {
          actions: [
            { type: 'negotiationDone', params: ({ event }: { event: any }) => ({ outcome: event.output as NegotiationOutcome }) },
            assign({
              negotiations: ({ context, event }: { context: Ctx, event: any }) => {
                const { [(event.output as NegotiationOutcome).negotiation]: _, ...rest } = context.negotiations
                return rest
              }
            })
          ]
        } as any,
        'xstate.error.actor.*': {
          actions: { type: 'negotiationCrashed', params: ({ event }: { event: any }) => ({ id: String(event.type), error: event.error }) }
        } as any,
        STOP: 'stopping'
      }
    },
    stopping: {
      entry: enqueueActions(({ context, enqueue }) => { for (const id of Object.keys(context.negotiations)) enqueue(stopChild(`n-${id}`)) }),
      invoke: { src: 'stop', onDone: 'stopped', onError: 'stopped' }
    },
    stopped: { type: 'final' },
    failed: { type: 'final' }
  }
})
