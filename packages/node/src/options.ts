import { defaultSlotClockConfig, systemClock, type Clock, type EventSink, type Signer, type SlotClockConfig } from '@kvartal/protocol'
import { timeDependentConcession, type Strategy, type Tariffs } from '@kvartal/market'
import type { HostNetworkHooks, ProcessGossip, Transport } from '@kvartal/mesh'
import type { Journal, JournalOptions } from './journal.ts'
import type { Settlement } from '@kvartal/settlement'
import type { MobilityOptions } from './mobility/mobility-runtime.ts'
import type { Meter } from '@kvartal/meters'

/** What a building needs to trade: its limits and its forecast net position per slot. */
export interface TraderProfile {
  /** most this node pays per kWh when buying, nanos/kWh */
  readonly buyLimit: number
  /** least this node takes per kWh when selling, nanos/kWh */
  readonly sellLimit: number
  /** forecast net energy for a slot, Wh: positive surplus to sell, negative deficit to buy */
  position(slot: number): number
  /**
   * a device model's energy for a past slot, net Wh (+ export): the simulator's meter. The node reads
   * it through a SimulatedMeter (`@kvartal/meters`) when no `meter` is given. Absent, and no meter:
   * the node has no readings, and every slot is a gap (a forecast is never signed as a reading)
   */
  measured?(slot: number): number
}

/** How and how often the node settles: a Settlement adapter for its key, and the period length. */
export interface SettlementOptions {
  create(signer: Signer, journal: Journal): Settlement | Promise<Settlement>
  /** slots per settlement period (96 = a day of 15-minute slots) */
  periodSlots: number
}

/**
 * Where the node sits in the grid, and what the grid charges. A district is a tree: buildings on
 * low-voltage feeders (one secondary substation each), feeders on the medium-voltage grid.
 */
export interface GridOptions {
  /** the node's feeder: it offers and bids on that feeder's topics */
  feeder: string
  /** nanos per kWh the buyer pays the grid operator on top of the energy price: inside a feeder, across feeders */
  fees: { local: number; district: number }
  /**
   * most Wh per slot this node may sell to, and buy from, other feeders: its share of the feeder
   * transformer's rating (rating × slot × its connection ÷ all of the feeder's connections: shares that add
   * up to at most the rating), so that the feeder as a whole never carries more across its transformer than
   * the rating, whoever trades. Absent: unlimited
   */
  crossFeederShareWh?: number
  /** relay for its feeder: reads the district's digest topic and gossips digests both ways */
  relay?: boolean
  /** the grid operator's IOTA address: the period's grid fees and imbalance are paid to it */
  operator?: string
}

export interface KvartalNodeOptions {
  district: string
  dataDir: string
  transport: Transport
  listen?: string[]
  bootstrap?: string[]
  mdns?: boolean
  loopback?: boolean
  /** 'plaintext' only on the memory transport (a simulator; see mesh's HostOptions). Default: noise */
  encryption?: 'noise' | 'plaintext'
  /** a simulator's worker process: nodes of the same process also meet over the memory transport (mesh's HostOptions) */
  inProcess?: boolean
  /** libp2p's real-time ping of every connection (mesh's HostOptions); a simulator turns it off. Default: on */
  connectionMonitor?: boolean
  /**
   * libp2p's dial, upgrade and protocol-negotiation timeouts (mesh's HostOptions.timeoutsMs); a simulator raises them.
   * Default: libp2p's
   */
  libp2pTimeoutsMs?: number
  /**
   * gossipsub's heartbeat once per node tick instead of every real second (mesh's HostOptions.manualHeartbeat); a
   * simulator's choice. Default: off
   */
  manualHeartbeat?: boolean
  /**
   * A node connected to none of its bootstrap peers (they restarted, or were down when it started) dials them
   * again, at most this often (ms of real time); 0: never. Default 10 000. A simulator turns it off: its
   * connections drop only when its scenario says so.
   */
  rejoinEveryMs?: number
  /** a simulator's link conditions (mesh's HostOptions.network, sim/src/links); a real node has none */
  network?: HostNetworkHooks
  /**
   * a simulator's gossip among the nodes of one process (mesh's ProcessGossip): the topics it carries
   * skip gossipsub; the rest go over it. A real node has none
   */
  processGossip?: ProcessGossip
  /**
   * libp2p's identify on every new connection (mesh's HostOptions.identifyOnConnect); a simulator on a process bus turns
   * it off. Default: on
   */
  identifyOnConnect?: boolean
  clock: Clock
  slots: SlotClockConfig
  tariffs: Tariffs
  strategy: Strategy
  profile: TraderProfile
  /** slots ahead that an announcement covers */
  horizonSlots: number
  /** re-announce every this many slots (each announcement covers `horizonSlots`) */
  republishEverySlots: number
  /**
   * every this many slots the node pulls from one peer the valid announcements it missed (0: never).
   * Gossip delivers to the mesh as it is when a message is published; a node joining or restarting
   * would otherwise wait for the next scheduled announcement
   */
  catchUpEverySlots: number
  /** how long before gate closure buyers start approaching offers for a slot (slots) */
  tradingWindowSlots: number
  /** how many times per slot the node looks at the book */
  ticksPerSlot: number
  /** how long a seller holds energy it accepted while it waits for the buyer's confirm, ms */
  holdMs: number
  /** timeout for one frame of a negotiation, real ms */
  frameTimeoutMs: number
  /** how long the node waits in `joining` for its gossip mesh, real ms */
  joinTimeoutMs: number
  journal: Partial<JournalOptions>
  /** run a tick as soon as the node trades (a simulator that starts many nodes at once turns this off) */
  tickOnStart: boolean
  /** seed of the strategy's randomness */
  seed: number
  /** existing key seed (tests, simulator); otherwise loaded from or created in the journal */
  keySeed?: Uint8Array
  onEvent?: EventSink
  /** the node's feeder and the grid's fees; absent: the district is one feeder and local trades pay no fee */
  grid?: GridOptions
  /**
   * gossip bids as well as offers. Nothing in the negotiation reads bids (buyers approach offers), so by
   * default a node does not: at night, when everyone buys, gossip then costs nothing
   */
  announceBids: boolean
  /** the building's meter; absent: the profile's `measured` model if any, else no readings (gaps) */
  meter?: Meter
  /** settle and attest each period; absent: trades are journaled and not settled */
  settlement?: SettlementOptions
  /**
   * the mobility market: absent, the node trades energy only. A vehicle provider with a battery trades
   * energy from that battery (V2G): its `profile.position` is replaced by what the battery can sell
   * without leaving a booked ride short.
   */
  mobility?: Partial<MobilityOptions>
}

export const defaultNodeOptions = {
  transport: 'tcp' as Transport,
  clock: systemClock as Clock,
  slots: defaultSlotClockConfig,
  // Nordic retail incl. grid fee ≈ 2 NOK/kWh ≈ 1 IOTA/kWh; feed-in ≈ 0.6 NOK/kWh ≈ 0.3 IOTA/kWh
  tariffs: { retail: 1_000_000_000, feedIn: 300_000_000 } as Tariffs,
  strategy: timeDependentConcession() as Strategy,
  // two hours: enough to plan a battery, short enough that forecasts still hold
  horizonSlots: 8,
  // one announcement per hour per side keeps gossip cheap (DESIGN.md, facts: CPU per delivered message)
  republishEverySlots: 4,
  // one small exchange per slot per node; a missed announcement is found within a quarter of its hour
  catchUpEverySlots: 1,
  // one hour of trading per slot: four ticks per slot give sixteen concession steps
  tradingWindowSlots: 4,
  ticksPerSlot: 4,
  // ten seconds is a hundred round trips on a LAN; a buyer that has not confirmed by then has failed
  holdMs: 10_000,
  frameTimeoutMs: 5_000,
  joinTimeoutMs: 3_000,
  journal: {} as Partial<JournalOptions>,
  tickOnStart: true,
  seed: 1,
  announceBids: false
}
