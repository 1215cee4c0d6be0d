import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { validateNodeConfig } from '../src/index.ts'
import { mobilityOptionsFor } from '../src/mobility-setup.ts'

const iota = { adapter: 'iota', iota: { network: 'http://127.0.0.1:9000' } }
const base = { district: 'demo', dataDir: './data', settlement: iota }
const bike = {
  kind: 'vehicle',
  mode: 'BICYCLE',
  position: { lat: 63.43, lon: 10.39 },
  co2GPerKm: 8,
  speedKmh: 15,
  pricing: { plan_id: 'bike', price: 10_000_000, per_min_pricing: [{ start: 0, rate: 2_000_000, interval: 1 }], max_price: 200_000_000 }
}
const generate = { generate: { seed: 3, stops: 25, lines: 3, trips: 120, stopsPerLine: 8, center: { lat: 63.43, lon: 10.39 } } }
const bus = { kind: 'transit', agencyId: 'district-transit', mode: 'BUS', seatsPerTrip: 40, co2GPerKm: 60 }

describe('node config: the mobility section', () => {
  it('fills defaults: a traveller needs no building, a provider gets cancellation terms and a plan in nanos', () => {
    const c = validateNodeConfig({ ...base, mobility: { timetable: generate, provider: bike } }, '/etc/kvartal')
    expect(c.position).toEqual([0])
    expect(c.mobility).toMatchObject({
      holdMs: 60_000,
      offerEveryMs: 900_000,
      timetable: generate,
      provider: {
        kind: 'vehicle',
        pricing: { currency: 'IOTA', price: 10_000_000 },
        cancellation: { freeUntilS: 600, feeNanos: 0, refundAfterStart: false },
        maxRentalMs: 14_400_000
      }
    })
    const g = validateNodeConfig({ ...base, mobility: { timetable: { gtfs: 'feeds/trondheim' } } }, '/etc/kvartal')
    expect(g.mobility!.timetable).toEqual({ gtfs: '/etc/kvartal/feeds/trondheim' })
    expect(g.mobility!.provider).toBeUndefined()
  })

  it.each([
    [
      { provider: { ...bike, pricing: { ...bike.pricing, per_min_pricing: [{ start: 0, rate: 1.5, interval: 1 }] } } },
      'mobility.provider.pricing.per_min_pricing[0].rate',
      'expected a whole number of nanos (1 IOTA = 1000000000), at least 0, got 1.5'
    ],
    [{ provider: { ...bike, pricing: { ...bike.pricing, price: -1 } } }, 'mobility.provider.pricing.price', 'at least 0, got -1'],
    [{ provider: { ...bike, pricing: { ...bike.pricing, max_price: 1 } } }, 'mobility.provider.pricing.max_price', 'at least price'],
    [{ provider: { ...bike, pricing: { ...bike.pricing, currency: 'EUR' } } }, 'mobility.provider.pricing.currency', 'IOTA'],
    [
      { provider: { ...bike, pricing: { ...bike.pricing, per_minute_pricing: [] } } },
      'mobility.provider.pricing.per_minute_pricing',
      'unknown field'
    ],
    [
      { provider: { ...bike, pricing: { ...bike.pricing, per_km_pricing: [{ start: 2, rate: 1, interval: 1, end: 1 }] } } },
      'mobility.provider.pricing.per_km_pricing[0].end',
      'after start'
    ],
    [{ provider: { ...bike, mode: 'TRAM' } }, 'mobility.provider.mode', 'not one this kind of provider sells'],
    [{ provider: { ...bike, position: { lat: 95, lon: 10 } } }, 'mobility.provider.position.lat', 'between -90 and 90'],
    [
      { provider: { ...bike, battery: { capacityWh: 500, socWh: 600, whPerKm: 10 } } },
      'mobility.provider.battery.socWh',
      'between 0 and 500'
    ],
    [
      { provider: { ...bike, cancellation: { refundAfterStart: true } } },
      'mobility.provider.cancellation.refundAfterStart',
      'must be false'
    ],
    [{ provider: { ...bike, kind: 'taxi' } }, 'mobility.provider.kind', 'vehicle'],
    [{ provider: { ...bike, accessibility: ['WHEEL CHAIR'] } }, 'mobility.provider.accessibility', 'accessibility needs'],
    [{ provider: { ...bike, energy: { targetSocPercent: 60 } } }, 'mobility.provider.energy', 'needs a battery'],
    [
      { provider: { ...bike, battery: { capacityWh: 500, socWh: 400, whPerKm: 10 }, energy: { targetSocPercent: 120 } } },
      'mobility.provider.energy.targetSocPercent',
      'between 0 and 100'
    ],
    [{ provider: bus }, 'mobility.timetable', 'required for a transit provider'],
    [{ timetable: generate, provider: { ...bus, mode: 'SCOOTER' } }, 'mobility.provider.mode', 'BUS, TRAM'],
    [{ timetable: generate, provider: { ...bus, agencyId: '' } }, 'mobility.provider.agencyId', 'required'],
    [{ timetable: {} }, 'mobility.timetable', 'exactly one of gtfs'],
    [{ timetable: { generate: { stops: 1 } } }, 'mobility.timetable.generate.stops', 'between 2'],
    [{ timetable: { generate: { center: { lat: 'north' } } } }, 'mobility.timetable.generate.center.lat', 'decimal degrees'],
    [{ holdMs: 10 }, 'mobility.holdMs', 'between 1000'],
    [{ offerEveryMs: 1.5 }, 'mobility.offerEveryMs', 'whole number of ms'],
    [{ operators: { atb: 'not-a-key' } }, 'mobility.operators.atb', '64 hex characters'],
    [{ operators: ['atb'] }, 'mobility.operators', ''],
    [{ tickets: true }, 'mobility.tickets', 'unknown field']
  ])('refuses %j naming %s', (mobility, field, says) => {
    let err: (Error & { field?: string }) | undefined
    try {
      validateNodeConfig({ ...base, mobility }, '/tmp')
    } catch (e) {
      err = e as Error
    }
    expect(err).toMatchObject({ name: 'ConfigError', field })
    expect(err!.message).toContain(says)
  })

  it("gossips by zone when asked: the zones around home, the config's site by default; a bad home is named", async () => {
    const site = { latitude: 59.91, longitude: 10.75, utcOffsetHours: 1 }
    const z = validateNodeConfig({ ...base, site, mobility: { zones: {} } }, '/etc/kvartal')
    expect(z.mobility!.zones).toEqual({ home: { lat: 59.91, lon: 10.75 } })
    const h = validateNodeConfig({ ...base, site, mobility: { zones: { home: { lat: 63.43, lon: 10.39 } } } }, '/etc/kvartal')
    expect((await mobilityOptionsFor(h))!.zones).toEqual({ home: { lat: 63.43, lon: 10.39 } })
    expect(validateNodeConfig({ ...base, mobility: {} }, '/etc/kvartal').mobility!.zones).toBeUndefined()
    expect(() => validateNodeConfig({ ...base, mobility: { zones: { home: { lat: 95, lon: 10 } } } }, '/etc/kvartal')).toThrow(
      /mobility\.zones\.home\.lat/
    )
  })

  it('a provider needs a ledger its travellers can pay on; a traveller on the local ledger may plan', () => {
    expect(() => validateNodeConfig({ ...base, settlement: { adapter: 'local' }, mobility: { provider: bike } }, '/tmp')).toThrow(
      expect.objectContaining({ field: 'settlement.adapter' })
    )
    expect(validateNodeConfig({ ...base, settlement: { adapter: 'local' }, mobility: {} }, '/tmp').mobility).toBeDefined()
  })

  it(
    "builds the node's mobility options: a generated timetable, a " +
      "transit operator whose agency runs in it, battery slots as the node's",
    async () => {
      const transit = await mobilityOptionsFor(
        validateNodeConfig({ ...base, mobility: { timetable: generate, provider: bus, holdMs: 30_000 } }, '/tmp')
      )
      expect(transit!.timetable!.stops).toHaveLength(25)
      expect(transit!.provider).toMatchObject({ kind: 'transit', agencyId: 'district-transit', seatsPerTrip: 40 })
      expect(transit!.holdMs).toBe(30_000)
      const ev = await mobilityOptionsFor(
        validateNodeConfig(
          {
            ...base,
            slots: { seconds: 300 },
            mobility: { provider: { ...bike, mode: 'CAR', battery: { capacityWh: 40_000, socWh: 30_000, reserveWh: 5_000, whPerKm: 150 } } }
          },
          '/tmp'
        )
      )
      expect(ev!.provider).toMatchObject({ kind: 'vehicle', battery: { capacityWh: 40_000, slotMs: 300_000 } })
      const car = validateNodeConfig(
        {
          ...base,
          mobility: {
            provider: {
              ...bike,
              mode: 'CAR',
              accessibility: ['wheelchair'],
              battery: { capacityWh: 40_000, socWh: 30_000, whPerKm: 150 },
              energy: { targetSocPercent: 60, chargerW: 11_000 }
            }
          }
        },
        '/tmp'
      )
      expect(car.mobility!.provider).toMatchObject({ accessibility: ['WHEELCHAIR'], energy: { targetSocPercent: 60, chargerW: 11_000 } })
      await expect(
        mobilityOptionsFor(
          validateNodeConfig({ ...base, mobility: { timetable: generate, provider: { ...bus, agencyId: 'nobody' } } }, '/tmp')
        )
      ).rejects.toMatchObject({ field: 'mobility.provider.agencyId', message: expect.stringContaining('agencies: district-transit') })
      const dir = await mkdtemp(join(tmpdir(), 'kvartal-gtfs-'))
      try {
        await expect(
          mobilityOptionsFor(validateNodeConfig({ ...base, mobility: { timetable: { gtfs: dir } } }, '/tmp'))
        ).rejects.toMatchObject({ name: 'ConfigError', field: 'mobility.timetable.gtfs', message: expect.stringContaining('stops.txt') })
      } finally {
        await rm(dir, { recursive: true, force: true })
      }
    }
  )
})
