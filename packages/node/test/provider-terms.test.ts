import { describe, expect, it } from 'vitest'
import { Inventory, buildTimetable, tripIndex, type Feed } from '@kvartal/mobility'
import type { LegTerms } from '@kvartal/protocol'
import { checkLegTerms, type ProviderState } from '../src/index.ts'

// one bus line in Trondheim: a weekday trip and a weekend trip, both 08:00 → 08:20 local time
const feed: Feed = {
  timezone: 'Europe/Oslo',
  stops: [
    { stop_id: 'A', stop_name: 'A', stop_lat: 63.43, stop_lon: 10.39 },
    { stop_id: 'B', stop_name: 'B', stop_lat: 63.44, stop_lon: 10.4 }
  ],
  routes: [{ route_id: 'R', route_type: 3, agency_id: 'atb', fare: 400_000_000, co2_per_km: 70 }],
  trips: [
    { trip_id: 'weekday', route_id: 'R', service_id: 'wd' },
    { trip_id: 'weekend', route_id: 'R', service_id: 'we' }
  ],
  stop_times: [
    { trip_id: 'weekday', stop_id: 'A', stop_sequence: 1, arrival_time: 8 * 3600, departure_time: 8 * 3600 },
    { trip_id: 'weekday', stop_id: 'B', stop_sequence: 2, arrival_time: 8 * 3600 + 1200, departure_time: 8 * 3600 + 1200 },
    { trip_id: 'weekend', stop_id: 'A', stop_sequence: 1, arrival_time: 8 * 3600, departure_time: 8 * 3600 },
    { trip_id: 'weekend', stop_id: 'B', stop_sequence: 2, arrival_time: 8 * 3600 + 1200, departure_time: 8 * 3600 + 1200 }
  ],
  calendar: [
    {
      service_id: 'wd',
      monday: 1,
      tuesday: 1,
      wednesday: 1,
      thursday: 1,
      friday: 1,
      saturday: 0,
      sunday: 0,
      start_date: 20260101,
      end_date: 20261231
    },
    {
      service_id: 'we',
      monday: 0,
      tuesday: 0,
      wednesday: 0,
      thursday: 0,
      friday: 0,
      saturday: 1,
      sunday: 1,
      start_date: 20260101,
      end_date: 20261231
    }
  ]
}

describe('a transit operator checks a leg against its service calendar', () => {
  const timetable = buildTimetable(feed)
  const state: ProviderState = {
    service: {
      kind: 'transit',
      agencyId: 'atb',
      mode: 'BUS',
      timetable,
      seatsPerTrip: 40,
      cancellation: { freeUntilS: 600, feeNanos: 0, refundAfterStart: false },
      co2GPerKm: 70
    },
    position: { lat: 63.43, lon: 10.39 },
    assetId: 'atb',
    inventory: new Inventory(),
    trips: tripIndex(timetable)
  }
  const leg = (trip: string): LegTerms => ({
    version: 1,
    district: 'test',
    package: new Uint8Array(16),
    legId: 'l',
    traveller: new Uint8Array(32),
    provider: new Uint8Array(32),
    mode: 'BUS',
    resource: trip,
    from: 0,
    to: 1,
    units: 1,
    departureTime: 0,
    arrivalTime: 0,
    price: 400_000_000,
    cancellation: { freeUntilS: 600, feeNanos: 0 },
    fromStopId: 'A',
    toStopId: 'B',
    distanceM: 0,
    co2G: 0,
    toLatE6: 0,
    toLonE6: 0
  })
  // 06:00 local time (04:00 UTC) on Wednesday 17 June and on Saturday 20 June 2026
  const wednesday = Date.UTC(2026, 5, 17, 4)
  const saturday = Date.UTC(2026, 5, 20, 4)

  it('sells a seat on the trip that runs that day and refuses the one that does not, by name', () => {
    expect(() => checkLegTerms(state, leg('weekday'), wednesday)).not.toThrow()
    expect(() => checkLegTerms(state, leg('weekend'), wednesday)).toThrow(
      expect.objectContaining({ code: 'not-running', message: expect.stringMatching(/does not run on 20260617/) })
    )
    expect(() => checkLegTerms(state, leg('weekend'), saturday)).not.toThrow()
    expect(() => checkLegTerms(state, leg('weekday'), saturday)).toThrow(expect.objectContaining({ code: 'not-running' }))
  })
})
