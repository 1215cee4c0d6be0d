import { createActor, fromPromise, type Actor } from 'xstate'
import type { Accept, Counter } from '@kvartal/protocol'
import type { BuyerDesk } from './buyer-desk.ts'
import type { BuyerLoop } from './buyer-loop.ts'
import { negotiationMachine, type NegotiationInput } from './negotiation.machine.ts'
import { nodeMachine } from './node.machine.ts'
import { slotMachine } from './slot.machine.ts'

/** The node machine's actor, as a node runs it. */
export type NodeActor = Actor<typeof nodeMachine>

/** What a node does for its machine (kvartal-node.ts): its lifecycle, its ticks and gates, and its buyer's parts. */
export interface NodeEffects {
  readonly start: () => Promise<void>
  readonly join: () => Promise<void>
  readonly stop: () => Promise<void>
  /** the machine's `tick` action: `initial` on entering trading */
  readonly tick: (initial: boolean) => void
  /** a slot's actor reached gate closure */
  readonly closeGate: (slot: number, now: number) => void
  /** the buyer desk and the buyer's loop, made in `start`: read when a child runs */
  readonly buyer: () => BuyerDesk
  readonly buying: () => BuyerLoop
}

/** The node machine with a node's effects, as an actor not yet started. */
export function nodeActor(effects: NodeEffects): NodeActor {
  const machine = nodeMachine.provide({
    actors: {
      start: fromPromise(async () => {
        await effects.start()
      }),
      join: fromPromise(async () => {
        await effects.join()
      }),
      stop: fromPromise(async () => {
        await effects.stop()
      }),
      // the children's effects are the buyer desk's, created in `start`
      slot: slotMachine.provide({
        actions: {
          approach: (_, params) => {
            effects.buying().approach(params.slot, params.now)
          },
          closeGate: (_, params) => {
            effects.closeGate(params.slot, params.now)
          }
        }
      }),
      negotiation: negotiationMachine.provide({
        actors: {
          exchange: fromPromise(
            async ({ input }: { input: { input: NegotiationInput; round: number; price: number } }) =>
              await effects.buyer().exchange(input.input, input.round, input.price)
          ),
          confirm: fromPromise(async ({ input }: { input: { accept: Accept } }) => await effects.buyer().confirm(input.accept)),
          decideCounter: fromPromise(async ({ input }: { input: { counter: Counter; slot: number; fee: number } }) =>
            effects.buyer().decideCounter(input.counter, input.slot, input.fee)
          ),
          withdraw: fromPromise(async ({ input }: { input: { negotiation: string } }) => {
            await effects.buyer().withdraw(input.negotiation)
          })
        }
      })
    },
    actions: {
      tick: (_, params) => {
        effects.tick(params?.initial === true)
      },
      negotiationDone: (_, params) => {
        effects.buying().onOutcome(params.outcome)
      },
      negotiationCrashed: (_, params) => {
        const negotiation = params.id.replace(/^.*\.n-/, '')
        effects.buying().onOutcome({
          negotiation,
          seller: '',
          slot: effects.buying().slotOf(negotiation),
          result: 'failed',
          energyWh: 0,
          price: 0,
          code: 'crashed',
          detail: String((params.error as Error)?.message ?? params.error)
        })
      },
      failed: () => {}
    }
  })
  return createActor(machine)
}

/**
 * Starts the actor; resolves once it trades, or once it stopped before it did (asked to stop while starting
 * or joining its mesh: `kvartal node` given SIGTERM then, which used to leave this promise unsettled and the
 * process to exit 13); rejects if it failed to start.
 */
export async function untilTrading(actor: NodeActor): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const sub = actor.subscribe({
      next: s => {
        if (s.value === 'failed') {
          sub.unsubscribe()
          reject(new Error(s.context.error ?? 'node failed to start'))
        } else if (s.value === 'trading' || s.status === 'done') {
          sub.unsubscribe()
          resolve()
        }
      },
      error: err => reject(err)
    })
    actor.start()
  })
}

/** Sends the actor STOP and resolves once it is done (at once if it is). */
export async function untilStopped(actor: NodeActor): Promise<void> {
  if (actor.getSnapshot().status === 'done') return
  await new Promise<void>(resolve => {
    const sub = actor.subscribe({
      next: s => {
        if (s.status === 'done') {
          sub.unsubscribe()
          resolve()
        }
      },
      complete: () => resolve()
    })
    actor.send({ type: 'STOP' })
  })
}
