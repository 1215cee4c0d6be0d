import { join } from 'node:path'
import type { SimulatedClock } from '@kvartal/protocol'
import { localSettlement, type LocalLedger } from '@kvartal/settlement'
import type { HostNetworkHooks, ProcessGossip } from '@kvartal/mesh'
import { KvartalNode } from '@kvartal/node'
import type { DistrictRunConfig, LedgerAccess } from './district-run-config.ts'

/** The district's `i`th node, not yet started, with the runner's settings. */
export function simNode(
  c: DistrictRunConfig,
  i: number,
  at: {
    clock: SimulatedClock
    dataRoot: string
    bootstrap: string[]
    ledger?: LedgerAccess
    inProcess?: boolean
    network?: HostNetworkHooks
    processGossip?: ProcessGossip
  }
): KvartalNode {
  const spec = c.nodes[i]
  const ledger = at.ledger
  return new KvartalNode({
    district: c.district,
    dataDir: join(at.dataRoot, spec.name),
    transport: c.transport,
    encryption: c.transport === 'memory' || at.inProcess === true ? c.encryption : 'noise',
    loopback: true,
    // connections of a simulation cannot die unseen; a real-time ping would cost per wall second (mesh's HostOptions)
    connectionMonitor: false,
    // and libp2p's own real-time limits wait as long as a frame may (frameTimeoutMs, below)
    libp2pTimeoutsMs: c.frameTimeoutMs,
    // and gossipsub keeps its mesh at the nodes' ticks (at most one heartbeat per tick), not by its timer
    manualHeartbeat: true,
    // connections drop only when the scenario says so (link conditions' churn), never by the machine's speed
    rejoinEveryMs: 0,
    ...(at.inProcess === true ? { inProcess: true } : {}),
    ...(at.network != null ? { network: at.network } : {}),
    // on a process bus, gossipsub carries nothing, and nothing else needs identify's exchange (mesh's HostOptions)
    ...(at.processGossip != null ? { processGossip: at.processGossip, identifyOnConnect: false } : {}),
    bootstrap: at.bootstrap,
    clock: at.clock,
    slots: c.slots,
    tariffs: c.tariffs,
    strategy: spec.strategy,
    // nothing to trade outside the simulated day
    profile: {
      ...spec.profile,
      position: (slot: number) => (slot >= 0 && slot < c.slotCount ? spec.profile.position(slot) : 0),
      measured:
        spec.profile.measured == null ? undefined : (slot: number) => (slot >= 0 && slot < c.slotCount ? spec.profile.measured!(slot) : 0)
    },
    settlement:
      ledger == null
        ? undefined
        : { create: signer => localSettlement(ledger as LocalLedger, signer, at.clock), periodSlots: c.periodSlots ?? c.slotCount },
    ticksPerSlot: c.ticksPerSlot,
    tradingWindowSlots: c.tradingWindowSlots,
    horizonSlots: c.horizonSlots,
    republishEverySlots: c.republishEverySlots,
    // a pull brings what gossip missed; a process bus misses nothing (every reader gets every message), so
    // a pull there only costs a stream and a summary of the book: 3,636 pulls in the default day, none of
    // which brought anything
    catchUpEverySlots: at.processGossip != null ? 0 : c.catchUpEverySlots,
    keySeed: spec.keySeed,
    seed: c.seed * 1000 + i,
    ...(spec.mobility != null ? { mobility: spec.mobility } : {}),
    ...(spec.grid != null ? { grid: spec.grid } : {}),
    // a simulator does not need fsync: a killed simulation is simply run again
    journal: { sync: false },
    // every node starts on the runner's first tick, once all of them are connected
    tickOnStart: false,
    // the deployed nodes' hold (10 s): simulated time stands still while a negotiation runs, except for the
    // delay that link conditions add to its frames (links/host-hooks.ts), so only latency can lapse a hold
    // before its confirm; one left unconfirmed (its confirm lost) is released at the seller's next tick
    holdMs: c.holdMs,
    frameTimeoutMs: c.frameTimeoutMs,
    onEvent: c.onEvent
  })
}
