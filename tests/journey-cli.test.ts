import { mkdtemp, rm, stat } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { offsetMetres } from '@kvartal/mobility'
import { FakeIotaRpc, ledgerTransactions } from '@kvartal/settlement/testing'
import { runCli, runKvartal, writeNodeConfig, type NodeProcess } from './helpers/processes.ts'
import { askNode, eventually, writeGtfsLine, type GtfsLine } from './helpers/gtfs-line.ts'

/**
 * `kvartal journey` and `kvartal channel` against two real `kvartal node` processes on 127.0.0.1: a
 * transit operator and a traveller. Each process would keep its own local ledger, which the other cannot
 * see, so both settle through the `iota` adapter against FakeIotaRpc, a TEST DOUBLE of an IOTA full
 * node's JSON-RPC running in this test process (no IOTA node can be reached here).
 */

const agencyId = 'kvartal-bus'
let dir: string
let rpc: FakeIotaRpc
let line: GtfsLine
const procs: NodeProcess[] = []
const iota = (rpcUrl: string): Record<string, unknown> => ({ adapter: 'iota', iota: { network: rpcUrl } })

async function startNode(config: string): Promise<{ p: NodeProcess; listening: Record<string, any> }> {
  const p = runKvartal(['node', '--config', config])
  procs.push(p)
  return { p, listening: await p.waitFor(l => l.event === 'listening') }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvartal-journey-'))
  rpc = await FakeIotaRpc.start()
  // one bus line: five stops 450 m apart eastwards, a trip every 4 minutes from 4 minutes from now
  line = await writeGtfsLine(join(dir, 'gtfs'), {
    now: Date.now(),
    agencyId,
    center: { lat: 63.43, lon: 10.39 },
    stops: 5,
    spacingM: 450,
    firstInS: 240,
    headwayS: 240,
    trips: 15,
    hopS: 90
  })
})

afterAll(async () => {
  await Promise.all(procs.map(async p => await p.stop()))
  await rpc?.close()
  await rm(dir, { recursive: true, force: true })
})

describe('kvartal journey and channel commands against running nodes', () => {
  it('plans and books a bus journey across two processes, lists and cancels ' +
    'it; the trip channel is read, granted, pulled by the operator and revoked', { timeout: 90_000 }, async () => {
    const gtfs = join(dir, 'gtfs')
    const operatorDir = join(dir, 'operator')
    const travellerDir = join(dir, 'traveller')
    const operator = await startNode(
      await writeNodeConfig({
        dir,
        name: 'operator',
        position: [0],
        settlement: iota(rpc.url),
        mobility: {
          timetable: { gtfs },
          provider: {
            kind: 'transit',
            agencyId,
            mode: 'BUS',
            seatsPerTrip: 20,
            co2GPerKm: 60,
            cancellation: { freeUntilS: 60, feeNanos: 50_000_000 }
          },
          offerEveryMs: 6_000
        }
      })
    )
    rpc.fund(operator.listening.iotaAddress, 10_000_000_000n)
    const traveller = await startNode(
      await writeNodeConfig({
        dir,
        name: 'traveller',
        position: [0],
        bootstrap: [operator.listening.addrs[0]],
        settlement: iota(rpc.url),
        mobility: { timetable: { gtfs } }
      })
    )
    rpc.fund(traveller.listening.iotaAddress, 10_000_000_000n)
    // control.json is there, owner-only, once the node listens
    expect((await stat(join(travellerDir, 'control.json'))).mode & 0o777).toBe(0o600)
    // the traveller books seats only from an operator whose service offer it holds
    await eventually(async () => {
      const s = await askNode(travellerDir, '/status')
      return s.mobility.services >= 1 ? s : undefined
    }, "the operator's service offer")

    // from 100 m south of the first stop to 100 m north of the fourth: too far to walk with 400 m
    const from = offsetMetres(line.stops[0], -100, 0)
    const to = offsetMetres(line.stops[3], 100, 0)
    const where = [
      '--from',
      `${from.lat.toFixed(6)},${from.lon.toFixed(6)}`,
      '--to',
      `${to.lat.toFixed(6)},${to.lon.toFixed(6)}`,
      '--modes',
      'BUS',
      '--max-walk',
      '400'
    ]
    const human = await runCli(['journey', 'plan', '--data-dir', travellerDir, ...where])
    expect(human.code, human.stderr).toBe(0)
    expect(human.stdout).toMatch(/^#\s+depart\s+arrive/m)
    expect(human.stdout).toMatch(/walk \d+ m › BUS R1 \d\d:\d\d S0→S3 › walk \d+ m/)
    const planned = await runCli(['journey', 'plan', '-d', travellerDir, ...where, '--depart', '+1', '--json'])
    expect(planned.code, planned.stderr).toBe(0)
    const plan = JSON.parse(planned.stdout)
    expect(plan.journeys.length).toBeGreaterThan(0)
    expect(plan.labels).toMatchObject({
      fastest: 1,
      cheapest: expect.any(Number),
      greenest: expect.any(Number),
      fewestTransfers: expect.any(Number)
    })
    expect(plan.preferred).toBeGreaterThan(0)
    const bus = plan.journeys[0].legs.find((l: any) => l.mode === 'BUS')
    expect(bus).toMatchObject({
      from: { stopId: 'S0', name: 'Stop S0' },
      to: { stopId: 'S3' },
      price: line.fare,
      walking: 0,
      tripId: expect.stringMatching(/^T\d+$/)
    })
    expect(Date.parse(bus.departure)).toBeGreaterThan(Date.now())
    expect(Number.isSafeInteger(bus.departureS) && Number.isSafeInteger(bus.co2)).toBe(true)
    expect(plan.journeys[0].legs[0]).toMatchObject({ mode: 'WALK', walking: expect.any(Number) })

    const booked = await runCli(['journey', 'book', '-d', travellerDir, '--plan', plan.plan, '--pick', 'fastest'])
    expect(booked.code, booked.stderr + booked.stdout).toBe(0)
    expect(booked.stdout).toMatch(/^CONFIRMED {2}package [0-9a-f]{32} {2}0\.4 IOTA {2}paid in \S+/)
    const pkg = /package ([0-9a-f]{32})/.exec(booked.stdout)![1]
    await operator.p.waitFor(l => l.event === 'leg-confirmed' && l.correlation === pkg)
    // one payment on the ledger: the traveller paid the operator the fare, directly
    const payments = ledgerTransactions(rpc.executions).payments.filter(x => x.transfers.length > 0)
    expect(payments.map(x => [x!.sender, x!.transfers])).toEqual([
      [traveller.listening.iotaAddress, [{ to: operator.listening.iotaAddress, amount: line.fare }]]
    ])

    const listed = await runCli(['journey', 'list', '-d', travellerDir])
    expect(listed.code).toBe(0)
    expect(listed.stdout).toMatch(
      new RegExp(`^${pkg}\\s+CONFIRMED\\s+\\d\\d:\\d\\d\\s+` + '\\d\\d:\\d\\d\\s+0\\.4\\s+BUS S0→S3 CONFIRMED', 'm')
    )

    // the traveller's trip channel holds the payment and the booking, readable with its own key
    const trips = await eventually(async () => {
      const r = await runCli(['channel', 'read', 'trips', '-d', travellerDir, '--json'])
      const v = r.code === 0 ? JSON.parse(r.stdout) : undefined
      return v?.entries.some((e: any) => e.value.type === 'package-booked') === true ? v : undefined
    }, 'the package-booked record in the trips channel')
    expect(trips.chain.ok).toBe(true)
    expect(trips.entries.map((e: any) => [e.value.type, e.value.id])).toEqual(
      expect.arrayContaining([
        ['package-paid', pkg],
        ['package-booked', pkg]
      ])
    )
    const channel: string = trips.channel
    const read = await runCli(['channel', 'read', channel, '-d', travellerDir])
    expect(read.stdout).toContain(`channel ${channel} (trips)`)
    expect(read.stdout).toMatch(/chain verified, \d+ records: \d+ readable, 0 unreadable/)

    // grant the operator: it pulls the channel over libp2p and reads it with its own key
    const opKey: string = operator.listening.trader
    const granted = JSON.parse((await runCli(['channel', 'grant', 'trips', '--reader', opKey, '-d', travellerDir, '--json'])).stdout)
    expect(granted.readers).toEqual([{ x25519: expect.stringMatching(/^[0-9a-f]{64}$/), node: opKey }])
    const pulled = await runCli(['channel', 'pull', '--peer', traveller.listening.addrs[0], channel, '-d', operatorDir])
    expect(pulled.code, pulled.stderr).toBe(0)
    expect(pulled.stdout).toMatch(/^pulled \d+ new records of [0-9a-f]{64}/)
    const asOperator = JSON.parse((await runCli(['channel', 'read', channel, '-d', operatorDir, '--json'])).stdout)
    expect(asOperator).toMatchObject({ owner: traveller.listening.trader, chain: { ok: true }, unreadable: [] })
    expect(asOperator.entries.map((e: any) => e.value.type)).toContain('package-booked')

    // revoke it: the channel's key rotates; what is written afterwards (the cancellation) is not for the operator
    const revoked = await runCli(['channel', 'revoke', 'trips', '--reader', opKey, '-d', travellerDir])
    expect(revoked.code, revoked.stderr).toBe(0)
    expect(revoked.stdout).toMatch(/rotated to epoch 1 .*\nreaders: none\n$/)
    const cancelled = await runCli(['journey', 'cancel', pkg, '-d', travellerDir])
    expect(cancelled.code, cancelled.stderr).toBe(0)
    // more than a minute before departure: free (the operator's freeUntilS 60), the whole fare back
    expect(cancelled.stdout).toMatch(new RegExp(`^CANCELLED {2}package ${pkg} {2}refund 0\\.4 IOTA, fee 0 IOTA`))
    const after = await eventually(async () => {
      const v = JSON.parse((await runCli(['channel', 'read', 'trips', '-d', travellerDir, '--json'])).stdout)
      return v.entries.some((e: any) => e.value.type === 'package-released') === true ? v : undefined
    }, 'the cancellation record')
    const lastIndex = Math.max(...after.entries.map((e: any) => e.index))
    await runCli(['channel', 'pull', '--peer', traveller.listening.peerId, channel, '-d', operatorDir])
    const later = JSON.parse((await runCli(['channel', 'read', channel, '-d', operatorDir, '--json'])).stdout)
    expect(later.chain.ok).toBe(true)
    expect(later.records).toBe(after.records)
    expect(later.unreadable).toContainEqual({ index: lastIndex, epoch: 1 })
    expect(later.entries.map((e: any) => e.value.type)).not.toContain('package-released')
    const channels = JSON.parse((await runCli(['channel', 'list', '-d', travellerDir, '--json'])).stdout).channels
    expect(channels).toContainEqual(expect.objectContaining({ id: channel, name: 'trips', own: true, epoch: 1, readers: [] }))

    // bad input against a running node: named, exit 2, one line
    const unknownPkg = await runCli(['journey', 'cancel', '0'.repeat(32), '-d', travellerDir])
    expect([unknownPkg.code, unknownPkg.stderr]).toEqual([2, `kvartal: this node booked no package ${'0'.repeat(32)}\n`])
    const again = await runCli(['journey', 'cancel', pkg, '-d', travellerDir])
    expect(again.code).toBe(1)
    expect(again.stderr).toBe(`kvartal: package ${pkg} is CANCELLED: only a CONFIRMED package can be cancelled\n`)

    // a clean stop removes control.json
    expect((await traveller.p.stop()).code).toBe(0)
    expect(existsSync(join(travellerDir, 'control.json'))).toBe(false)
    const gone = await runCli(['journey', 'list', '-d', travellerDir])
    expect([gone.code, gone.stderr]).toEqual([2, `kvartal: no control.json in ${travellerDir}: is \`kvartal node\` running there?\n`])
  })

  it('bad input exits 2 with one line naming what is wrong, before any node is asked', async () => {
    const cases: Array<[string[], string]> = [
      [
        ['journey', 'plan', '-d', dir, '--from', '91,10.39', '--to', '63.43,10.39'],
        'kvartal: --from: latitude must be between -90 and 90, got 91\n'
      ],
      [
        ['journey', 'plan', '-d', dir, '--from', 'here', '--to', '63.43,10.39'],
        'kvartal: --from: must be <lat>,<lon> in decimal degrees, e.g. 63.4305,10.3951, got "here"\n'
      ],
      [
        ['journey', 'plan', '-d', dir, '--from', '63.43,10.39', '--to', '63.44,10.39', '--modes', 'BUS,HOVERCRAFT'],
        'kvartal: --modes: unknown mode "HOVERCRAFT" (TOMP-API modes: WALK, BICYCLE, SCOOTER, CAR, BUS, TRAM, METRO, RAIL, FERRY)\n'
      ],
      [
        ['journey', 'plan', '-d', dir, '--from', '63.43,10.39', '--to', '63.44,10.39', '--max-walk', '1.5'],
        'kvartal: --max-walk: must be a whole number of metres, got "1.5"\n'
      ],
      [
        ['journey', 'plan', '-d', dir, '--from', '63.43,10.39', '--to', '63.44,10.39', '--depart', 'tomorrow'],
        'kvartal: --depart: must be an ISO date-time (2026-06-17T08:30:00Z) or +<minutes> from now, got "tomorrow"\n'
      ],
      [
        ['journey', 'book', '-d', dir, '--from', '63.43,10.39', '--to', '63.44,10.39', '--pick', 'sideways'],
        'kvartal: --pick: must be fastest, cheapest, greenest, fewest-transfers, ' +
          'preferred or a journey number from the plan (1 = first), got "sideways"\n'
      ],
      [
        ['journey', 'cancel', 'nope', '-d', dir],
        'kvartal: package: must be a package id: 32 hex digits (`kvartal journey list` shows them), got "nope"\n'
      ],
      [
        ['channel', 'grant', 'trips', '--reader', 'abc', '-d', dir],
        'kvartal: --reader: must be a node\'s public key: 64 hex digits (the trader id that `kvartal id` prints), got "abc"\n'
      ],
      [
        ['journey', 'plan', '--from', '63.43,10.39', '--to', '63.44,10.39'],
        'kvartal: --data-dir: is required: the data directory of a running node, or ' +
          '--config node.yaml (kvartal journey plan --data-dir <dir> --from … --to …)\n'
      ],
      [
        ['journey', 'list', '-d', join(dir, 'nobody')],
        `kvartal: no control.json in ${join(dir, 'nobody')}: is \`kvartal node\` running there?\n`
      ]
    ]
    const results = await Promise.all(cases.map(async ([args]) => await runCli(args)))
    results.forEach((r, i) => {
      expect([r.code, r.stderr], cases[i][0].join(' ')).toEqual([2, cases[i][1]])
    })

    // a node config: the bad mobility field is named (the other checks are unit tests of validateNodeConfig)
    const scooter = {
      kind: 'vehicle',
      mode: 'SCOOTER',
      position: { lat: 63.43, lon: 10.39 },
      co2GPerKm: 8,
      speedKmh: 15,
      pricing: { plan_id: 's', price: 15_000_000, per_min_pricing: [{ start: 0, rate: 1.5, interval: 1 }] }
    }
    const r = await runCli([
      'node',
      '--config',
      await writeNodeConfig({ dir, name: 'bad', position: [0], mobility: { provider: scooter }, settlement: iota('http://127.0.0.1:9') })
    ])
    // with the file, line and column of the field: `kvartal: <dir>/bad.yaml:<line>:<column>: <field>: …`
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(
      new RegExp(
        String.raw`^kvartal: \S*\/bad\.yaml:\d+:\d+: mobility\.provider\.pricing\.per_min_pricing\[0\]\.rate: ` +
          String.raw`expected a whole number of nanos \(1 IOTA = 1000000000\), at least 0, got 1\.5\n$`
      )
    )
  })
})
