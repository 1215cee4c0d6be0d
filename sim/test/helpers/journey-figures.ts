import { expect } from 'vitest'
import type { JourneyFigures, MobilityMetrics } from '../../src/index.ts'

/**
 * The dashboard's journeys panel figures equal results.json's mobility figures: journeys requested, booked,
 * walked, failed by reason and booked by mode, the per-journey means, rides ended and receipts signed. Not
 * compared: trips per day (a scenario figure) and the mean paid (the events do not carry payments).
 */
export function expectJourneyFiguresOf(f: JourneyFigures, m: MobilityMetrics): void {
  const { tripsPerDay: _t, ...journeys } = m.journeys
  const { paidNanos: _p, ...perJourney } = m.perJourney
  expect({
    journeys: {
      requested: f.requested,
      booked: f.booked,
      walked: f.walked,
      failed: f.failed,
      failedBy: f.failedBy,
      bookedByMode: f.bookedByMode
    },
    perJourney: f.perJourney,
    rides: f.ridesEnded,
    receipts: f.receiptsSigned
  }).toEqual({ journeys, perJourney, rides: m.rides.ended, receipts: m.receipts.signed })
}
