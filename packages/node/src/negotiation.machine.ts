import { assign, fromPromise, setup } from 'xstate'
import type { Accept, Counter, Reject } from '@kvartal/protocol'
import type { CounterAnswer } from '@kvartal/market'

/** What a buyer's negotiation starts from: one approach to one seller for one slot. */
export interface NegotiationInput {
  readonly negotiation: string
  readonly seller: string
  readonly slot: number
  readonly energyWh: number
  /** the energy price proposed, nanos per kWh (the grid fee comes on top) */
  readonly price: number
  /** nanos per kWh the buyer pays the grid operator for this trade (0 without a grid) */
  readonly fee?: number
  /** the seller's feeder, when the node has one */
  readonly sellerFeeder?: string
}

export type Reply =
  | { readonly kind: 'accept'; readonly accept: Accept }
  | { readonly kind: 'counter'; readonly counter: Counter }
  | { readonly kind: 'reject'; readonly reject: Reject }

export type ConfirmResult = 'committed' | 'void' | 'pending'

export interface NegotiationOutcome {
  readonly negotiation: string
  readonly seller: string
  readonly slot: number
  readonly result: 'committed' | 'pending' | 'rejected' | 'walked-away' | 'failed' | 'void'
  readonly energyWh: number
  readonly price: number
  readonly code?: string
  readonly detail?: string
  /** rejected: the other sellers the refusal named, which the buyer's book took (referrals.ts) */
  readonly referrals?: number
}

interface Ctx extends NegotiationInput {
  round: number
  reply?: Reply
  confirm?: ConfirmResult
  error?: string
  /** a typed error's code (ProtocolError, NegotiationError…): why the negotiation failed, for its event */
  errorCode?: string
  decision?: CounterAnswer
  result?: NegotiationOutcome['result']
}

/** What a failed step leaves in the context: the error's message, and its code when it is a typed error. */
const failure = ({ event }: { event: { type: string } }): Pick<Ctx, 'error' | 'errorCode'> => {
  const error = (event as { error?: unknown }).error
  const code = (error as { code?: unknown } | undefined)?.code
  return { error: (error as Error).message, errorCode: typeof code === 'string' ? code : undefined }
}

const notProvided = (name: string) =>
  fromPromise<never, any>(async () => {
    throw new Error(`actor "${name}" must be provided by the node`)
  })

/**
 * A buyer's side of one negotiation: propose → accept / counter / reject → confirm. The machine holds
 * the protocol; its effects are named actors the node provides (`exchange` sends a proposal and reads
 * the seller's reply over a stream, `confirm` journals the trade and confirms it, `decideCounter` asks
 * the strategy, `withdraw` tells the seller the buyer walks away). Tests provide fakes for them.
 */
export const negotiationMachine = setup({
  types: {
    input: {} as NegotiationInput,
    context: {} as Ctx,
    output: {} as NegotiationOutcome
  },
  actors: {
    exchange: notProvided('exchange') as unknown as ReturnType<
      typeof fromPromise<Reply, { input: NegotiationInput; round: number; price: number }>
    >,
    confirm: notProvided('confirm') as unknown as ReturnType<typeof fromPromise<ConfirmResult, { accept: Accept }>>,
    decideCounter: notProvided('decideCounter') as unknown as ReturnType<
      typeof fromPromise<CounterAnswer, { counter: Counter; slot: number; fee: number }>
    >,
    withdraw: notProvided('withdraw') as unknown as ReturnType<typeof fromPromise<void, { negotiation: string }>>
  },
  guards: {
    accepted: ({ context }) => context.reply?.kind === 'accept',
    countered: ({ context }) => context.reply?.kind === 'counter',
    takesCounter: ({ context }) => context.decision?.action === 'accept' || context.decision?.action === 'propose',
    committed: ({ context }) => context.confirm === 'committed',
    voided: ({ context }) => context.confirm === 'void'
  }
}).createMachine({
  id: 'negotiation',
  context: ({ input }) => ({ ...input, round: 0 }),
  initial: 'proposing',
  states: {
    proposing: {
      invoke: {
        src: 'exchange',
        input: ({ context }) => ({ input: context, round: context.round, price: context.price }),
        onDone: { target: 'answered', actions: assign({ reply: ({ event }) => event.output }) },
        onError: { target: 'failed', actions: assign(failure) }
      }
    },
    answered: {
      always: [{ guard: 'accepted', target: 'confirming' }, { guard: 'countered', target: 'deciding' }, { target: 'rejected' }]
    },
    deciding: {
      invoke: {
        src: 'decideCounter',
        input: ({ context }) => ({ counter: (context.reply as { counter: Counter }).counter, slot: context.slot, fee: context.fee ?? 0 }),
        onDone: { target: 'decided', actions: assign({ decision: ({ event }) => event.output }) },
        onError: { target: 'failed', actions: assign(failure) }
      }
    },
    decided: {
      always: [
        {
          guard: 'takesCounter',
          target: 'proposing',
          actions: assign(({ context }) => {
            const c = (context.reply as { counter: Counter }).counter
            const price = context.decision?.action === 'propose' ? context.decision.price : c.price
            return { round: c.round, price, energyWh: Math.min(context.energyWh, c.energyWh) }
          })
        },
        { target: 'withdrawing' }
      ]
    },
    withdrawing: {
      invoke: {
        src: 'withdraw',
        input: ({ context }) => ({ negotiation: context.negotiation }),
        onDone: 'walkedAway',
        onError: 'walkedAway'
      }
    },
    confirming: {
      invoke: {
        src: 'confirm',
        input: ({ context }) => ({ accept: (context.reply as { accept: Accept }).accept }),
        onDone: { target: 'confirmed', actions: assign({ confirm: ({ event }) => event.output }) },
        // the trade is journaled with both signatures before the confirm is sent: a failure here leaves it pending
        onError: {
          target: 'confirmed',
          actions: assign({ confirm: 'pending' as const, error: ({ event }) => (event.error as Error).message })
        }
      }
    },
    confirmed: {
      always: [{ guard: 'committed', target: 'committed' }, { guard: 'voided', target: 'void' }, { target: 'pending' }]
    },
    committed: { type: 'final', entry: assign({ result: 'committed' as const }) },
    pending: { type: 'final', entry: assign({ result: 'pending' as const }) },
    void: { type: 'final', entry: assign({ result: 'void' as const }) },
    rejected: { type: 'final', entry: assign({ result: 'rejected' as const }) },
    walkedAway: { type: 'final', entry: assign({ result: 'walked-away' as const }) },
    failed: { type: 'final', entry: assign({ result: 'failed' as const }) }
  },
  output: ({ context }) => {
    const accept = context.reply?.kind === 'accept' ? context.reply.accept : undefined
    const result = context.result ?? 'failed'
    return {
      negotiation: context.negotiation,
      seller: context.seller,
      slot: context.slot,
      result,
      energyWh: accept?.terms.energyWh ?? context.energyWh,
      price: accept?.terms.price ?? context.price,
      code: context.reply?.kind === 'reject' ? context.reply.reject.code : result === 'failed' ? context.errorCode : undefined,
      detail: context.reply?.kind === 'reject' ? context.reply.reject.detail : context.error,
      ...(result === 'rejected' && context.reply?.kind === 'reject' && (context.reply.reject.referrals?.length ?? 0) > 0
        ? { referrals: context.reply.reject.referrals!.length }
        : {})
    }
  }
})
