import { describe, expect, it } from 'vitest'
import { VehicleBudget, VehicleBudgetError, defaultVehicleBudgetOptions, rideWh } from '../src/index.ts'

const H = 3_600_000
const DAY = 1_750_000_000_000 - (1_750_000_000_000 % (24 * H))
const at = (hours: number, minutes = 0): number => DAY + hours * H + minutes * 60_000
// a 40 kWh car, 10 kWh reserve, 150 Wh/km
const car = (socWh = 40_000): VehicleBudget => new VehicleBudget({ capacityWh: 40_000, socWh, reserveWh: 10_000, whPerKm: 150 })

function refused(f: () => unknown): { code: string; message: string } {
  try {
    f()
  } catch (err) {
    expect(err).toBeInstanceOf(VehicleBudgetError)
    expect((err as Error).name).toBe('VehicleBudgetError')
    return { code: (err as VehicleBudgetError).code, message: (err as Error).message }
  }
  throw new Error('expected a VehicleBudgetError')
}

describe('VehicleBudget: what its refusals say', () => {
  it('names the malformed field and its bound', () => {
    const init = { capacityWh: 40_000, socWh: 1, reserveWh: 0, whPerKm: 150 }
    const cases: Array<[() => unknown, string]> = [
      [() => new VehicleBudget({ ...init, capacityWh: 0 }), 'capacityWh must be a safe integer ≥ 1, got 0'],
      [() => new VehicleBudget({ ...init, socWh: -1 }), 'socWh must be a safe integer ≥ 0, got -1'],
      [() => new VehicleBudget({ ...init, reserveWh: -1 }), 'reserveWh must be a safe integer ≥ 0, got -1'],
      [() => new VehicleBudget({ ...init, whPerKm: 0 }), 'whPerKm must be a safe integer ≥ 1, got 0'],
      [() => new VehicleBudget({ ...init, slotMs: 0 }), 'slotMs must be a safe integer ≥ 1, got 0'],
      [() => new VehicleBudget({ ...init, socWh: 40_001 }), 'socWh 40001 exceeds capacityWh 40000'],
      [() => new VehicleBudget({ ...init, reserveWh: 40_001 }), 'reserveWh 40001 exceeds capacityWh 40000'],
      [() => car().committedWh(0.5), 'slotStartMs must be a safe integer, got 0.5'],
      [() => car().commitEnergy(at(1), 0.5), 'wh must be a safe integer, got 0.5'],
      [() => car().completeSlot(at(1), 0.5), 'deliveredWh must be a safe integer, got 0.5'],
      [() => car().sellableWh(0.5), 'slotStartMs must be a safe integer, got 0.5'],
      [() => car().reserveRide('', at(1), at(2), 1), 'a ride id must be a non-empty string'],
      [() => car().reserveRide(7 as unknown as string, at(1), at(2), 1), 'a ride id must be a non-empty string'],
      [() => car().canRide(0.5, at(2), 1), 'fromMs must be a safe integer, got 0.5'],
      [() => car().canRide(at(1), 0.5, 1), 'toMs must be a safe integer, got 0.5'],
      [() => car().canRide(at(2), at(1), 1), `a ride needs fromMs < toMs, got [${at(2)}, ${at(1)})`],
      [() => car().canRide(at(1), at(2), -1), 'metres must be a safe integer ≥ 0, got -1'],
      [() => rideWh(1, -1), 'whPerKm must be a safe integer ≥ 0, got -1'],
      [() => car().drive(-1), 'metres must be a safe integer ≥ 0, got -1']
    ]
    for (const [f, message] of cases) expect(refused(f)).toEqual({ code: 'malformed', message })
    // a whole number must be a number
    expect(refused(() => new VehicleBudget({ ...init, socWh: '1' as unknown as number })).code).toBe('malformed')
  })

  it('takes a battery that is full and a reserve as large as the battery', () => {
    const full = new VehicleBudget({ capacityWh: 100, socWh: 100, reserveWh: 100, whPerKm: 1 })
    expect(full.sellableWh(at(1))).toBe(0)
    expect(full.canRide(at(1), at(2), 0)).toBe(true)
    expect(full.canRide(at(1), at(2), 1)).toBe(false)
  })

  it('says what a refused ride or sale overlaps, and what it would need', () => {
    const v = car()
    v.reserveRide('r1', at(8), at(9), 20_000)
    expect(v.reserveRide('r2', at(8, 30), at(9, 30), 1)).toEqual({
      ok: false,
      code: 'busy',
      detail: `it overlaps ride r1 [${at(8)}, ${at(9)})`
    })
    v.commitEnergy(at(12), 500)
    v.commitEnergy(at(14), -700)
    expect(v.reserveRide('r3', at(12, 10), at(13), 1)).toEqual({
      ok: false,
      code: 'busy',
      detail: `it overlaps the slot at ${at(12)}, where 500 Wh are sold`
    })
    expect(v.reserveRide('r4', at(13), at(14, 1), 1)).toEqual({
      ok: false,
      code: 'busy',
      detail: `it overlaps the slot at ${at(14)}, where 700 Wh are bought`
    })
    expect(v.reserveRide('r5', at(20), at(21), 200_000)).toEqual({
      ok: false,
      code: 'not-enough-charge',
      detail:
        'a ride of 200000 m needs 30000 Wh; with 40000 Wh now, a reserve of 10000 Wh and what is already booked or sold, ' +
        'the battery would run below the reserve'
    })
    expect(refused(() => v.commitEnergy(at(8, 15), 1))).toEqual({
      code: 'busy',
      message: `cannot trade energy in the slot at ${at(8, 15)}: it overlaps ride r1 [${at(8)}, ${at(9)})`
    })
    // 40 kWh − 3 kWh for r1 − 0.5 kWh sold at 12:00 + 0.7 kWh bought by 14:15, down to the 10 kWh reserve
    expect(refused(() => v.commitEnergy(at(18), 30_000))).toEqual({
      code: 'not-enough-charge',
      message: `cannot sell 30000 Wh in the slot at ${at(18)}: at most 27200 Wh can be sold there`
    })
    expect(refused(() => v.reserveRide('r1', at(8), at(9), 20_001))).toEqual({
      code: 'duplicate-ride',
      message: `ride r1 is already booked over [${at(8)}, ${at(9)}) for 20000 m`
    })
    expect(refused(() => v.reserveRide('r1', at(8), at(9, 1), 20_000)).code).toBe('duplicate-ride')
    expect(refused(() => v.reserveRide('r1', at(7), at(9), 20_000)).code).toBe('duplicate-ride')
  })

  it("refuses a slot's net energy beyond safe integers", () => {
    const v = car()
    v.commitEnergy(at(1), -Number.MAX_SAFE_INTEGER)
    expect(refused(() => v.commitEnergy(at(1), -1))).toEqual({
      code: 'malformed',
      message: `the slot's net energy ${-Number.MAX_SAFE_INTEGER - 1} is beyond safe integers`
    })
  })

  it('is beyond safe integers only past them: a ride of exactly MAX_SAFE_INTEGER Wh is fine', () => {
    expect(rideWh(Number.MAX_SAFE_INTEGER, 1000)).toBe(Number.MAX_SAFE_INTEGER)
    expect(refused(() => rideWh(Number.MAX_SAFE_INTEGER, 1001))).toEqual({
      code: 'malformed',
      message: `a ride of ${Number.MAX_SAFE_INTEGER} m at 1001 Wh/km is beyond safe integers`
    })
  })
})

describe('VehicleBudget: edges of the plan', () => {
  it('uses the 15-minute slot of the energy market by default', () => {
    expect(defaultVehicleBudgetOptions.slotMs).toBe(15 * 60_000)
    expect(car().slotMs).toBe(15 * 60_000)
    const v = new VehicleBudget({ capacityWh: 40_000, socWh: 40_000, reserveWh: 0, whPerKm: 150, slotMs: 60_000 })
    v.commitEnergy(at(10), 100)
    expect(v.canRide(at(10, 1), at(11), 1)).toBe(true)
    expect(v.canRide(at(9), at(10, 0) + 1, 1)).toBe(false)
  })

  it('does nothing for 0 Wh, even in a slot a ride overlaps', () => {
    const v = car()
    v.reserveRide('r1', at(8), at(9), 1_000)
    v.commitEnergy(at(8), 0)
    expect(v.committedWh(at(8))).toBe(0)
    expect(v.reserveRide('r1', at(8), at(9), 1_000)).toEqual({ ok: true })
  })

  it('forgets a slot whose commitments cancel out: it no longer keeps rides away', () => {
    const v = car()
    v.commitEnergy(at(12), 500)
    v.commitEnergy(at(12), -500)
    expect(v.committedWh(at(12))).toBe(0)
    expect(v.canRide(at(12), at(13), 1)).toBe(true)
    expect(v.reserveRide('r', at(12), at(13), 1)).toEqual({ ok: true })
  })

  it('never refuses a purchase, even when what was driven already broke the plan', () => {
    const v = car(12_000)
    expect(v.reserveRide('r', at(20), at(21), 10_000)).toEqual({ ok: true }) // 1.5 kWh of the 2 above the reserve
    v.drive(10_000) // an earlier unplanned trip: 10.5 kWh left, the ride would end at 9 kWh
    expect(v.canRide(at(22), at(23), 0)).toBe(false)
    v.commitEnergy(at(21), -200) // a purchase after the ride does not mend it, and is taken
    expect(v.committedWh(at(21))).toBe(-200)
    expect(v.sellableWh(at(22))).toBe(0)
  })

  it('delivers a slot: the commitment or the metered Wh, within an empty and a full battery', () => {
    const v = car(20_000)
    v.completeSlot(at(1)) // nothing committed there
    expect(v.socWh).toBe(20_000)
    v.commitEnergy(at(2), 5_000)
    v.completeSlot(at(2), 30_000) // the meter says more left than there was
    expect(v.socWh).toBe(0)
    expect(v.committedWh(at(2))).toBe(0)
    v.completeSlot(at(3), -50_000)
    expect(v.socWh).toBe(40_000)
    v.commitEnergy(at(4), -1_000)
    v.completeSlot(at(4), 0)
    expect(v.socWh).toBe(40_000)
    expect(v.committedWh(at(4))).toBe(0)
  })

  it('sells what a purchase in the same slot brings, up to a full battery plus that purchase', () => {
    const v = new VehicleBudget({ capacityWh: 1_000, socWh: 1_000, reserveWh: 0, whPerKm: 1 })
    v.commitEnergy(at(5), -600)
    // the net of the slot may go from −600 up to +1,000: a sale of 1,600 against the purchase
    expect(v.sellableWh(at(5))).toBe(1_600)
    v.commitEnergy(at(5), 1_600)
    expect(v.committedWh(at(5))).toBe(1_000)
    expect(v.sellableWh(at(5))).toBe(0)
    const empty = new VehicleBudget({ capacityWh: 1_000, socWh: 0, reserveWh: 0, whPerKm: 1 })
    empty.commitEnergy(at(5), -600)
    expect(empty.sellableWh(at(5))).toBe(600) // cancelling the purchase, no more
    expect(empty.sellableWh(at(5, 15))).toBe(600)
  })

  it('orders a purchase arriving at the instant a ride leaves before the ride', () => {
    const v = new VehicleBudget({ capacityWh: 10_000, socWh: 0, reserveWh: 0, whPerKm: 1_000, slotMs: 60_000 })
    v.commitEnergy(at(6), -5_000) // arrives at 06:01
    expect(v.canRide(at(6, 1), at(7), 5_000)).toBe(true)
    expect(v.canRide(at(6, 1), at(7), 5_001)).toBe(false)
    expect(v.reserveRide('r', at(6, 1), at(7), 5_000)).toEqual({ ok: true })
  })

  it("counts each sale at its slot's start, and a later sale against what earlier rides and sales left", () => {
    const v = new VehicleBudget({ capacityWh: 10_000, socWh: 10_000, reserveWh: 1_000, whPerKm: 1_000 })
    v.commitEnergy(at(10), 4_000)
    expect(v.sellableWh(at(9))).toBe(5_000)
    expect(v.sellableWh(at(11))).toBe(5_000)
    expect(v.reserveRide('r', at(12), at(13), 5_000)).toEqual({ ok: true })
    expect(v.sellableWh(at(14))).toBe(0)
    expect(v.sellableWh(at(10))).toBe(0)
    v.releaseRide('r')
    expect(v.sellableWh(at(10))).toBe(5_000)
  })
})

describe('VehicleBudget: touching intervals and the reserve', () => {
  it('names a bad slot start in commitEnergy and completeSlot', () => {
    expect(refused(() => car().commitEnergy(0.5, 1))).toEqual({ code: 'malformed', message: 'slotStartMs must be a safe integer, got 0.5' })
    expect(refused(() => car().completeSlot(0.5))).toEqual({ code: 'malformed', message: 'slotStartMs must be a safe integer, got 0.5' })
  })

  it('lets a ride end where a later ride or slot begins, in whichever order they were booked', () => {
    const v = car()
    expect(v.reserveRide('late', at(9), at(10), 1)).toEqual({ ok: true })
    expect(v.reserveRide('early', at(8), at(9), 1)).toEqual({ ok: true })
    v.commitEnergy(at(10), 100)
    expect(v.reserveRide('before-slot', at(7, 45), at(8), 1)).toEqual({ ok: true })
    v.commitEnergy(at(7, 30), 100) // the slot [07:30, 07:45) ends where a ride begins
    expect(v.committedWh(at(7, 30))).toBe(100)
    v.commitEnergy(at(12), 100)
    expect(v.reserveRide('before-noon', at(11, 30), at(12), 1)).toEqual({ ok: true }) // a ride ends where a slot begins
  })

  it('finds what a slot with a sale may still sell, not what it would without that sale', () => {
    const v = new VehicleBudget({ capacityWh: 1_000, socWh: 1_000, reserveWh: 200, whPerKm: 1 })
    v.commitEnergy(at(5), 500)
    expect(v.sellableWh(at(5))).toBe(300)
  })

  it('books nothing, not even a ride of 0 m, while the battery is below the reserve', () => {
    const v = car(5_000)
    expect(v.canRide(at(1), at(2), 0)).toBe(false)
    expect(v.sellableWh(at(1))).toBe(0)
  })
})
